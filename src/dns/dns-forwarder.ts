/**
 * Forwards queries for names outside the cluster to the upstream resolvers, one after
 * another, each bounded by a timeout. UDP queries go out over one shared socket per address
 * family under fresh random ids; TCP queries over a new TCP connection each.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { DnsUpstream } from './resolv-conf.js';

/** How forwarding is bounded. */
export interface DnsForwarderConfig {
  upstreams: DnsUpstream[];
  /** Milliseconds to wait for one upstream before trying the next. */
  forwardTimeoutMs: number;
  /** Queries awaiting an upstream at once; `forward` gives up on more at once. */
  forwardsInFlightMax: number;
}

interface PendingUdp {
  upstream: DnsUpstream;
  done: (reply: Buffer | undefined) => void;
}

/** Bytes of a DNS message over TCP, after its 2-byte length prefix. */
const tcpMessageBytesMax = 65535;

/** Sends queries upstream; `close()` ends every socket and answers every pending query with undefined. */
export class DnsForwarder {
  private readonly udpSockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  private readonly pendingUdp = new Map<number, PendingUdp>();
  /** Ends each forward attempt still running: for `close()`. */
  private readonly closers = new Set<() => void>();
  private inFlight = 0;
  private closed = false;

  constructor(private readonly config: DnsForwarderConfig) {}

  /**
   * The first upstream reply to `query`, with the query's own id, or undefined when every
   * upstream timed out or failed, or too many queries are in flight (the caller sends SERVFAIL).
   */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (this.closed || this.inFlight >= this.config.forwardsInFlightMax) return undefined;
    this.inFlight++;
    try {
      for (const upstream of this.config.upstreams) {
        const reply = transport === 'udp' ? await this.askUdp(upstream, query) : await this.askTcp(upstream, query);
        if (reply !== undefined) return reply;
        if (this.closed) return undefined;
      }
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  private askUdp(upstream: DnsUpstream, query: Buffer): Promise<Buffer | undefined> {
    const id = this.freeId();
    const outgoing = Buffer.from(query);
    outgoing.writeUInt16BE(id, 0);
    return this.bounded((done) => {
      this.pendingUdp.set(id, { upstream, done });
      this.udpSocket(net.isIPv6(upstream.address) ? 'udp6' : 'udp4').send(outgoing, upstream.port, upstream.address, (err) => {
        if (err) done(undefined);
      });
      return () => this.pendingUdp.delete(id);
    }).then((reply) => {
      reply?.writeUInt16BE(query.readUInt16BE(0), 0);
      return reply;
    });
  }

  private askTcp(upstream: DnsUpstream, query: Buffer): Promise<Buffer | undefined> {
    return this.bounded((done) => {
      const socket = net.connect({ host: upstream.address, port: upstream.port });
      let received = Buffer.alloc(0);
      socket.on('connect', () => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(query.length, 0);
        socket.write(Buffer.concat([prefix, query]));
      });
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          done(received.subarray(2, 2 + received.readUInt16BE(0)));
        } else if (received.length > 2 + tcpMessageBytesMax) {
          done(undefined);
        }
      });
      socket.on('error', () => done(undefined));
      socket.on('close', () => done(undefined));
      return () => {
        socket.destroy();
      };
    });
  }

  /** Runs `start` until it calls `done` or `forwardTimeoutMs` passes; then runs the cleanup it returned. */
  private bounded(start: (done: (reply: Buffer | undefined) => void) => () => void): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let finished = false;
      let cleanup: (() => void) | undefined;
      const done = (reply: Buffer | undefined): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.closers.delete(closer);
        cleanup?.();
        resolve(reply);
      };
      const closer = (): void => done(undefined);
      const timer = setTimeout(closer, this.config.forwardTimeoutMs);
      this.closers.add(closer);
      cleanup = start(done);
      if (finished) cleanup();
    });
  }

  private udpSocket(type: 'udp4' | 'udp6'): dgram.Socket {
    let socket = this.udpSockets.get(type);
    if (socket === undefined) {
      socket = dgram.createSocket(type);
      // A reply counts only from the upstream it was sent to, under an id in flight: a forged or
      // late reply from elsewhere is dropped.
      socket.on('message', (reply, from) => {
        if (reply.length < 12) return;
        const pending = this.pendingUdp.get(reply.readUInt16BE(0));
        if (pending === undefined || from.port !== pending.upstream.port || !sameAddress(from.address, pending.upstream.address)) return;
        pending.done(reply);
      });
      // Send failures reach the pending query through send's callback; nothing else is actionable.
      socket.on('error', () => undefined);
      this.udpSockets.set(type, socket);
    }
    return socket;
  }

  /**
   * A random id not in flight: guessing it is what forging an upstream reply would take. Ends
   * quickly: at most forwardsInFlightMax (at most 16,384 of 65,536) ids are taken.
   */
  private freeId(): number {
    for (;;) {
      const id = randomInt(65536);
      if (!this.pendingUdp.has(id)) return id;
    }
  }

  /** Ends every socket and timer; pending forwards resolve undefined. */
  close(): void {
    this.closed = true;
    for (const closer of [...this.closers]) closer();
    for (const socket of this.udpSockets.values()) socket.close();
    this.udpSockets.clear();
  }
}

function sameAddress(a: string, b: string): boolean {
  return a === b || a === `::ffff:${b}` || net.isIPv6(a) && net.isIPv6(b) && a.toLowerCase() === b.toLowerCase();
}
