import type { ClusterCommand } from '../../cluster/commands.js';
import { SwarmError } from '../../core/errors.js';
import { decodeBody, encodeFrame } from '../../core/framing.js';

/** Raft log entries and gossip carry cluster commands as msgpack bodies. */

const frameHeaderBytes = 4;
const commandTypes: ReadonlySet<string> = new Set<ClusterCommand['type']>([
  'deploy-stack', 'remove-stack', 'scale-service', 'update-service', 'rollback-service', 'update-node', 'set-node-role', 'remove-node', 'orchestrate', 'task-status',
]);

export function encodeCommand(command: ClusterCommand, bytesMax: number): Uint8Array {
  return encodeFrame(command, bytesMax + frameHeaderBytes).subarray(frameHeaderBytes);
}

/** MALFORMED_MESSAGE unless the bytes are a map with a known command type. */
export function decodeCommand(bytes: Uint8Array): ClusterCommand {
  const value = decodeBody(bytes) as { type?: unknown } | null;
  if (typeof value !== 'object' || value === null || typeof value.type !== 'string' || !commandTypes.has(value.type)) {
    throw new SwarmError('MALFORMED_MESSAGE', `cluster command: expected a map with a known "type", got ${JSON.stringify(value?.type ?? value)}`);
  }
  return value as ClusterCommand;
}
