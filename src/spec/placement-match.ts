import type { NodeInfo } from './node-info.js';
import type { PlacementConstraint } from './service-spec.js';

/**
 * How placement keys read a node, shared by constraint checks and spread preferences, so
 * the parser's list of keys (parse-placement.ts) and the scheduler never disagree.
 */

const labelPrefix = 'node.labels.';

const fixedAttributes: Readonly<Record<string, (node: NodeInfo) => string>> = {
  'node.id': (node) => node.id,
  'node.hostname': (node) => node.hostname,
  'node.role': (node) => node.role,
  'node.platform.os': (node) => node.platform.os,
  'node.platform.arch': (node) => node.platform.arch,
};

/** The placement keys besides node.labels.<name>. */
export const fixedPlacementKeys = Object.keys(fixedAttributes);

/** Whether `key` is node.labels.<name>. */
export function isLabelKey(key: string): boolean {
  return key.startsWith(labelPrefix) && /^[^\s]+$/.test(key.slice(labelPrefix.length));
}

/**
 * The node's value for a placement key such as node.role or node.labels.zone. A label the
 * node does not have reads as '' (swarmkit's rule: `!=` holds, `==` fails, and spread puts
 * such nodes in a group of their own). Keys the parser refuses read as undefined.
 */
export function nodeAttribute(node: NodeInfo, key: string): string | undefined {
  if (isLabelKey(key)) return node.labels[key.slice(labelPrefix.length)] ?? '';
  return fixedAttributes[key]?.(node);
}

/** Whether `node` satisfies one constraint; values compare case-insensitively, as in swarmkit. */
export function matchesConstraint(node: NodeInfo, constraint: PlacementConstraint): boolean {
  const actual = nodeAttribute(node, constraint.key);
  const equal = actual !== undefined && actual.toLowerCase() === constraint.value.toLowerCase();
  return constraint.op === '==' ? equal : !equal;
}

/** Whether `node` satisfies every constraint (an empty list always holds). */
export function matchesConstraints(node: NodeInfo, constraints: readonly PlacementConstraint[]): boolean {
  return constraints.every((constraint) => matchesConstraint(node, constraint));
}
