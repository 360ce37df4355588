import './polyfill.js';
import { gossipsub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import type { PeerId, PubSub } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping, type Ping } from '@libp2p/ping';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { SwarmError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { assertValidP2pHostConfig, type P2pHostConfig } from './host-config.js';
import { loadOrCreateIdentity } from './identity.js';
import { encodePskFile } from './psk.js';

/** The multiaddr protocol code of `/p2p/<peer id>`. */
const p2pProtocolCode = 421;

/** Room for gossipsub's own framing (signature, key, seqno, topic) around a message body. */
const gossipEnvelopeBytes = 4 * 1024;

/** The libp2p services every swarmts host runs. */
export type P2pServices = {
  identify: Identify;
  ping: Ping;
  pubsub: PubSub<GossipsubEvents>;
};

/** The libp2p node underneath a host, for the modules (gossip, rpc, transport) built on it. */
export type P2pNode = Libp2p<P2pServices>;

/** What a host needs from the rest of the daemon. */
export interface P2pHostComponents {
  logger: Logger;
}

/** A peer connected (its first connection opened) or disconnected (its last one closed). */
export interface PeerEvent {
  type: 'connect' | 'disconnect';
  peerId: string;
}

/**
 * One node's libp2p stack: TCP, a private network keyed by the cluster's PSK, noise,
 * yamux, identify, ping and gossipsub with signed messages and peer scoring.
 * Lifecycle: `createP2pHost` loads the identity and builds the stack; `start()` listens;
 * `stop()` closes every connection. Peer events are delivered in the order libp2p emits them.
 */
export class P2pHost {
  private readonly peerListeners = new Set<(event: PeerEvent) => void>();
  private started = false;

  constructor(
    /** The libp2p node; GossipTopic, RpcService and Libp2pTransport take it as a component. */
    readonly node: P2pNode,
    private readonly config: P2pHostConfig,
    private readonly logger: Logger,
  ) {
    node.addEventListener('peer:connect', (event) => this.emit({ type: 'connect', peerId: event.detail.toString() }));
    node.addEventListener('peer:disconnect', (event) => this.emit({ type: 'disconnect', peerId: event.detail.toString() }));
  }

  /** This node's peer id, stable across restarts (identity.ts). */
  get peerId(): string {
    return this.node.peerId.toString();
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.node.start();
    this.started = true;
    this.logger.info('p2p host listening', { peerId: this.peerId, addresses: this.multiaddrs().join(',') });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.node.stop();
  }

  /** The addresses peers can dial, each ending in `/p2p/<peerId>`. */
  multiaddrs(): string[] {
    return this.node.getMultiaddrs().map((address) => address.toString());
  }

  /** Peer ids with at least one open connection. */
  connectedPeers(): string[] {
    return this.node.getPeers().map((peer) => peer.toString());
  }

  /**
   * Connects to the peer at `address` (a multiaddr, with or without `/p2p/<id>`) and returns
   * its peer id. UNAVAILABLE when it cannot be reached or is not in our private network.
   */
  async dial(address: string): Promise<string> {
    let target;
    try {
      target = multiaddr(address);
    } catch (err) {
      throw new SwarmError('INVALID_ARGUMENT', `dial: ${JSON.stringify(address)} is not a multiaddr`, { cause: err });
    }
    try {
      const connection = await this.node.dial(target, { signal: AbortSignal.timeout(this.config.dialTimeoutMs) });
      return connection.remotePeer.toString();
    } catch (err) {
      throw new SwarmError('UNAVAILABLE', `dial ${address}: ${errorMessage(err)}`, { cause: err, details: { address } });
    }
  }

  /**
   * Remembers where `peerId` listens, so transports and RPC can dial it by id. Addresses
   * that are not multiaddrs are skipped: they come from other nodes' gossip.
   */
  async learnAddresses(peerId: string, addresses: readonly string[]): Promise<void> {
    const multiaddrs = addresses.flatMap((address) => {
      try {
        return [multiaddr(address).decapsulateCode(p2pProtocolCode)];
      } catch {
        return [];
      }
    });
    if (multiaddrs.length > 0) await this.node.peerStore.merge(parsePeerId(peerId), { multiaddrs });
  }

  /**
   * Connects to `peerId` at the addresses learned for it (learnAddresses), unless a
   * connection is already open. UNAVAILABLE when it cannot be reached.
   */
  async connect(peerId: string): Promise<void> {
    try {
      await this.node.dial(parsePeerId(peerId), { signal: AbortSignal.timeout(this.config.dialTimeoutMs) });
    } catch (err) {
      throw new SwarmError('UNAVAILABLE', `connect to ${peerId}: ${errorMessage(err)}`, { cause: err, details: { peerId } });
    }
  }

  /** Closes every connection to `peerId`. */
  async hangUp(peerId: string): Promise<void> {
    await this.node.hangUp(parsePeerId(peerId));
  }

  /** Calls `listener` on every peer connect and disconnect until the returned function is called. */
  onPeer(listener: (event: PeerEvent) => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  private emit(event: PeerEvent): void {
    this.logger.debug(`peer ${event.type}`, { peerId: event.peerId });
    for (const listener of this.peerListeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error('peer event listener failed', { type: event.type, peerId: event.peerId, error: errorMessage(err) });
      }
    }
  }
}

/** Parses a peer id string; INVALID_ARGUMENT when it is not one. */
export function parsePeerId(peerId: string): PeerId {
  try {
    return peerIdFromString(peerId);
  } catch (err) {
    throw new SwarmError('INVALID_ARGUMENT', `${JSON.stringify(peerId)} is not a peer id`, { cause: err });
  }
}

/**
 * Validates `config`, loads or creates the identity file, and builds a host that is not yet
 * listening: call `start()`.
 */
export async function createP2pHost(config: P2pHostConfig, components: P2pHostComponents): Promise<P2pHost> {
  assertValidP2pHostConfig(config);
  const privateKey = await loadOrCreateIdentity(config.identityPath);
  const g = config.gossip;
  const node = await createLibp2p<P2pServices>({
    start: false,
    privateKey,
    addresses: { listen: config.listenAddresses },
    transports: [tcp()],
    connectionProtector: preSharedKey({
      psk: new TextEncoder().encode(encodePskFile(config.psk)),
      timeout: config.pnetHandshakeTimeoutMs,
    }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // libp2p refuses inbound connections beyond 10 still handshaking: too few when a
    // cluster's nodes all join through one manager at once.
    connectionManager: { maxConnections: config.connectionsMax, dialTimeout: config.dialTimeoutMs, maxIncomingPendingConnections: Math.min(config.connectionsMax, 128) },
    // libp2p's connection monitor opens a ping stream on every connection every 10 s and
    // aborts the connection when a ping is late: on a loaded machine that cut the streams
    // membership and gossip run on. Membership (SWIM) is the failure detector here.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        // Small clusters: a low degree keeps the mesh full instead of always grafting, and
        // flood-publishing our own messages reaches every subscriber even before the mesh forms.
        D: g.meshDegree,
        Dlo: g.meshDegreeLow,
        Dhi: g.meshDegreeHigh,
        Dout: Math.min(1, g.meshDegreeLow - 1),
        Dscore: Math.min(2, g.meshDegree),
        heartbeatInterval: g.heartbeatIntervalMs,
        Dlazy: g.lazyDegree,
        // Gossip to Dlazy peers only, not to a quarter of all non-mesh peers (see lazyDegree).
        gossipFactor: 0,
        idontwantMinDataSize: g.idontwantBytesMin,
        floodPublish: true,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        fallbackToFloodsub: false,
        maxInboundDataLength: g.messageBytesMax + gossipEnvelopeBytes,
        // Scoring stays on with gossipsub's defaults, except that every node of a small
        // cluster may share one IP (containers, tests on 127.0.0.1) without a penalty.
        scoreParams: { IPColocationFactorThreshold: Math.max(10, config.connectionsMax) },
        scoreThresholds: { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80, acceptPXThreshold: 10, opportunisticGraftThreshold: 20 },
      }),
    },
  });
  return new P2pHost(node, config, components.logger.child('p2p'));
}
