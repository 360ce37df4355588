import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';

/**
 * The YAML of a stack file as a small tree where every node knows its line and column.
 * Aliases are expanded into copies and `<<` merge keys applied here, so the validators
 * see plain mappings, lists and scalars, and report positions in the file.
 */

/** 1-based line and column in the source text. */
export interface SourcePos {
  line: number;
  column: number;
}

export interface YScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  pos: SourcePos;
}

export interface YEntry {
  key: string;
  keyPos: SourcePos;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  entries: YEntry[];
  pos: SourcePos;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  pos: SourcePos;
}

export type YNode = YScalar | YMap | YSeq;

/** A syntax problem found while reading the YAML. */
export interface YamlProblem {
  pos: SourcePos;
  message: string;
}

/**
 * Bounds the tree after alias expansion, so a file of nested aliases ("billion laughs")
 * fails fast instead of exhausting memory. Real stack files stay in the thousands.
 */
export const expandedNodesMax = 100_000;

const mergeKey = '<<';

/** Parses `text`; `root` is undefined when the file holds no document. */
export function readYamlTree(text: string): { root: YNode | undefined; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: false, prettyErrors: false });
  const problems: YamlProblem[] = doc.errors.map((err) => {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    return { pos: { line: Math.max(line, 1), column: col }, message: `invalid YAML: ${err.message.split('\n')[0]}` };
  });
  if (problems.length > 0 || doc.contents === null) return { root: undefined, problems };
  const builder = new TreeBuilder(doc, lineCounter, problems);
  return { root: builder.build(doc.contents as Node, { line: 1, column: 1 }), problems };
}

class TreeBuilder {
  private count = 0;
  private readonly expanding = new Set<Node>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly problems: YamlProblem[],
  ) {}

  private posOf(node: Node | null | undefined, fallback: SourcePos): SourcePos {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  build(node: Node | null, fallback: SourcePos): YNode {
    const pos = this.posOf(node, fallback);
    // Past the limit, one problem is reported and the rest of the tree is cut off silently.
    if (this.count > expandedNodesMax) return { kind: 'scalar', value: null, pos };
    if (++this.count > expandedNodesMax) return this.fail(pos, `the file expands to more than ${expandedNodesMax} nodes through aliases`);
    if (node === null) return { kind: 'scalar', value: null, pos };
    if (isAlias(node)) return this.alias(node, pos);
    if (isScalar(node)) return { kind: 'scalar', value: scalarValue(node.value), pos };
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((item) => this.build(item as Node, pos)), pos };
    if (isMap(node)) return this.map(node.items, pos);
    return this.fail(pos, 'unsupported YAML node');
  }

  private alias(node: Node & { resolve(doc: Document): Node | undefined; source: string }, pos: SourcePos): YNode {
    const target = node.resolve(this.doc);
    if (target === undefined) return this.fail(pos, `unknown alias *${node.source}`);
    if (this.expanding.has(target)) return this.fail(pos, `alias *${node.source} refers to itself`);
    this.expanding.add(target);
    const built = this.build(target, pos);
    this.expanding.delete(target);
    return built;
  }

  private map(pairs: Array<{ key: unknown; value: unknown }>, pos: SourcePos): YMap {
    const entries: YEntry[] = [];
    const merged: YEntry[] = [];
    for (const pair of pairs) {
      const keyNode = pair.key as Node | null;
      const keyPos = this.posOf(keyNode, pos);
      if (keyNode !== null && !isScalar(keyNode)) {
        this.problems.push({ pos: keyPos, message: 'mapping keys must be plain scalars' });
        continue;
      }
      const key = keyNode === null ? '' : String(keyNode.value);
      const value = this.build(pair.value as Node | null, keyPos);
      // Only a plain << merges; a quoted "<<" is an ordinary key, as YAML 1.1's merge type says.
      if (key === mergeKey && keyNode !== null && keyNode.type === Scalar.PLAIN) merged.push(...this.mergeSources(value));
      else entries.push({ key, keyPos, value });
    }
    for (const entry of merged) if (!entries.some((e) => e.key === entry.key)) entries.push(entry);
    return { kind: 'map', entries, pos };
  }

  /** Entries a `<<` key brings in; with a list of mappings, earlier ones win. */
  private mergeSources(value: YNode): YEntry[] {
    const sources = value.kind === 'seq' ? value.items : [value];
    const out: YEntry[] = [];
    for (const source of sources) {
      if (source.kind !== 'map') {
        this.problems.push({ pos: source.pos, message: 'a << merge key expects a mapping or a list of mappings (usually aliases like *defaults)' });
        continue;
      }
      for (const entry of source.entries) if (!out.some((e) => e.key === entry.key)) out.push(entry);
    }
    return out;
  }

  private fail(pos: SourcePos, message: string): YScalar {
    this.problems.push({ pos, message });
    return { kind: 'scalar', value: null, pos };
  }
}

function scalarValue(value: unknown): YScalar['value'] {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
