import type { IncomingStreamData, Stream } from '@libp2p/interface';
import { SwarmError, errorMessage, isSwarmError } from '../core/errors.js';
import { encodeFrame } from '../core/framing.js';
import type { Logger } from '../core/logger.js';
import { readFrames } from './frame-reader.js';
import { parsePeerId, type P2pNode } from './host.js';
import type { Versioned } from './message-codec.js';
import { assertValidTransportConfig, type Transport, type TransportConfig, type TransportStats } from './transport.js';
import { TransportReceiver } from './transport-receiver.js';

/** What the libp2p transport needs: the host's node (`host.node`) and a logger. */
export interface Libp2pTransportComponents {
  node: Pick<P2pNode, 'peerId' | 'handle' | 'unhandle' | 'dialProtocol'>;
  logger: Logger;
}

function writable(stream: Stream): boolean {
  return stream.status === 'open' && (stream.writeStatus === 'writing' || stream.writeStatus === 'ready');
}

/** Inbound streams of this protocol one connection may hold: one per sender, plus room for a reconnect overlap. */
const inboundStreamsPerConnectionMax = 4;

/** One destination: its bounded queue of encoded frames and the writer draining it. */
interface Outbound {
  queue: Uint8Array[];
  /** The running writer; undefined when none, so the next `send` starts one. */
  writer: Promise<void> | undefined;
  /** Wakes the writer when a frame is queued or the transport stops. */
  wake: (() => void) | undefined;
}

/**
 * Transport over libp2p: one long-lived stream per destination peer, carrying framing.ts
 * frames whose bodies are the messages. A writer per peer dials on first use and drains
 * the peer's queue; when the dial or the stream fails, what is queued is dropped (counted)
 * and the next `send` dials again, so there is no retry loop to bound.
 */
export class Libp2pTransport<M extends Versioned> implements Transport<M> {
  readonly localId: string;
  private readonly counters: TransportStats = { sent: 0, dropped: 0, received: 0, rejected: 0 };
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Set<Stream>();
  private readonly receiver: TransportReceiver<M>;
  private readonly logger: Logger;
  private running = false;

  constructor(
    private readonly config: TransportConfig<M>,
    private readonly components: Libp2pTransportComponents,
  ) {
    assertValidTransportConfig(config);
    this.localId = components.node.peerId.toString();
    this.logger = components.logger.child(`transport ${config.protocol}`);
    this.receiver = new TransportReceiver(config, this.counters, this.logger);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.components.node.handle(this.config.protocol, (data) => void this.readInbound(data), {
      maxInboundStreams: inboundStreamsPerConnectionMax,
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.components.node.unhandle(this.config.protocol);
    const writers: Array<Promise<void>> = [];
    for (const peer of this.outbound.values()) {
      this.counters.dropped += peer.queue.length;
      peer.queue = [];
      peer.wake?.();
      if (peer.writer !== undefined) writers.push(peer.writer);
    }
    for (const stream of this.inbound) stream.abort(new SwarmError('UNAVAILABLE', 'transport stopped'));
    this.inbound.clear();
    await Promise.allSettled(writers);
    this.outbound.clear();
  }

  send(peerId: string, message: M): void {
    if (!this.running) {
      this.counters.dropped++;
      return;
    }
    let frame: Uint8Array;
    try {
      frame = encodeFrame(message, this.config.messageBytesMax);
    } catch (err) {
      this.counters.dropped++;
      this.logger.warn('message not sent', { to: peerId, error: errorMessage(err) });
      return;
    }
    const peer = this.outboundFor(peerId);
    if (peer.queue.length >= this.config.queueLengthMax) {
      this.counters.dropped++;
      return;
    }
    peer.queue.push(frame);
    // Started on a later microtask so that its `finally`, even after an immediate failure,
    // runs after `writer` is assigned and can clear it.
    if (peer.writer === undefined) peer.writer = Promise.resolve().then(() => this.runWriter(peerId, peer));
    else peer.wake?.();
  }

  onMessage(handler: (from: string, message: M) => void): () => void {
    return this.receiver.onMessage(handler);
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  private outboundFor(peerId: string): Outbound {
    let peer = this.outbound.get(peerId);
    if (peer === undefined) {
      peer = { queue: [], writer: undefined, wake: undefined };
      this.outbound.set(peerId, peer);
    }
    return peer;
  }

  /**
   * Dials `peerId` and streams its queue down one long-lived stream until the transport
   * stops. When a stream dies under the writer (the peer restarted its transport, say), the
   * rest of the queue goes down a new one; when a dial fails, or a fresh stream dies before
   * taking a single frame, the queue is dropped, so a dead peer costs one dial per `send`.
   */
  private async runWriter(peerId: string, peer: Outbound): Promise<void> {
    try {
      let progressed = true;
      while (this.running && peer.queue.length > 0 && progressed) {
        const sentBefore = this.counters.sent;
        await this.writeOneStream(peerId, peer);
        progressed = this.counters.sent > sentBefore;
      }
    } catch (err) {
      this.logger.debug('link failed', { to: peerId, dropped: peer.queue.length, error: errorMessage(err) });
    } finally {
      this.counters.dropped += peer.queue.length;
      peer.queue = [];
      peer.writer = undefined;
      peer.wake = undefined;
      // Forget idle peers, so the map holds only peers with a live writer.
      if (this.outbound.get(peerId) === peer) this.outbound.delete(peerId);
    }
  }

  /**
   * One stream's life. Waits for the feeding generator to finish rather than for `sink()`:
   * after a remote reset libp2p can leave `sink()` pending for ever, because it can only ask
   * a generator parked on an await to return at its next yield.
   */
  private async writeOneStream(peerId: string, peer: Outbound): Promise<void> {
    const stream = await this.components.node.dialProtocol(parsePeerId(peerId), this.config.protocol, {
      signal: AbortSignal.timeout(this.config.connectTimeoutMs),
    });
    let fed!: () => void;
    const feederDone = new Promise<void>((resolve) => {
      fed = resolve;
    });
    const sinking = stream.sink(this.feed(stream, peer, fed)).then(
      () => stream.close(),
      (err: unknown) => stream.abort(err instanceof Error ? err : new Error(String(err))),
    );
    await Promise.race([sinking, feederDone]);
    if (stream.status === 'open' && !this.running) await Promise.race([sinking, stream.close()]).catch(() => undefined);
    else if (stream.status === 'open' && peer.queue.length > 0) stream.abort(new SwarmError('UNAVAILABLE', 'stream stopped taking frames'));
  }

  /**
   * `peer`'s queued frames as they come, waiting while the queue is empty; ends when the
   * transport stops or the stream is no longer writable. A frame is taken off the queue only
   * once the stream was writable, so a frame is lost only if the stream breaks in flight.
   */
  private async *feed(stream: Stream, peer: Outbound, fed: () => void): AsyncGenerator<Uint8Array> {
    try {
      while (this.running && writable(stream)) {
        const frame = peer.queue.shift();
        if (frame !== undefined) {
          this.counters.sent++;
          yield frame;
          continue;
        }
        await new Promise<void>((resolve) => {
          peer.wake = resolve;
        });
        peer.wake = undefined;
      }
    } finally {
      fed();
    }
  }

  private async readInbound({ stream, connection }: IncomingStreamData): Promise<void> {
    const from = connection.remotePeer.toString();
    this.inbound.add(stream);
    try {
      for await (const value of readFrames(stream.source, this.config.messageBytesMax)) this.receiver.accept(from, value);
    } catch (err) {
      // Broken framing is the sender's fault and counted; a reset or closed connection is not.
      if (isSwarmError(err)) this.receiver.rejectStream(from, err);
      else this.logger.debug('inbound stream failed', { from, error: errorMessage(err) });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.inbound.delete(stream);
    }
  }
}
