import { SwarmError } from '../core/errors.js';
import type { ConfState, Entry, Message, Snapshot } from './types.js';

/**
 * Checks a decoded wire value before it reaches RaftNode.step(): every field of its
 * variant present with the right type, so a peer's bug or a hostile frame can never
 * crash the node. Returns the value typed as a Message; throws MALFORMED_MESSAGE naming
 * the first bad field otherwise.
 */
export function validateMessage(value: unknown): Message {
  const m = record(value, 'message');
  for (const key of ['from', 'to'] as const) nonEmptyString(m[key], key);
  index(m['term'], 'term');
  switch (m['type']) {
    case 'append':
      index(m['index'], 'index');
      index(m['logTerm'], 'logTerm');
      index(m['commit'], 'commit');
      entries(m['entries']);
      break;
    case 'appendResponse':
      index(m['index'], 'index');
      boolean(m['reject'], 'reject');
      index(m['rejectHint'], 'rejectHint');
      index(m['logTerm'], 'logTerm');
      break;
    case 'vote':
    case 'preVote':
      index(m['lastLogIndex'], 'lastLogIndex');
      index(m['lastLogTerm'], 'lastLogTerm');
      boolean(m['transfer'], 'transfer');
      break;
    case 'voteResponse':
    case 'preVoteResponse':
      boolean(m['reject'], 'reject');
      break;
    case 'heartbeat':
      index(m['commit'], 'commit');
      optionalBytes(m['context'], 'context');
      break;
    case 'heartbeatResponse':
      optionalBytes(m['context'], 'context');
      break;
    case 'snapshot':
      snapshot(m['snapshot']);
      break;
    case 'timeoutNow':
      break;
    case 'readIndex':
      bytes(m['context'], 'context');
      break;
    case 'readIndexResponse':
      index(m['index'], 'index');
      bytes(m['context'], 'context');
      break;
    default:
      throw malformed('type', m['type']);
  }
  return value as Message;
}

function malformed(field: string, got: unknown, expected?: string): SwarmError {
  const shown = got instanceof Uint8Array ? `${got.length} bytes` : JSON.stringify(got) ?? String(got);
  return new SwarmError('MALFORMED_MESSAGE', `raft message ${field}: ${expected === undefined ? 'unknown value' : `expected ${expected}`}, got ${shown}`);
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw malformed(field, v, 'an object');
  return v as Record<string, unknown>;
}

function nonEmptyString(v: unknown, field: string): void {
  if (typeof v !== 'string' || v === '') throw malformed(field, v, 'a non-empty string');
}

function index(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw malformed(field, v, 'a non-negative integer');
}

function boolean(v: unknown, field: string): void {
  if (typeof v !== 'boolean') throw malformed(field, v, 'a boolean');
}

function bytes(v: unknown, field: string): void {
  if (!(v instanceof Uint8Array)) throw malformed(field, v, 'bytes');
}

function optionalBytes(v: unknown, field: string): void {
  if (v !== undefined) bytes(v, field);
}

function entries(v: unknown): void {
  if (!Array.isArray(v)) throw malformed('entries', v, 'an array');
  v.forEach((item: unknown, i) => {
    const e = record(item, `entries[${i}]`) as Partial<Record<keyof Entry, unknown>>;
    index(e.index, `entries[${i}].index`);
    index(e.term, `entries[${i}].term`);
    if (e.type !== 'normal' && e.type !== 'confChange') throw malformed(`entries[${i}].type`, e.type, 'normal or confChange');
    bytes(e.data, `entries[${i}].data`);
  });
}

function snapshot(v: unknown): void {
  const s = record(v, 'snapshot') as Partial<Record<keyof Snapshot, unknown>>;
  const meta = record(s.meta, 'snapshot.meta');
  index(meta['index'], 'snapshot.meta.index');
  index(meta['term'], 'snapshot.meta.term');
  const cs = record(meta['confState'], 'snapshot.meta.confState') as Partial<Record<keyof ConfState, unknown>>;
  for (const key of ['voters', 'learners'] as const) {
    const ids = cs[key];
    if (!Array.isArray(ids)) throw malformed(`snapshot.meta.confState.${key}`, ids, 'an array');
    ids.forEach((id: unknown, i) => nonEmptyString(id, `snapshot.meta.confState.${key}[${i}]`));
  }
  bytes(s.data, 'snapshot.data');
}
