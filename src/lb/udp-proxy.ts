/**
 * The userland UDP frontend: each client address gets a session, its own socket
 * for the backend whose turn it was, so replies find their way back; sessions end after
 * `udpSessionIdleMs` of silence or when their backend goes.
 */
import dgram from 'node:dgram';
import type { Logger } from '../core/logger.js';
import type { FrontendAddress, FrontendProxy } from './frontend-proxy.js';
import type { ProxyConfig } from './proxy-config.js';
import { RoundRobin } from './round-robin.js';

interface UdpSession {
  backend: string;
  upstream: dgram.Socket;
  idleTimer: NodeJS.Timeout;
}

/** Round-robin UDP proxy for one frontend. */
export class UdpFrontendProxy implements FrontendProxy {
  private backends: string[] = [];
  private readonly turn = new RoundRobin();
  /** By client "address:port". */
  private readonly sessions = new Map<string, UdpSession>();
  private readonly socket = dgram.createSocket('udp4');
  private sessionsFullWarned = false;

  constructor(
    private readonly address: FrontendAddress,
    private readonly config: ProxyConfig,
    private readonly logger: Logger,
  ) {}

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(this.address.port, this.address.host, () => {
        this.socket.off('error', reject);
        this.socket.on('error', (err) => this.logger.warn('udp frontend error', { port: this.address.port, error: err }));
        this.socket.on('message', (message, from) => this.forward(message, from));
        resolve();
      });
    });
  }

  setBackends(ips: string[]): void {
    this.backends = [...ips];
    for (const [client, session] of this.sessions) {
      if (!ips.includes(session.backend)) this.endSession(client, session);
    }
  }

  async close(): Promise<void> {
    this.setBackends([]);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private forward(message: Buffer, from: dgram.RemoteInfo): void {
    const client = `${from.address}:${from.port}`;
    const session = this.sessions.get(client) ?? this.openSession(client, from);
    if (session === undefined) return;
    session.idleTimer.refresh();
    session.upstream.send(message, this.address.targetPort, session.backend);
  }

  private openSession(client: string, from: dgram.RemoteInfo): UdpSession | undefined {
    const backend = this.turn.order(this.backends)[0];
    if (backend === undefined) return undefined;
    if (this.sessions.size >= this.config.udpSessionsMax) {
      if (!this.sessionsFullWarned) this.logger.warn('udp sessions full; dropping datagrams from new clients', { port: this.address.port, udpSessionsMax: this.config.udpSessionsMax });
      this.sessionsFullWarned = true;
      return undefined;
    }
    const upstream = dgram.createSocket('udp4');
    const session: UdpSession = {
      backend,
      upstream,
      idleTimer: setTimeout(() => this.endSession(client, session), this.config.udpSessionIdleMs),
    };
    upstream.on('error', () => this.endSession(client, session));
    upstream.on('message', (reply, source) => {
      if (source.address !== backend || source.port !== this.address.targetPort) return;
      session.idleTimer.refresh();
      this.socket.send(reply, from.port, from.address);
    });
    this.sessions.set(client, session);
    return session;
  }

  private endSession(client: string, session: UdpSession): void {
    if (this.sessions.get(client) !== session) return;
    this.sessions.delete(client);
    clearTimeout(session.idleTimer);
    session.upstream.close();
  }
}
