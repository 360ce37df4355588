import { SwarmError } from '../core/errors.js';
import type { ConfChange, ConfState, NodeId } from './types.js';

/**
 * Membership changes, one server at a time (Raft thesis 4.1): each change moves the
 * quorum by one voter, so the old and new majorities always overlap and no joint
 * configuration is needed. A change takes effect when its entry is applied.
 */

const changeTypes = new Set<ConfChange['type']>(['addVoter', 'removeNode', 'addLearner', 'promoteLearner']);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The payload of a confChange entry: JSON, so logs and WAL dumps stay readable. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify({ type: change.type, node: change.node }));
}

/** Decodes a confChange entry's payload; MALFORMED_MESSAGE when it is not one. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new SwarmError('MALFORMED_MESSAGE', 'conf change entry is not JSON', { cause: err });
  }
  const v = value as { type?: unknown; node?: unknown } | null;
  if (v === null || typeof v !== 'object' || !changeTypes.has(v.type as ConfChange['type']) || typeof v.node !== 'string' || v.node === '') {
    throw new SwarmError('MALFORMED_MESSAGE', `conf change entry: expected {type: addVoter|removeNode|addLearner|promoteLearner, node: non-empty string}, got ${JSON.stringify(value)}`);
  }
  return { type: v.type as ConfChange['type'], node: v.node };
}

/**
 * Why `change` cannot be proposed against `cs`, or undefined when it can. Changes that
 * would make no difference are allowed (they apply as no-ops).
 */
export function confChangeProblem(cs: ConfState, change: ConfChange): string | undefined {
  const isVoter = cs.voters.includes(change.node);
  const isLearner = cs.learners.includes(change.node);
  switch (change.type) {
    case 'addVoter':
      return undefined;
    case 'addLearner':
      return isVoter ? `${change.node} is a voter; demoting a voter to a learner is not supported` : undefined;
    case 'promoteLearner':
      return isLearner || isVoter ? undefined : `${change.node} is not a learner; add it with addLearner first`;
    case 'removeNode':
      return isVoter && cs.voters.length === 1 ? `${change.node} is the last voter` : undefined;
  }
}

/**
 * The membership after `change`, as every node computes it when applying the entry.
 * Applying never fails: a change that no longer makes sense is a no-op, so all nodes agree.
 */
export function applyToConfState(cs: ConfState, change: ConfChange): ConfState {
  const node = change.node;
  const without = (ids: NodeId[]) => ids.filter((id) => id !== node);
  const isVoter = cs.voters.includes(node);
  const isLearner = cs.learners.includes(node);
  switch (change.type) {
    case 'addVoter':
    case 'promoteLearner':
      if (isVoter) return clone(cs);
      if (change.type === 'promoteLearner' && !isLearner) return clone(cs);
      return { voters: [...cs.voters, node], learners: without(cs.learners) };
    case 'addLearner':
      if (isVoter || isLearner) return clone(cs);
      return { voters: [...cs.voters], learners: [...cs.learners, node] };
    case 'removeNode':
      if (isVoter && cs.voters.length === 1) return clone(cs);
      return { voters: without(cs.voters), learners: without(cs.learners) };
  }
}

function clone(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
