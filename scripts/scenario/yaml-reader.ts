/**
 * Reading a parsed YAML document with positions: every check that fails adds one problem
 * `file:line:col path: what was expected, got what was found` and reading goes on, so a
 * file's every problem is reported at once.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { parseDurationMs } from './duration.js';

/** The problems found in one file, in the order found. */
export class Problems {
  readonly list: string[] = [];

  constructor(readonly file: string, private readonly lines: LineCounter) {}

  /** `file:line:col` of a node (of the file's start without one). */
  where(node: Node | null | undefined): string {
    const { line, col } = node?.range ? this.lines.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${this.file}:${line}:${col}`;
  }

  add(node: Node | null | undefined, path: string, message: string): void {
    this.list.push(`${this.where(node)} ${path}: ${message}`);
  }
}

/** How a value is named in a message: a scalar as JSON, anything else by its kind. */
export function found(node: Node | null | undefined): string {
  if (node == null || (isScalar(node) && node.value == null)) return 'nothing';
  if (isScalar(node)) return JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return 'an alias';
}

export interface Entry {
  key: string;
  keyNode: Node;
  value: Node | null;
}

/** The entries of a mapping with string keys (other keys are problems). */
export function entries(map: YAMLMap, path: string, problems: Problems): Entry[] {
  const out: Entry[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      problems.add(keyNode, path, `expected a name as key, got ${found(keyNode)}`);
      continue;
    }
    out.push({ key: keyNode.value, keyNode, value: (pair.value as Node | null) ?? null });
  }
  return out;
}

/** Adds a problem for every key not in `allowed`, with the closest allowed one as a hint. */
export function checkKeys(list: Entry[], allowed: readonly string[], path: string, problems: Problems, hint: (key: string) => string = () => ''): void {
  for (const { key, keyNode } of list) {
    if (allowed.includes(key)) continue;
    const near = closest(key, allowed);
    const extra = hint(key) || (near ? ` (did you mean "${near}"?)` : '');
    problems.add(keyNode, join(path, key), `unknown key; allowed: ${allowed.join(', ')}${extra}`);
  }
}

export function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** The allowed word within two edits of `word`, if any. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Typed readers: each returns undefined after adding a problem. */
export function readString(node: Node | null, path: string, problems: Problems): string | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
  problems.add(node, path, `expected a non-empty string, got ${found(node)}`);
  return undefined;
}

export function readInt(node: Node | null, path: string, min: number, max: number, problems: Problems): number | undefined {
  if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= min && node.value <= max) return node.value;
  problems.add(node, path, `expected an integer from ${min} to ${max}, got ${found(node)}`);
  return undefined;
}

export function readBool(node: Node | null, path: string, problems: Problems): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  problems.add(node, path, `expected true or false, got ${found(node)}`);
  return undefined;
}

export function readDurationMs(node: Node | null, path: string, problems: Problems): number | undefined {
  const ms = isScalar(node) && typeof node.value === 'string' ? parseDurationMs(node.value) : undefined;
  if (ms !== undefined) return ms;
  problems.add(node, path, `expected a duration such as 500ms, 30s or 2m, got ${found(node)}`);
  return undefined;
}

export function readEnum<T extends string>(node: Node | null, path: string, allowed: readonly T[], problems: Problems): T | undefined {
  if (isScalar(node) && allowed.includes(node.value as T)) return node.value as T;
  const near = isScalar(node) && typeof node.value === 'string' ? closest(node.value, allowed) : undefined;
  problems.add(node, path, `expected one of ${allowed.join(', ')}, got ${found(node)}${near ? ` (did you mean "${near}"?)` : ''}`);
  return undefined;
}

/** The map's entries, or a problem when `node` is not a mapping. */
export function readMap(node: Node | null, path: string, problems: Problems): Entry[] | undefined {
  if (isMap(node)) return entries(node, path, problems);
  problems.add(node, path, `expected a mapping, got ${found(node)}`);
  return undefined;
}

/** A list's items, or a problem when `node` is not a list. */
export function readList(node: Node | null, path: string, problems: Problems): Array<Node | null> | undefined {
  if (isSeq(node)) return node.items as Array<Node | null>;
  problems.add(node, path, `expected a list, got ${found(node)}`);
  return undefined;
}
