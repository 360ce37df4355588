import type { PlacementConstraint, PlacementPreference, PlacementSpec } from './service-spec.js';
import { fixedPlacementKeys, isLabelKey } from './placement-match.js';
import { child, describe, readFields, readInt, readString } from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/** `deploy.placement`: constraints, spread preferences and max_replicas_per_node. */

const keyList = `${fixedPlacementKeys.join(', ')} or node.labels.<name>`;
const roles = ['manager', 'worker'];

/** Why `key` is not a node attribute we can place on, or undefined when it is. */
export function placementKeyError(key: string): string | undefined {
  if (fixedPlacementKeys.includes(key) || isLabelKey(key)) return undefined;
  // Docker engine labels have no swarmts counterpart; node labels play their part.
  if (key.startsWith('engine.labels.')) return `engine labels are not supported; label the node and use node.labels.${key.slice('engine.labels.'.length)} instead, got "${key}"`;
  return `expected ${keyList}, got "${key}"`;
}

/** Parses "node.role == manager" style text; Error messages say what is wrong. */
export function parseConstraint(text: string): PlacementConstraint {
  const match = /^\s*([^\s=!]+)\s*(==|!=)\s*(\S(?:.*\S)?)\s*$/.exec(text);
  if (!match) throw new Error(`expected a constraint like "node.role == manager" or "node.labels.zone != east", got "${text}"`);
  const [, key = '', op, value = ''] = match;
  const keyProblem = placementKeyError(key);
  if (keyProblem !== undefined) throw new Error(keyProblem.replace(/got ".*"$/, `got "${text}"`));
  if (key === 'node.role' && !roles.includes(value)) throw new Error(`expected node.role to be compared with manager or worker, got "${text}"`);
  return { key, op: op as '==' | '!=', value };
}

/** Reads `deploy.placement`. */
export function readPlacement(node: YNode, path: string, r: Reporter): PlacementSpec {
  const placement: PlacementSpec = { constraints: [], preferences: [] };
  const fields = readFields(node, path, r, { known: ['constraints', 'preferences', 'max_replicas_per_node'] });
  if (fields === undefined) return placement;
  const constraints = fields.present('constraints');
  if (constraints !== undefined && constraints.kind !== 'seq') r.error(constraints.pos, fields.at('constraints'), `expected a list of constraints, got ${describe(constraints)}`);
  if (constraints?.kind === 'seq') {
    constraints.items.forEach((item, i) => {
      const text = readString(item, child(fields.at('constraints'), i), r);
      if (text === undefined) return;
      try {
        placement.constraints.push(parseConstraint(text));
      } catch (err) {
        r.error(item.pos, child(fields.at('constraints'), i), (err as Error).message);
      }
    });
  }
  const preferences = fields.present('preferences');
  if (preferences !== undefined && preferences.kind !== 'seq') r.error(preferences.pos, fields.at('preferences'), `expected a list like [{ spread: node.labels.zone }], got ${describe(preferences)}`);
  if (preferences?.kind === 'seq') {
    preferences.items.forEach((item, i) => {
      const preference = readPreference(item, child(fields.at('preferences'), i), r);
      if (preference !== undefined) placement.preferences.push(preference);
    });
  }
  const maxNode = fields.present('max_replicas_per_node');
  const max = maxNode && readInt(maxNode, fields.at('max_replicas_per_node'), r);
  if (max !== undefined && max > 0) placement.maxReplicasPerNode = max;
  return placement;
}

function readPreference(node: YNode, path: string, r: Reporter): PlacementPreference | undefined {
  const fields = readFields(node, path, r, { known: ['spread'] });
  const spreadNode = fields?.required('spread', r);
  if (fields === undefined || spreadNode === undefined) return undefined;
  const spread = readString(spreadNode, fields.at('spread'), r);
  const problem = spread === undefined ? undefined : placementKeyError(spread);
  if (problem !== undefined) r.error(spreadNode.pos, fields.at('spread'), problem);
  return spread === undefined || problem !== undefined ? undefined : { spread };
}
