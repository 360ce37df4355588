import { SwarmError } from '../core/errors.js';
import { pskBytes } from './psk.js';

/** Gossipsub tuning. The defaults are sized for clusters of 2 to about 20 nodes. */
export interface GossipTuning {
  /**
   * Target mesh degree D. Default 3: gossipsub's 6 assumes large networks; with 2-3 nodes
   * a high D only means the mesh is always "undersubscribed" and grafting churns.
   */
  meshDegree: number;
  /** Mesh low watermark Dlo: below it the heartbeat grafts. Default 2. */
  meshDegreeLow: number;
  /** Mesh high watermark Dhi: above it the heartbeat prunes. Default 4: a small cluster never needs more. */
  meshDegreeHigh: number;
  /**
   * Gossipsub heartbeat period, milliseconds. Default 1000 (gossipsub's): we flood-publish,
   * so a message reaches every subscriber whether or not the mesh has formed, and each
   * heartbeat costs every node scoring and mesh upkeep for every peer.
   */
  heartbeatIntervalMs: number;
  /**
   * Peers outside the mesh told of recent messages (IHAVE) at each heartbeat, Dlazy. Default 1
   * (gossipsub: 6): with flood publishing in a small, fully connected cluster nearly everyone
   * already has the message, and IHAVE to 6 peers every heartbeat was most of the gossip
   * traffic while nodes joined. One keeps a repair path for a lost flood.
   */
  lazyDegree: number;
  /**
   * Smallest message, bytes, for which a receiver tells its mesh peers IDONTWANT. Default
   * 16384 (gossipsub: 512): membership messages are a few hundred bytes, for which the
   * extra control message per mesh peer costs more than the duplicate it saves.
   */
  idontwantBytesMin: number;
  /** Largest gossip message body, bytes. Default 1 MiB: membership updates are small, anything bigger belongs on a stream. */
  messageBytesMax: number;
}

/** Everything `createP2pHost` needs to know. */
export interface P2pHostConfig {
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/7946`. Port 0 picks a free port (tests). */
  listenAddresses: string[];
  /** Path of the Ed25519 identity file; created with mode 0600 on first start. No default. */
  identityPath: string;
  /** The cluster's 32-byte pre-shared key (psk.ts). No default: every member must have the same one. */
  psk: Uint8Array;
  /** Milliseconds the pnet nonce exchange may take before the connection is dropped. Default 5000: generous for a loaded host, still short enough to shed strangers. */
  pnetHandshakeTimeoutMs: number;
  /** Milliseconds one `dial()` may take. Default 10000. */
  dialTimeoutMs: number;
  /** Most open connections. Default 300: a cluster of a few hundred nodes, fully connected. */
  connectionsMax: number;
  gossip: GossipTuning;
}

/** Defaults for everything except what identifies the node and its cluster. */
export function defaultP2pHostConfig(required: Pick<P2pHostConfig, 'identityPath' | 'psk'>): P2pHostConfig {
  return {
    listenAddresses: ['/ip4/0.0.0.0/tcp/7946'],
    identityPath: required.identityPath,
    psk: required.psk,
    pnetHandshakeTimeoutMs: 5000,
    dialTimeoutMs: 10_000,
    connectionsMax: 300,
    gossip: { meshDegree: 3, meshDegreeLow: 2, meshDegreeHigh: 4, heartbeatIntervalMs: 1000, lazyDegree: 1, idontwantBytesMin: 16 * 1024, messageBytesMax: 1024 * 1024 },
  };
}

/** Every problem in `config`, each naming the field; empty when the config is usable. */
export function validateP2pHostConfig(config: P2pHostConfig): string[] {
  const problems: string[] = [];
  const positiveInteger = (field: string, value: number): void => {
    if (!Number.isInteger(value) || value <= 0) problems.push(`${field}: expected a positive integer, got ${value}`);
  };
  if (config.listenAddresses.length === 0) problems.push('listenAddresses: expected at least one multiaddr');
  for (const [i, address] of config.listenAddresses.entries()) {
    if (!address.startsWith('/')) problems.push(`listenAddresses[${i}]: expected a multiaddr starting with "/", got ${JSON.stringify(address)}`);
  }
  if (config.identityPath === '') problems.push('identityPath: expected a file path, got ""');
  if (config.psk.length !== pskBytes) problems.push(`psk: expected ${pskBytes} bytes, got ${config.psk.length}`);
  positiveInteger('pnetHandshakeTimeoutMs', config.pnetHandshakeTimeoutMs);
  positiveInteger('dialTimeoutMs', config.dialTimeoutMs);
  positiveInteger('connectionsMax', config.connectionsMax);
  const g = config.gossip;
  positiveInteger('gossip.meshDegree', g.meshDegree);
  positiveInteger('gossip.meshDegreeLow', g.meshDegreeLow);
  positiveInteger('gossip.meshDegreeHigh', g.meshDegreeHigh);
  positiveInteger('gossip.heartbeatIntervalMs', g.heartbeatIntervalMs);
  positiveInteger('gossip.lazyDegree', g.lazyDegree);
  positiveInteger('gossip.idontwantBytesMin', g.idontwantBytesMin);
  positiveInteger('gossip.messageBytesMax', g.messageBytesMax);
  if (!(g.meshDegreeLow <= g.meshDegree && g.meshDegree <= g.meshDegreeHigh)) {
    problems.push(`gossip: expected meshDegreeLow <= meshDegree <= meshDegreeHigh, got ${g.meshDegreeLow}, ${g.meshDegree}, ${g.meshDegreeHigh}`);
  }
  return problems;
}

/** Throws INVALID_CONFIG listing every problem at once. */
export function assertValidP2pHostConfig(config: P2pHostConfig): void {
  const problems = validateP2pHostConfig(config);
  if (problems.length > 0) {
    throw new SwarmError('INVALID_CONFIG', `invalid p2p host config:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
}
