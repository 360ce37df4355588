import { SwarmError } from '../core/errors.js';
import { formatProblem, type StackProblem } from './reporter.js';
import { readYamlTree, type SourcePos, type YEntry, type YMap, type YNode, type YScalar, type YSeq } from './yaml-tree.js';

/**
 * Several stack files (`stack deploy -c base.yml -c prod.yml`) merged into one YAML text
 * the way `docker stack deploy` merges them: later files override earlier ones service by
 * service and key by key. Nested mappings merge; environment and labels merge by variable
 * or label name whatever form each file uses; ports merge by published port, volumes by
 * target, secrets and configs by source; command, entrypoint and healthcheck tests are
 * replaced; other lists are joined. Top-level networks, volumes, secrets and configs are
 * replaced by name. `origin()` maps a position in the merged text back to its file, so
 * problems found by parseStack still point at the line the user wrote.
 */

/** A position in one of the user's files. */
export interface FilePos extends SourcePos {
  file: string;
}

export interface StackFileText {
  fileName: string;
  text: string;
}

export interface MergedStackFiles {
  /** The YAML to give parseStack, under `fileName`. */
  text: string;
  fileName: string;
  /** The user's files, in the order given. */
  files: string[];
  /** Where a position in `text` came from. */
  origin(pos: SourcePos): FilePos;
}

/** The file name parseStack reports problems of merged text under, before `origin()` maps them. */
export const mergedFileName = '(merged stack files)';

const keyedLists: Record<string, (item: YNode) => string> = {
  ports: portKey,
  volumes: (item) => fieldOrShort(item, 'target', (text) => { const parts = text.split(':'); return parts[parts.length > 1 ? 1 : 0]!; }),
  secrets: (item) => fieldOrShort(item, 'source', (text) => text),
  configs: (item) => fieldOrShort(item, 'source', (text) => text),
};
const keyValueMaps = new Set(['environment', 'labels']);
const replacedLists = new Set(['command', 'entrypoint', 'test']);
const namedLists = new Set(['networks', 'depends_on']);
const replacedByName = new Set(['networks', 'volumes', 'secrets', 'configs']);

/** Merges `files` in order. One file is returned as it is. Throws STACK_INVALID listing every file's YAML problems. */
export function mergeStackFiles(files: StackFileText[]): MergedStackFiles {
  const names = files.map((f) => f.fileName);
  if (files.length === 1) return { text: files[0]!.text, fileName: names[0]!, files: names, origin: (pos) => ({ file: names[0]!, ...pos }) };
  const problems: StackProblem[] = [];
  const roots: YMap[] = [];
  for (const { fileName, text } of files) {
    const { root, problems: found } = readYamlTree(text);
    for (const p of found) problems.push({ file: fileName, line: p.pos.line, column: p.pos.column, path: '', message: p.message });
    if (found.length === 0 && root?.kind !== 'map') problems.push({ file: fileName, line: root?.pos.line ?? 1, column: root?.pos.column ?? 1, path: '', message: 'expected a mapping with a services key' });
    if (root?.kind === 'map') roots.push(tagFile(root, fileName) as YMap);
  }
  if (problems.length > 0) throw new SwarmError('STACK_INVALID', problems.map(formatProblem).join('\n'), { details: { problems, warnings: [] } });
  const merged = roots.reduce((base, over) => mergeMaps(base, over, mergeTopLevel));
  return { ...render(merged), files: names };
}

/** parseStack's problems with `merged.text`, pointed back at the user's files, in file then line order. */
export function relocateProblems(merged: MergedStackFiles, problems: StackProblem[]): StackProblem[] {
  const moved = problems.map((p) => (p.file === merged.fileName ? { ...p, ...merged.origin(p) } : p));
  const rank = (file: string) => (merged.files.includes(file) ? merged.files.indexOf(file) : -1); // .env first, as parseStack does
  return moved.sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.column - b.column);
}

/** A warning as parseStack formats it (`file:line:col path: message`), pointed back likewise. */
export function relocateWarning(merged: MergedStackFiles, warning: string): string {
  if (!warning.startsWith(`${merged.fileName}:`)) return warning;
  const match = /^:(\d+):(\d+)/.exec(warning.slice(merged.fileName.length));
  if (match === null) return warning;
  const pos = merged.origin({ line: Number(match[1]), column: Number(match[2]) });
  return `${pos.file}:${pos.line}:${pos.column}${warning.slice(merged.fileName.length + match[0].length)}`;
}

/** A copy of the tree whose positions also name the file. */
function tagFile(node: YNode, file: string): YNode {
  const pos: FilePos = { file, ...node.pos };
  if (node.kind === 'scalar') return { ...node, pos };
  if (node.kind === 'seq') return { ...node, pos, items: node.items.map((item) => tagFile(item, file)) };
  return { ...node, pos, entries: node.entries.map((e) => ({ key: e.key, keyPos: { file, ...e.keyPos } as FilePos, value: tagFile(e.value, file) })) };
}

type MergeEntry = (key: string, base: YNode, over: YNode) => YNode;

/** Base's keys in their order, overridden or merged by `over`'s, then `over`'s new keys. */
function mergeMaps(base: YMap, over: YMap, mergeEntry: MergeEntry): YMap {
  const entries: YEntry[] = base.entries.map((e) => {
    const o = over.entries.find((x) => x.key === e.key);
    return o === undefined ? e : { ...o, value: mergeEntry(e.key, e.value, o.value) };
  });
  for (const o of over.entries) if (!base.entries.some((e) => e.key === o.key)) entries.push(o);
  return { ...base, entries };
}

function mergeTopLevel(key: string, base: YNode, over: YNode): YNode {
  if (key === 'services' && base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, (_name, a, b) => mergeNode('', a, b));
  if (replacedByName.has(key) && base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, (_name, _a, b) => b);
  return over;
}

/** How one key of a service (or of a mapping inside one) merges. */
function mergeNode(key: string, base: YNode, over: YNode): YNode {
  if (key in keyedLists && base.kind === 'seq' && over.kind === 'seq') return mergeKeyedList(base, over, keyedLists[key]!);
  if (keyValueMaps.has(key)) return mergeNode('', asMap(base), asMap(over));
  if (namedLists.has(key) && base.kind !== over.kind) return mergeNode('', asMap(base), asMap(over));
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, mergeNode);
  if (base.kind === 'seq' && over.kind === 'seq' && !replacedLists.has(key)) {
    const seen = new Set(base.items.map(plainKey));
    return { ...base, items: [...base.items, ...over.items.filter((item) => !seen.has(plainKey(item)))] };
  }
  return over;
}

function mergeKeyedList(base: YSeq, over: YSeq, keyOf: (item: YNode) => string): YNode {
  const overKeys = new Set(over.items.map(keyOf));
  return { ...base, items: [...base.items.filter((item) => !overKeys.has(keyOf(item))), ...over.items] };
}

/** `["A=1", "B"]` as `{A: "1", B: null}`, so list and mapping forms merge by name. */
function asMap(node: YNode): YNode {
  if (node.kind !== 'seq' || !node.items.every((item) => item.kind === 'scalar')) return node;
  const entries = (node.items as YScalar[]).map((item): YEntry => {
    const text = String(item.value ?? '');
    const eq = text.indexOf('=');
    const value: YScalar = eq < 0 ? { kind: 'scalar', value: null, pos: item.pos } : { kind: 'scalar', value: text.slice(eq + 1), pos: { ...item.pos, column: item.pos.column + eq + 1 } };
    return { key: eq < 0 ? text : text.slice(0, eq), keyPos: item.pos, value };
  });
  return { kind: 'map', entries, pos: node.pos };
}

function plainKey(node: YNode): string {
  return JSON.stringify(node, (k, v) => (k === 'pos' || k === 'keyPos' ? undefined : v));
}

function fieldOrShort(item: YNode, field: string, fromText: (text: string) => string): string {
  if (item.kind === 'scalar') return fromText(String(item.value));
  const found = item.kind === 'map' ? item.entries.find((e) => e.key === field)?.value : undefined;
  return found?.kind === 'scalar' ? String(found.value) : plainKey(item);
}

/** Docker merges ports by published port; `"80"` publishes none, so it keys on itself. */
function portKey(item: YNode): string {
  return fieldOrShort(item, 'published', (text) => {
    const parts = text.replace(/\/\w+$/, '').split(':');
    return parts.length > 1 ? parts[parts.length - 2]! : `unpublished ${text}`;
  });
}

/**
 * Block YAML with every key, scalar and list item on its own line, every string quoted,
 * and a record of which file position each rendered position came from.
 */
function render(root: YMap): Omit<MergedStackFiles, 'files'> {
  const lines: string[] = [];
  const origins = new Map<string, FilePos>();
  const mark = (column: number, pos: SourcePos) => origins.set(`${lines.length + 1}:${column}`, pos as FilePos);
  const emit = (node: YNode, indent: number): void => {
    const pad = ' '.repeat(indent);
    const items: Array<{ head: string; keyPos: SourcePos; value: YNode }> = node.kind === 'map'
      ? node.entries.map((e) => ({ head: `${JSON.stringify(e.key)}:`, keyPos: e.keyPos, value: e.value }))
      : node.kind === 'seq' ? node.items.map((item) => ({ head: '-', keyPos: item.pos, value: item })) : [];
    for (const { head, keyPos, value } of items) {
      mark(indent + 1, keyPos);
      if (isInline(value)) {
        mark(indent + head.length + 2, value.pos);
        lines.push(`${pad}${head} ${inlineText(value)}`);
      } else {
        lines.push(`${pad}${head}`);
        emit(value, indent + 2);
      }
    }
  };
  emit(root, 0);
  const first = root.pos as FilePos;
  return {
    text: lines.join('\n') + '\n',
    fileName: mergedFileName,
    origin: (pos) => origins.get(`${pos.line}:${pos.column}`) ?? [...origins.entries()].find(([k]) => k.startsWith(`${pos.line}:`))?.[1] ?? first,
  };
}

function isInline(node: YNode): boolean {
  return node.kind === 'scalar' || (node.kind === 'map' ? node.entries.length === 0 : node.items.length === 0);
}

function inlineText(node: YNode): string {
  if (node.kind === 'map') return '{}';
  if (node.kind === 'seq') return '[]';
  const v = node.value;
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
