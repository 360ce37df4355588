/**
 * The peer-to-peer shell: everything that touches libp2p, and nothing the pure cores import.
 *
 * - host.ts: `createP2pHost` builds one node's stack (TCP, pnet keyed by the cluster PSK,
 *   noise, yamux, identify, ping, gossipsub with StrictSign and scoring) around a
 *   persistent Ed25519 identity (identity.ts, mode 0600). Import it before other libp2p
 *   users: it loads polyfill.ts (Promise.withResolvers for Node 20) first.
 * - gossip-topic.ts: typed, versioned, validated publish/subscribe on one topic, with an
 *   `allowedSenders` filter and `republish` for gossipsub's drop-before-subscription gap.
 * - rpc.ts: request/response and request/stream over libp2p streams, framed by
 *   core/framing.ts, with frame limits, deadlines and bounded inbound concurrency; every
 *   failure is a SwarmError with a code the caller can match.
 * - transport.ts: the fire-and-forget `Transport` the membership and raft cores are driven
 *   through, implemented over libp2p (libp2p-transport.ts) and in memory
 *   (memory-transport.ts), both held to `transportContract` (transport-contract.ts).
 *
 * Every message on the wire is msgpackr with a version field `v`.
 * Test support (transport-contract.ts, test-hosts.ts, wait-for.ts) is imported directly,
 * not from here, so production code does not load uvu.
 */
// First, so that Promise.withResolvers exists before any libp2p module evaluates.
import './polyfill.js';

export { GossipTopic, defaultGossipTopicConfig, type GossipTopicComponents, type GossipTopicConfig, type GossipTopicStats, type RepublishOptions } from './gossip-topic.js';
export { defaultP2pHostConfig, validateP2pHostConfig, assertValidP2pHostConfig, type GossipTuning, type P2pHostConfig } from './host-config.js';
export { createP2pHost, parsePeerId, P2pHost, type P2pHostComponents, type P2pNode, type P2pServices, type PeerEvent } from './host.js';
export { generateIdentity, identityFileMode, loadOrCreateIdentity } from './identity.js';
export { Libp2pTransport, type Libp2pTransportComponents } from './libp2p-transport.js';
export { MemoryNetwork, MemoryTransport, type MemoryTransportComponents } from './memory-transport.js';
export { checkVersion, decodeVersioned, encodeMessageBody, type Versioned } from './message-codec.js';
export { decodePskFile, encodePskFile, generatePsk, pskBytes } from './psk.js';
export { defaultRpcConfig, validateRpcConfig, assertValidRpcConfig, type RpcConfig } from './rpc-config.js';
export type { RpcCallOptions } from './rpc-client.js';
export type { RpcContext, RpcHandler, RpcHandlerOptions, RpcStreamHandler } from './rpc-server.js';
export { RpcService, type RpcComponents } from './rpc.js';
export { rpcWireVersion } from './rpc-wire.js';
export { defaultTransportConfig, validateTransportConfig, assertValidTransportConfig, type Transport, type TransportConfig, type TransportStats } from './transport.js';
