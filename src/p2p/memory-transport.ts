import { errorMessage } from '../core/errors.js';
import { decodeBody } from '../core/framing.js';
import type { Logger } from '../core/logger.js';
import { encodeMessageBody, type Versioned } from './message-codec.js';
import { assertValidTransportConfig, type Transport, type TransportConfig, type TransportStats } from './transport.js';
import { TransportReceiver } from './transport-receiver.js';

/**
 * An in-process network of MemoryTransports, keyed by peer id and protocol. Messages are
 * encoded and decoded as on the wire (same limits, same validation) and delivered on a
 * later macrotask, never inside `send`, so callers see the same asynchrony as with libp2p.
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryTransport<Versioned>>();
  private readonly cutLinks = new Set<string>();

  /** A transport for `peerId` on this network. */
  transport<M extends Versioned>(peerId: string, config: TransportConfig<M>, components: MemoryTransportComponents): MemoryTransport<M> {
    return new MemoryTransport(peerId, config, components, this);
  }

  /** Cuts (up = false) or restores the link between two peers, both directions: messages on a cut link are dropped. */
  setLink(a: string, b: string, up: boolean): void {
    for (const key of [`${a}\n${b}`, `${b}\n${a}`]) {
      if (up) this.cutLinks.delete(key);
      else this.cutLinks.add(key);
    }
  }

  /** @internal */
  attach(protocol: string, endpoint: MemoryTransport<Versioned>): void {
    this.endpoints.set(`${protocol}\n${endpoint.localId}`, endpoint);
  }

  /** @internal */
  detach(protocol: string, endpoint: MemoryTransport<Versioned>): void {
    const key = `${protocol}\n${endpoint.localId}`;
    if (this.endpoints.get(key) === endpoint) this.endpoints.delete(key);
  }

  /** @internal The started endpoint for `to`, or undefined when it is unknown, stopped or cut off from `from`. */
  route(protocol: string, from: string, to: string): MemoryTransport<Versioned> | undefined {
    if (this.cutLinks.has(`${from}\n${to}`)) return undefined;
    return this.endpoints.get(`${protocol}\n${to}`);
  }
}

/** What a memory transport needs. */
export interface MemoryTransportComponents {
  logger: Logger;
}

/** The in-memory twin of Libp2pTransport: a working implementation, not a mock. */
export class MemoryTransport<M extends Versioned> implements Transport<M> {
  private readonly counters: TransportStats = { sent: 0, dropped: 0, received: 0, rejected: 0 };
  private readonly queues = new Map<string, Uint8Array[]>();
  private readonly receiver: TransportReceiver<M>;
  private readonly logger: Logger;
  private flushScheduled: NodeJS.Immediate | undefined;
  private running = false;

  constructor(
    readonly localId: string,
    private readonly config: TransportConfig<M>,
    components: MemoryTransportComponents,
    private readonly network: MemoryNetwork,
  ) {
    assertValidTransportConfig(config);
    this.logger = components.logger.child(`memory-transport ${config.protocol}`);
    this.receiver = new TransportReceiver(config, this.counters, this.logger);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.network.attach(this.config.protocol, this as unknown as MemoryTransport<Versioned>);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.network.detach(this.config.protocol, this as unknown as MemoryTransport<Versioned>);
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    for (const queue of this.queues.values()) this.counters.dropped += queue.length;
    this.queues.clear();
  }

  send(peerId: string, message: M): void {
    if (!this.running) {
      this.counters.dropped++;
      return;
    }
    let body: Uint8Array;
    try {
      body = encodeMessageBody(message, this.config.messageBytesMax);
    } catch (err) {
      this.counters.dropped++;
      this.logger.warn('message not sent', { to: peerId, error: errorMessage(err) });
      return;
    }
    const queue = this.queues.get(peerId) ?? [];
    if (queue.length >= this.config.queueLengthMax) {
      this.counters.dropped++;
      return;
    }
    queue.push(body);
    this.queues.set(peerId, queue);
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  onMessage(handler: (from: string, message: M) => void): () => void {
    return this.receiver.onMessage(handler);
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  /** @internal Called by the network with a body another endpoint sent. */
  deliver(from: string, body: Uint8Array): void {
    let value: unknown;
    try {
      value = decodeBody(body);
    } catch (err) {
      this.receiver.rejectStream(from, err);
      return;
    }
    this.receiver.accept(from, value);
  }

  private flush(): void {
    this.flushScheduled = undefined;
    const queues = [...this.queues];
    this.queues.clear();
    for (const [peerId, bodies] of queues) {
      const target = this.network.route(this.config.protocol, this.localId, peerId);
      if (target === undefined) {
        this.counters.dropped += bodies.length;
        continue;
      }
      for (const body of bodies) {
        this.counters.sent++;
        target.deliver(this.localId, body);
      }
    }
  }
}
