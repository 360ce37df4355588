import { interpolate, type VariableLookup } from './interpolate.js';
import { child } from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/**
 * Interpolates every string value of the tree (keys are left alone, as in compose), and
 * skips `x-` extension keys, which may hold fragments that only make sense once used.
 * Unset variables become '' with a warning, like compose's "variable is not set".
 */
export function interpolateTree(node: YNode, path: string, lookup: VariableLookup, r: Reporter): YNode {
  if (node.kind === 'seq') return { ...node, items: node.items.map((item, i) => interpolateTree(item, child(path, i), lookup, r)) };
  if (node.kind === 'map') {
    return {
      ...node,
      entries: node.entries.map((entry) => (entry.key.startsWith('x-') ? entry : { ...entry, value: interpolateTree(entry.value, child(path, entry.key), lookup, r) })),
    };
  }
  if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
  try {
    const { value, unset } = interpolate(node.value, lookup);
    for (const name of unset) r.warn(node.pos, path, `the ${name} variable is not set, defaulting to a blank string`);
    return { ...node, value };
  } catch (err) {
    r.fatal(node.pos, path, (err as Error).message);
    return node;
  }
}
