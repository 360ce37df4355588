/**
 * The userland TCP frontend: accepts a connection, connects to the backend whose turn it is
 * (the next one if that fails or times out), and copies bytes both ways, half-closes included.
 */
import net from 'node:net';
import type { Logger } from '../core/logger.js';
import type { FrontendAddress, FrontendProxy } from './frontend-proxy.js';
import type { ProxyConfig } from './proxy-config.js';
import { RoundRobin } from './round-robin.js';

/** A client connection and its backend connection, once established. */
interface ProxiedPair {
  client: net.Socket;
  upstream: net.Socket;
}

/** Round-robin TCP proxy for one frontend. */
export class TcpFrontendProxy implements FrontendProxy {
  private backends: string[] = [];
  private readonly turn = new RoundRobin();
  /** Established pairs by backend IP, so removing a backend closes its connections. */
  private readonly pairs = new Map<string, Set<ProxiedPair>>();
  private readonly server: net.Server;

  constructor(
    private readonly address: FrontendAddress,
    private readonly config: ProxyConfig,
    private readonly logger: Logger,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    this.server.maxConnections = config.tcpConnectionsMax;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.address.host, port: this.address.port, backlog: 1024 }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.logger.warn('tcp frontend error', { port: this.address.port, error: err }));
        resolve();
      });
    });
  }

  setBackends(ips: string[]): void {
    this.backends = [...ips];
    for (const [ip, pairs] of this.pairs) {
      if (ips.includes(ip)) continue;
      for (const pair of pairs) destroyPair(pair);
      this.pairs.delete(ip);
    }
  }

  async close(): Promise<void> {
    this.setBackends([]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    this.connect(client, this.turn.order(this.backends), 0);
  }

  /** Tries `order[i]`, then the rest in turn; resets the client when none answers. */
  private connect(client: net.Socket, order: string[], i: number): void {
    const ip = order[i];
    if (ip === undefined || client.destroyed) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: ip, port: this.address.targetPort, allowHalfOpen: true });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), this.config.connectTimeoutMs);
    const abandon = () => { clearTimeout(timer); upstream.destroy(); };
    client.once('close', abandon);
    upstream.once('error', (err) => {
      clearTimeout(timer);
      client.off('close', abandon);
      this.logger.debug('backend connect failed; trying the next', { backend: ip, port: this.address.targetPort, error: err });
      this.connect(client, order, i + 1);
    });
    upstream.once('connect', () => {
      clearTimeout(timer);
      client.off('close', abandon);
      upstream.removeAllListeners('error');
      if (!this.backends.includes(ip)) {
        // Removed while connecting: its turn is over.
        upstream.destroy();
        this.connect(client, order, i + 1);
        return;
      }
      this.join({ client, upstream }, ip);
    });
  }

  private join(pair: ProxiedPair, ip: string): void {
    const set = this.pairs.get(ip) ?? new Set();
    this.pairs.set(ip, set);
    set.add(pair);
    const { client, upstream } = pair;
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.resetAndDestroy());
    const forget = () => {
      if (!client.destroyed || !upstream.destroyed) return;
      set.delete(pair);
    };
    // A clean close travels through the pipes as an end, so nothing buffered is dropped.
    client.on('close', forget);
    upstream.on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}

/** Resets both sides: the client learns at once that its backend is gone. */
function destroyPair(pair: ProxiedPair): void {
  pair.client.resetAndDestroy();
  pair.upstream.resetAndDestroy();
}
