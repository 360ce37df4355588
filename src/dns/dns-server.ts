/**
 * A node's DNS server: answers cluster names over UDP and TCP on one address and port, and
 * forwards every other name upstream (dns-responder.ts does the answering). With `udpFrontend`
 * 'native', swarmts-dns reads UDP and answers repeated questions itself (native-udp-front.ts);
 * with 'node' and `udpWorkers`, helper processes read the same UDP socket too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SwarmError, errorMessage } from '../core/errors.js';
import { Logger } from '../core/logger.js';
import { type DnsServerConfig, validateDnsServerConfig } from './dns-config.js';
import { DnsResponder, zeroCounters, type DnsCounters } from './dns-responder.js';
import type { DnsView } from './dns-view.js';
import type { FromDnsWorker, ToDnsWorker } from './dns-worker-messages.js';
import { requireNativeUdpFront } from './native-front-binary.js';
import { NativeUdpFront } from './native-udp-front.js';

/** Bytes of one TCP connection's unread input: one full message and its length prefix. */
const tcpBufferedBytesMax = 2 + 65535;
/** Times a crashed UDP worker is started again over the server's life; past this the others carry on. */
const workerRestartsMax = 10;
/**
 * Milliseconds a worker has to start, report its counters or exit when asked. Generous: a worker
 * is a new Node process, and under tsx on a loaded machine it compiles for seconds.
 */
const workerReplyTimeoutMs = 30_000;

/** A DNS server; `start()` binds it, `setView()` changes what it answers, `close()` ends it. */
export class DnsServer {
  private view: DnsView;
  private readonly responder: DnsResponder;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly tcpConnections = new Set<net.Socket>();
  private readonly workers = new Set<ChildProcess>();
  private workerRestarts = 0;
  private closing = false;
  private nextRequestId = 1;
  /** Counts setView calls, so `viewApplied` knows which view the workers must have reported. */
  private viewVersion = 0;
  private readonly workerViewVersions = new Map<ChildProcess, number>();
  /** swarmts-dns, with udpFrontend 'native', and the UDP port it bound. */
  private front: NativeUdpFront | undefined;
  private frontPort: number | undefined;

  /** `logger` takes what goes wrong with swarmts-dns (restarts, falling back to Node). */
  constructor(private readonly config: DnsServerConfig, view: DnsView = { services: [] }, private readonly logger: Logger = new Logger().child('dns')) {
    validateDnsServerConfig(config);
    this.view = view;
    this.responder = new DnsResponder(config, view);
  }

  /**
   * Binds UDP (in Node or in swarmts-dns, per `udpFrontend`), then TCP on the same port, then
   * starts the UDP workers. Throws UNAVAILABLE naming the address when a port is taken.
   */
  async start(): Promise<void> {
    // With port 0, the UDP port the kernel picks may be taken for TCP: try a few.
    const bindAttemptsMax = this.config.port === 0 ? 5 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.config.udpFrontend === 'native') await this.bindNative();
        else await this.bindNode();
        break;
      } catch (err) {
        if (attempt >= bindAttemptsMax) throw unavailable(this.config, err);
      }
    }
    this.tcp!.maxConnections = this.config.tcpConnectionsMax;
    try {
      await Promise.all(Array.from({ length: this.config.udpWorkers }, () => this.startWorker()));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Binds UDP in Node, then TCP on its port; on failure leaves nothing bound. */
  private async bindNode(): Promise<void> {
    const udp = await bindUdp(this.config.address, this.config.port);
    try {
      this.tcp = await listenTcp(this.config.address, udp.address().port, (socket) => this.acceptTcp(socket));
    } catch (err) {
      udp.close();
      throw err;
    }
    this.readUdp(udp);
  }

  /** Starts swarmts-dns on the UDP port, then binds TCP on its port; on failure leaves nothing running. */
  private async bindNative(): Promise<void> {
    const front = new NativeUdpFront({
      binaryPath: requireNativeUdpFront(),
      address: this.config.address,
      entriesMax: this.config.answerCacheEntriesMax,
      bytesMax: this.config.frontCacheBytesMax,
      receiveBufferBytes: this.config.udpReceiveBufferBytes,
      onQuery: (packet, address, send) => this.responder.answerFrontDatagram(packet, address, send),
      onGone: () => void this.fallBackToNodeUdp(),
      logger: this.logger,
    });
    try {
      this.frontPort = await front.start(this.config.port);
      this.tcp = await listenTcp(this.config.address, this.frontPort, (socket) => this.acceptTcp(socket));
    } catch (err) {
      await front.close();
      throw err;
    }
    this.front = front;
  }

  /** Answers the datagrams of `udp` with the responder. */
  private readUdp(udp: dgram.Socket): void {
    this.udp = udp;
    try {
      udp.setRecvBufferSize(this.config.udpReceiveBufferBytes);
    } catch {
      // The kernel keeps its default buffer: fewer queries survive a burst, nothing breaks.
    }
    udp.on('message', (packet, from) => this.responder.answerDatagram(udp, packet, from));
    // A failed send is one lost reply; the client retries.
    udp.on('error', () => undefined);
  }

  /** swarmts-dns keeps dying: Node reads the UDP port itself, slower but answering. */
  private async fallBackToNodeUdp(): Promise<void> {
    this.front = undefined;
    if (this.closing || this.frontPort === undefined) return;
    try {
      this.readUdp(await bindUdp(this.config.address, this.frontPort));
      this.logger.warn(`Node now answers UDP on ${this.config.address}:${this.frontPort} in place of swarmts-dns`);
    } catch (err) {
      this.logger.error(`no UDP DNS on ${this.config.address}:${this.frontPort}: swarmts-dns is gone and Node cannot bind the port; ` +
        'restart the daemon', { error: errorMessage(err) });
    }
  }

  /** The bound port (UDP and TCP); meaningful after `start()`. */
  get port(): number {
    if (this.udp !== undefined) return this.udp.address().port;
    if (this.frontPort !== undefined) return this.frontPort;
    throw new SwarmError('UNAVAILABLE', 'the DNS server has no port yet: call start() first');
  }

  /**
   * Replaces what the server answers. The server's own next query sees it; workers see it when
   * their IPC message arrives, within milliseconds (`viewApplied()` waits for that).
   */
  setView(view: DnsView): void {
    this.view = view;
    this.viewVersion++;
    this.responder.setView(view);
    // After the responder: queries swarmts-dns passes on after the flush must see the new view.
    this.front?.flush();
    for (const worker of this.workers) sendTo(worker, { kind: 'view', view, version: this.viewVersion });
  }

  /** Resolves when every worker, and swarmts-dns, answers from the last view given to `setView`. */
  async viewApplied(): Promise<void> {
    await this.front?.flushed();
    const version = this.viewVersion;
    await Promise.all([...this.workers].map((worker) => {
      if ((this.workerViewVersions.get(worker) ?? 0) >= version) return undefined;
      return waitForMessage(worker, (m) => m.kind === 'view-applied' && m.version >= version, 'apply a view').catch(() => undefined);
    }));
  }

  /** The counters of the server and its workers or swarmts-dns, summed. */
  async counters(): Promise<DnsCounters> {
    const all = [this.responder.counters(), ...(await Promise.all([...this.workers].map((w) => this.workerCounters(w))))];
    const front = await this.front?.counters();
    if (front !== undefined) {
      all.push({ ...zeroCounters(), queries: front.hits + front.dropped, answeredLocally: front.hits, errors: front.hitErrors, truncated: front.hitTruncated });
    }
    const sum = zeroCounters();
    for (const key of Object.keys(sum) as Array<keyof DnsCounters>) sum[key] = all.reduce((total, c) => total + (c?.[key] ?? 0), 0);
    return sum;
  }

  /** Problems of the current view (addresses that are not IPv4), for the daemon's log. */
  viewProblems(): string[] {
    return this.responder.viewProblems();
  }

  /** Stops listening, stops the workers, closes every connection and ends pending forwards. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.workers].map((worker) => stopWorker(worker)));
    await this.front?.close();
    this.front = undefined;
    this.responder.close();
    for (const socket of this.tcpConnections) socket.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp === undefined ? undefined : new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp === undefined ? undefined : new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  private acceptTcp(socket: net.Socket): void {
    this.tcpConnections.add(socket);
    socket.on('close', () => this.tcpConnections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.config.tcpIdleTimeoutMs, () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        this.responder.answerTcpMessage(socket, message);
      }
      if (buffered.length > tcpBufferedBytesMax) socket.destroy();
    });
  }

  /** Forks a worker, hands it the UDP socket and the view, and waits until it reads. */
  private startWorker(): Promise<void> {
    const worker = fork(workerFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.workers.add(worker);
    this.workerViewVersions.set(worker, this.viewVersion);
    worker.on('message', (message: FromDnsWorker) => {
      if (message.kind === 'view-applied') this.workerViewVersions.set(worker, message.version);
    });
    worker.on('exit', () => {
      this.workers.delete(worker);
      this.workerViewVersions.delete(worker);
      if (this.closing || this.udp === undefined || this.workerRestarts >= workerRestartsMax) return;
      this.workerRestarts++;
      void this.startWorker().catch(() => undefined);
    });
    sendTo(worker, { kind: 'start', config: this.config, view: this.view }, this.udp);
    return waitForMessage(worker, (m) => m.kind === 'started', 'start').then(() => undefined);
  }

  private workerCounters(worker: ChildProcess): Promise<DnsCounters | undefined> {
    const requestId = this.nextRequestId++;
    sendTo(worker, { kind: 'counters', requestId });
    return waitForMessage(worker, (m) => m.kind === 'counters' && m.requestId === requestId, 'report counters').then(
      (m) => (m.kind === 'counters' ? m.counters : undefined),
      () => undefined, // a worker that died or hangs counts nothing; the server's own figures remain
    );
  }
}

/** The worker's entry beside this file: .ts under tsx (tests), .js from dist/. */
const workerFile = fileURLToPath(new URL(`./dns-udp-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

function sendTo(worker: ChildProcess, message: ToDnsWorker, handle?: dgram.Socket): void {
  if (worker.connected) worker.send(message, handle);
}

function waitForMessage(worker: ChildProcess, match: (m: FromDnsWorker) => boolean, what: string): Promise<FromDnsWorker> {
  return new Promise((resolve, reject) => {
    const done = (result: FromDnsWorker | Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onMessage = (message: FromDnsWorker): void => {
      if (match(message)) done(message);
    };
    const onExit = (): void => done(new SwarmError('UNAVAILABLE', `a DNS UDP worker exited before it could ${what}`));
    const timer = setTimeout(() => done(new SwarmError('TIMEOUT', `a DNS UDP worker did not ${what} within ${workerReplyTimeoutMs} ms; ` +
      'set udpWorkers to 0 to answer in the daemon alone')), workerReplyTimeoutMs);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  sendTo(worker, { kind: 'stop' });
  const timer = setTimeout(() => worker.kill('SIGKILL'), workerReplyTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A UDP socket bound to `address:port`. */
function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const type = net.isIPv6(address) ? 'udp6' : 'udp4';
  const family = type === 'udp4' ? 4 : 6;
  // Replies go to the address the query came from, always an IP literal: answering the
  // lookup at once spares dns.lookup's extra tick on every send.
  const socket = dgram.createSocket({ type, lookup: (host, _options, callback) => callback(null, host, family) });
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** UNAVAILABLE naming the address and what to do. */
function unavailable(config: DnsServerConfig, err: unknown): SwarmError {
  if (err instanceof SwarmError && err.code !== 'UNAVAILABLE') return err;
  const hint = /EACCES|Permission denied/.test(errorMessage(err)) || (err as NodeJS.ErrnoException).code === 'EACCES'
    ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE'
    : 'stop what uses that port, or give the DNS server another address (it must be one of this host\'s)';
  return new SwarmError('UNAVAILABLE', `DNS server cannot listen on ${config.address}:${config.port}: ${errorMessage(err)}; ${hint}`, { cause: err });
}

function listenTcp(address: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
