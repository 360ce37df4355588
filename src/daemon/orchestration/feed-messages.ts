import type { TaskStatusReport } from '../../cluster/records.js';
import { SwarmError } from '../../core/errors.js';
import { taskStates } from '../../spec/task.js';

/**
 * Messages that carry the committed cluster state to nodes outside raft, and agents'
 * task reports to the leader. Every decoder checks the shape and throws MALFORMED_MESSAGE
 * naming what is wrong.
 */

export const stateTopic = '/swarmts/state/1';
export const reportsTopic = '/swarmts/task-status/1';
export const statePullProtocol = '/swarmts/state-pull/1';
export const clusterWriteProtocol = '/swarmts/cluster-write/1';
export const feedVersion = 1;

/** The leader's gossip: each committed command, and a heartbeat with the newest sequence number. */
export type StateGossip =
  | { v: 1; kind: 'command'; seq: number; bytes: Uint8Array; leader: string; term: number }
  | { v: 1; kind: 'head'; seq: number; leader: string; term: number };

/** An agent's reports, gossiped until the committed state shows them. */
export interface ReportsGossip {
  v: 1;
  reports: TaskStatusReport[];
}

export interface PullRequest {
  after: number;
}

/** The commands after the asked sequence number, or a snapshot when they are no longer kept. */
export type PullResponse = { seq: number; commands: Array<{ seq: number; bytes: Uint8Array }> } | { seq: number; snapshot: Uint8Array };

export interface WriteRequest {
  bytes: Uint8Array;
}

export interface WriteResponse {
  seq: number;
  result: unknown;
}

function fail(where: string, what: string): never {
  throw new SwarmError('MALFORMED_MESSAGE', `${where}: ${what}`);
}

const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= 4096;

export function decodeStateGossip(value: Record<string, unknown>): StateGossip {
  const where = stateTopic;
  if (!isSeq(value['seq'])) fail(where, 'seq: expected a whole number >= 0');
  if (!isText(value['leader'])) fail(where, 'leader: expected a peer id');
  if (!isSeq(value['term'])) fail(where, 'term: expected a whole number >= 0');
  if (value['kind'] === 'head') return value as unknown as StateGossip;
  if (value['kind'] !== 'command') fail(where, `kind: expected command or head, got ${JSON.stringify(value['kind'])}`);
  if (!(value['bytes'] instanceof Uint8Array)) fail(where, 'bytes: expected binary');
  return value as unknown as StateGossip;
}

export function decodeReportsGossip(value: Record<string, unknown>): ReportsGossip {
  const where = reportsTopic;
  const reports = value['reports'];
  if (!Array.isArray(reports) || reports.length > 10_000) fail(where, 'reports: expected a list of at most 10000');
  reports.forEach((report: Record<string, unknown> | null, i) => {
    if (typeof report !== 'object' || report === null) fail(where, `reports[${i}]: expected a map`);
    if (!isText(report['taskId'])) fail(where, `reports[${i}].taskId: expected a string`);
    if (!taskStates.includes(report['state'] as never)) fail(where, `reports[${i}].state: expected one of ${taskStates.join(', ')}`);
    if (typeof report['error'] !== 'string') fail(where, `reports[${i}].error: expected a string`);
    if (typeof report['atMs'] !== 'number') fail(where, `reports[${i}].atMs: expected a number`);
    if (report['containerId'] !== undefined && !isText(report['containerId'])) fail(where, `reports[${i}].containerId: expected a string`);
    if (report['exitCode'] !== undefined && typeof report['exitCode'] !== 'number') fail(where, `reports[${i}].exitCode: expected a number`);
    if (report['health'] !== undefined && !['starting', 'healthy', 'unhealthy'].includes(report['health'] as string)) fail(where, `reports[${i}].health: expected starting, healthy or unhealthy`);
  });
  return value as unknown as ReportsGossip;
}

export function decodePullRequest(body: unknown): PullRequest {
  const after = (body as { after?: unknown } | null)?.after;
  if (!isSeq(after)) fail(statePullProtocol, 'after: expected a whole number >= 0');
  return { after };
}

export function decodePullResponse(body: unknown): PullResponse {
  const value = body as { seq?: unknown; commands?: unknown; snapshot?: unknown } | null;
  if (!isSeq(value?.seq)) fail(statePullProtocol, 'seq: expected a whole number >= 0');
  if (value.snapshot instanceof Uint8Array) return { seq: value.seq, snapshot: value.snapshot };
  if (!Array.isArray(value.commands)) fail(statePullProtocol, 'expected commands or a snapshot');
  for (const command of value.commands as Array<{ seq?: unknown; bytes?: unknown }>) {
    if (!isSeq(command?.seq) || !(command.bytes instanceof Uint8Array)) fail(statePullProtocol, 'commands: expected {seq, bytes} items');
  }
  return value as PullResponse;
}

export function decodeWriteRequest(body: unknown): WriteRequest {
  const bytes = (body as { bytes?: unknown } | null)?.bytes;
  if (!(bytes instanceof Uint8Array)) fail(clusterWriteProtocol, 'bytes: expected binary');
  return { bytes };
}

export function decodeWriteResponse(body: unknown): WriteResponse {
  const value = body as { seq?: unknown; result?: unknown } | null;
  if (!isSeq(value?.seq) || typeof value.result !== 'object' || value.result === null) fail(clusterWriteProtocol, 'expected {seq, result}');
  return { seq: value.seq, result: value.result };
}
