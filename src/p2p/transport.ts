import { SwarmError } from '../core/errors.js';
import type { Versioned } from './message-codec.js';

/**
 * How the pure cores (membership, raft) reach other nodes: fire-and-forget messages to a
 * peer id, like UDP with authenticated senders. Implementations: Libp2pTransport (streams
 * between hosts) and MemoryTransport (in-process, for tests and simulation); both pass
 * `transportContract`.
 *
 * Guarantees: a delivered message was sent by `from` (authenticated) and passed `decode`;
 * messages from one sender to one receiver arrive in send order while the link holds.
 * Not guaranteed: delivery. A full per-peer queue, an unreachable peer, a message over the
 * size limit or a broken link drops messages, counted in `stats()`; the cores retry.
 */
export interface Transport<M extends Versioned> {
  /** This node's peer id: what receivers see as `from`. */
  readonly localId: string;
  /** Starts accepting messages. */
  start(): Promise<void>;
  /** Stops sending and receiving; queued messages are dropped. */
  stop(): Promise<void>;
  /** Queues `message` for `peerId` and returns at once. Never throws for a network problem. */
  send(peerId: string, message: M): void;
  /** Calls `handler` with each accepted message, in arrival order, until the returned function is called. */
  onMessage(handler: (from: string, message: M) => void): () => void;
  /** Counters since construction. */
  stats(): TransportStats;
}

/** Transport counters. */
export interface TransportStats {
  /** Messages handed to the link (written to a stream, or to the in-memory peer). */
  sent: number;
  /** Messages dropped on the sending side: queue full, too large, peer unknown or unreachable, stopped. */
  dropped: number;
  /** Messages accepted and delivered to handlers. */
  received: number;
  /** Messages refused on the receiving side: undecodable, wrong version, failed `decode`. */
  rejected: number;
}

/** One transport protocol's settings; the same for both implementations. */
export interface TransportConfig<M extends Versioned> {
  /** The libp2p protocol id, e.g. `/swarmts/membership/1`; in memory, the network's channel name. */
  protocol: string;
  /** The message version: a message whose `v` differs is rejected. */
  version: number;
  /** Checks a received message and returns it typed; throws MALFORMED_MESSAGE. */
  decode: (message: Versioned & Record<string, unknown>) => M;
  /** Messages waiting per destination peer; beyond it new ones are dropped. Default 256: a few seconds of raft traffic to a slow follower. */
  queueLengthMax: number;
  /** Largest message body, bytes. Default 1 MiB: raft entries are batched below it; snapshots go by stream RPC. */
  messageBytesMax: number;
  /** Milliseconds to open a stream to a peer before its queued messages are dropped. Default 5000. */
  connectTimeoutMs: number;
}

/** Defaults for everything but the protocol's identity. */
export function defaultTransportConfig<M extends Versioned>(
  required: Pick<TransportConfig<M>, 'protocol' | 'version' | 'decode'>,
): TransportConfig<M> {
  return { ...required, queueLengthMax: 256, messageBytesMax: 1024 * 1024, connectTimeoutMs: 5000 };
}

/** Every problem in `config`, each naming the field; empty when usable. */
export function validateTransportConfig<M extends Versioned>(config: TransportConfig<M>): string[] {
  const problems: string[] = [];
  if (!config.protocol.startsWith('/')) problems.push(`protocol: expected an id starting with "/", got ${JSON.stringify(config.protocol)}`);
  if (!Number.isInteger(config.version) || config.version < 0) problems.push(`version: expected a non-negative integer, got ${config.version}`);
  for (const field of ['queueLengthMax', 'messageBytesMax', 'connectTimeoutMs'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value <= 0) problems.push(`${field}: expected a positive integer, got ${value}`);
  }
  return problems;
}

/** Throws INVALID_CONFIG listing every problem at once. */
export function assertValidTransportConfig<M extends Versioned>(config: TransportConfig<M>): void {
  const problems = validateTransportConfig(config);
  if (problems.length > 0) {
    throw new SwarmError('INVALID_CONFIG', `invalid transport config for ${config.protocol}:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
}
