import { parseBytes, parseCpus, parseDuration } from './units.js';
import type { Reporter } from './reporter.js';
import { closestMatch } from './suggest.js';
import type { SourcePos, YEntry, YMap, YNode } from './yaml-tree.js';

/**
 * Typed readers over the YAML tree. Each returns the value, or undefined after reporting
 * what it found and what is allowed. Strings of digits count as numbers and "true"/"false"
 * as booleans, because interpolation (`replicas: ${N}`) always yields strings.
 */

/** How a found value reads in a message: strings quoted, collections named. */
export function describe(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'nothing';
  return typeof node.value === 'string' ? `"${node.value}"` : String(node.value);
}

/** A path one key deeper. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A string; numbers are accepted as their decimal text (user: 1000). */
export function readString(node: YNode, path: string, r: Reporter): string | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
  if (node.kind === 'scalar' && typeof node.value === 'number') return String(node.value);
  r.error(node.pos, path, `expected a string, got ${describe(node)}`);
  return undefined;
}

/** Label and environment values: any scalar as text, nothing as ''. */
export function readScalarText(node: YNode, path: string, r: Reporter): string | undefined {
  if (node.kind === 'scalar') return node.value === null ? '' : String(node.value);
  r.error(node.pos, path, `expected a string, got ${describe(node)}`);
  return undefined;
}

function integerWording(min: number, max: number): string {
  if (max !== Infinity) return `an integer from ${min} to ${max}`;
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  return `an integer of at least ${min}`;
}

/** A whole number within [min, max]. */
export function readInt(node: YNode, path: string, r: Reporter, min = 0, max = Infinity): number | undefined {
  const raw = node.kind === 'scalar' ? node.value : undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  r.error(node.pos, path, `expected ${integerWording(min, max)}, got ${describe(node)}`);
  return undefined;
}

/** A number within [min, max], fractions allowed. */
export function readNumber(node: YNode, path: string, r: Reporter, min: number, max: number): number | undefined {
  const raw = node.kind === 'scalar' ? node.value : undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (value >= min && value <= max) return value;
  r.error(node.pos, path, `expected a number from ${min} to ${max}, got ${describe(node)}`);
  return undefined;
}

export function readBool(node: YNode, path: string, r: Reporter): boolean | undefined {
  const raw = node.kind === 'scalar' ? node.value : undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  r.error(node.pos, path, `expected true or false, got ${describe(node)}`);
  return undefined;
}

/** One of a closed set of strings. */
export function readChoice<T extends string>(node: YNode, path: string, r: Reporter, allowed: readonly T[]): T | undefined {
  if (node.kind === 'scalar' && allowed.includes(node.value as T)) return node.value as T;
  r.error(node.pos, path, `expected one of ${allowed.join(', ')}, got ${describe(node)}`);
  return undefined;
}

function readUnit<T>(node: YNode, path: string, r: Reporter, parse: (text: string) => T, expected: string): T | undefined {
  if (node.kind !== 'scalar' || node.value === null || typeof node.value === 'boolean') {
    r.error(node.pos, path, `expected ${expected}, got ${describe(node)}`);
    return undefined;
  }
  try {
    return parse(String(node.value));
  } catch (err) {
    r.error(node.pos, path, (err as Error).message);
    return undefined;
  }
}

/** A Go-style duration ("1m30s") in milliseconds. */
export const readDurationMs = (node: YNode, path: string, r: Reporter) => readUnit(node, path, r, parseDuration, 'a duration like 30s, 1m30s or 500ms');
/** A size ("512M") in bytes. */
export const readBytes = (node: YNode, path: string, r: Reporter) => readUnit(node, path, r, parseBytes, 'a size like 512m, 1g or 1.5GiB');
/** A CPU count ("0.5") in billionths of a CPU. */
export const readNanoCpus = (node: YNode, path: string, r: Reporter) => readUnit(node, path, r, parseCpus, 'a number of CPUs like 0.5 or 2');

/** A list of strings; `orString` also takes one string as a one-item list. */
export function readStringList(node: YNode, path: string, r: Reporter, orString = false): string[] | undefined {
  if (orString && node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
  if (node.kind !== 'seq') {
    r.error(node.pos, path, `expected ${orString ? 'a string or a list of strings' : 'a list of strings'}, got ${describe(node)}`);
    return undefined;
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const value = readString(item, child(path, i), r);
    if (value !== undefined) out.push(value);
  });
  return out;
}

/**
 * A `KEY=value` list or a mapping, as labels and environment are written. In list form a
 * bare `KEY` gets value undefined; in mapping form a null value does.
 */
export function readKeyValues(node: YNode, path: string, r: Reporter): Array<{ key: string; value: string | undefined; pos: SourcePos }> | undefined {
  const out: Array<{ key: string; value: string | undefined; pos: SourcePos }> = [];
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const text = readString(item, child(path, i), r);
      if (text === undefined) return;
      const eq = text.indexOf('=');
      if (eq === 0 || text === '') r.error(item.pos, child(path, i), `expected KEY=value or KEY, got "${text}"`);
      else out.push({ key: eq < 0 ? text : text.slice(0, eq), value: eq < 0 ? undefined : text.slice(eq + 1), pos: item.pos });
    });
    return out;
  }
  if (node.kind === 'map') {
    for (const entry of node.entries) {
      if (entry.value.kind === 'scalar' && entry.value.value === null) out.push({ key: entry.key, value: undefined, pos: entry.keyPos });
      else {
        const value = readScalarText(entry.value, child(path, entry.key), r);
        if (value !== undefined) out.push({ key: entry.key, value, pos: entry.keyPos });
      }
    }
    return out;
  }
  r.error(node.pos, path, `expected a list of KEY=value strings or a mapping, got ${describe(node)}`);
  return undefined;
}

/** Labels: KEY=value list or mapping; a bare key is an empty label, as in Docker. */
export function readLabels(node: YNode, path: string, r: Reporter): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { key, value } of readKeyValues(node, path, r) ?? []) labels[key] = value ?? '';
  return labels;
}

/** Keys a mapping may hold: understood ones, ones we ignore with a warning, ones we refuse. */
export interface KeySchema {
  known: readonly string[];
  /** Keys Swarm ignores too; they earn one "ignoring unsupported options" warning per mapping. */
  ignored?: readonly string[];
  /** Keys whose absence would silently change how the container behaves, with the reason. */
  refused?: Readonly<Record<string, string>>;
}

/** The checked keys of a mapping, looked up by name. `x-` extension keys are skipped. */
export class Fields {
  private readonly byKey = new Map<string, YEntry>();

  /** `suggested`: keys a "did you mean" already pointed to, so their absence is not news. */
  constructor(readonly node: YMap, readonly path: string, private readonly suggested: ReadonlySet<string> = new Set()) {
    for (const entry of node.entries) this.byKey.set(entry.key, entry);
  }

  /**
   * The value of a key that must be there. When it is missing, says so at the mapping,
   * unless a misspelling was already reported with this key as the suggestion: one
   * mistake, one line.
   */
  required(key: string, r: Reporter, note = ''): YNode | undefined {
    const node = this.present(key);
    if (node === undefined && !this.suggested.has(key)) r.error(this.node.pos, this.path, `missing required key "${key}"${note}`);
    return node;
  }

  get(key: string): YNode | undefined {
    return this.byKey.get(key)?.value;
  }

  /** The value unless it is absent or YAML null (`key:` with nothing after it). */
  present(key: string): YNode | undefined {
    const node = this.get(key);
    return node === undefined || (node.kind === 'scalar' && node.value === null) ? undefined : node;
  }

  keyPos(key: string): SourcePos {
    return this.byKey.get(key)?.keyPos ?? this.node.pos;
  }

  at(key: string): string {
    return child(this.path, key);
  }
}

/** Checks that `node` is a mapping whose keys fit `schema`, reporting every key that does not. */
export function readFields(node: YNode, path: string, r: Reporter, schema: KeySchema): Fields | undefined {
  if (node.kind !== 'map') {
    r.error(node.pos, path, `expected a mapping, got ${describe(node)}`);
    return undefined;
  }
  const ignored: string[] = [];
  const suggested = new Set<string>();
  const entries = node.entries.filter((entry) => {
    if (entry.key.startsWith('x-') || schema.known.includes(entry.key)) return !entry.key.startsWith('x-');
    if (schema.ignored?.includes(entry.key)) ignored.push(entry.key);
    else if (schema.refused?.[entry.key] !== undefined) r.error(entry.keyPos, child(path, entry.key), `not supported: ${schema.refused[entry.key]}`);
    else r.error(entry.keyPos, child(path, entry.key), unknownKeyMessage(entry.key, schema, suggested));
    return false;
  });
  if (ignored.length > 0) r.warn(node.pos, path, `ignoring unsupported options: ${ignored.join(', ')}`);
  return new Fields({ ...node, entries }, path, suggested);
}

/** The message for a key outside the schema; a "did you mean" target is added to `suggested`. */
function unknownKeyMessage(key: string, schema: KeySchema, suggested: Set<string>): string {
  const candidates = [...schema.known, ...(schema.ignored ?? []), ...Object.keys(schema.refused ?? {})];
  const match = closestMatch(key, candidates);
  if (match === undefined) return `unknown key "${key}", expected one of ${[...schema.known].sort().join(', ')}`;
  suggested.add(match);
  return `unknown key "${key}", did you mean "${match}"?`;
}
