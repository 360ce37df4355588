/**
 * Runs swarmts-dns, the native UDP front of a DnsServer (config udpFrontend 'native'): it binds
 * the server's UDP port, answers repeated questions from its own cache, and passes every other
 * datagram here over a Unix stream socket (its fd 3); `onQuery` answers those. Restarts it when
 * it dies, a bounded number of times, then reports it gone so the server can read UDP itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import { SwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  FrameReader, answerFrame, countersFrame, flushFrame, type FromUdpFront, type ReplyReuse, type UdpFrontCounters,
} from './udp-front-protocol.js';

/** What the front needs from its server. */
export interface NativeUdpFrontOptions {
  /** The swarmts-dns executable. */
  binaryPath: string;
  /** IPv4 address to bind. */
  address: string;
  /** Replies kept by swarmts-dns before it empties its cache. */
  entriesMax: number;
  /** Bytes of questions and replies kept by swarmts-dns before it empties its cache. */
  bytesMax: number;
  /** Bytes asked for the UDP receive buffer. */
  receiveBufferBytes: number;
  /** Answers a datagram swarmts-dns had no reply for; `send` may be called later (forwarding). */
  onQuery: (packet: Buffer, address: string, send: (reply: Buffer, reuse: ReplyReuse | undefined) => void) => void;
  /** Called once when swarmts-dns died more than `restartsMax` times and is not started again. */
  onGone: () => void;
  logger: Logger;
  /** Times swarmts-dns is started again after dying, over the server's life; then `onGone`. Default 10. */
  restartsMax?: number;
}

const restartsMaxDefault = 10;
/** Milliseconds swarmts-dns has to bind, to report counters or a flush, or to exit when its channel closes. */
const frontReplyTimeoutMs = 10_000;
/** Milliseconds before the n-th restart: n times this, at most `restartPauseMsMax`. */
const restartPauseMs = 100;
const restartPauseMsMax = 3000;
/** Bytes of swarmts-dns's stderr kept to explain why it died. */
const stderrTailBytesMax = 2048;

/** One running swarmts-dns at a time; `start()`, then `flush()`/`counters()`, then `close()`. */
export class NativeUdpFront {
  private child: ChildProcess | undefined;
  private channel: net.Socket | undefined;
  private boundPort: number | undefined;
  private restarts = 0;
  /** Times a started swarmts-dns ended, for tests. */
  exits = 0;
  private closing = false;
  private flushVersion = 0;
  private flushedVersion = 0;
  private nextRequestId = 1;
  private readonly waiters = new Set<(frame: FromUdpFront | undefined) => void>();

  constructor(private readonly o: NativeUdpFrontOptions) {}

  /** Starts swarmts-dns on `port` (0: any free port) and resolves the bound port. Throws UNAVAILABLE with its reason. */
  async start(port: number): Promise<number> {
    this.boundPort = await this.spawnFront(port);
    return this.boundPort;
  }

  /** Makes swarmts-dns forget every reply; `flushed()` waits until it has. */
  flush(): void {
    this.flushVersion++;
    this.channel?.write(flushFrame(this.flushVersion));
  }

  /** Resolves when swarmts-dns has applied the last `flush()` (or died, taking its cache with it). */
  async flushed(): Promise<void> {
    const version = this.flushVersion;
    if (this.flushedVersion >= version || this.channel === undefined) return;
    await this.waitFor((f) => f.kind === 'flushed' && f.version >= version);
  }

  /** What swarmts-dns counted since it last started, or undefined when it does not answer. */
  async counters(): Promise<UdpFrontCounters | undefined> {
    if (this.channel === undefined) return undefined;
    const requestId = this.nextRequestId++;
    this.channel.write(countersFrame(requestId));
    const frame = await this.waitFor((f) => f.kind === 'counters' && f.requestId === requestId);
    return frame?.kind === 'counters' ? frame.counters : undefined;
  }

  /** Stops swarmts-dns: closes its channel (it exits on that), then kills it if it lingers. */
  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    this.channel?.destroy();
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), frontReplyTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** The pid of the running swarmts-dns, for tests and logs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawnFront(port: number): Promise<number> {
    const o = this.o;
    const child = spawn(o.binaryPath, [
      '--listen', `${o.address}:${port}`, '--control-fd', '3', '--entries-max', String(o.entriesMax),
      '--bytes-max', String(o.bytesMax), '--receive-buffer-bytes', String(o.receiveBufferBytes),
    ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const channel = child.stdio[3] as net.Socket;
    this.child = child;
    this.channel = channel;
    let stderrTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-stderrTailBytesMax);
    });
    const reader = new FrameReader();
    channel.on('data', (chunk: Buffer) => {
      let frames: FromUdpFront[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        o.logger.error('swarmts-dns sent a frame this server does not understand; restarting it. Rebuild runtime-native ' +
          '(bash scripts/build-native.sh) so both sides speak the same protocol', { error: String(err) });
        child.kill('SIGKILL');
        return;
      }
      for (const frame of frames) this.onFrame(frame, channel);
    });
    // A closing channel errors on writes in flight (EPIPE); the exit handler does the rest.
    channel.on('error', () => undefined);
    const ready = new Promise<number>((resolve, reject) => {
      let fatal = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SwarmError('TIMEOUT', `swarmts-dns did not bind ${o.address}:${port} within ${frontReplyTimeoutMs} ms; ` +
          'set the DNS server\'s udpFrontend to "node" to answer UDP in Node'));
      }, frontReplyTimeoutMs);
      const onReady = (frame: FromUdpFront | undefined): boolean => {
        if (frame?.kind === 'fatal') fatal = frame.message;
        if (frame?.kind !== 'ready') return false;
        clearTimeout(timer);
        resolve(frame.port);
        return true;
      };
      this.waitFor((f) => onReady(f)).catch(() => undefined);
      // 'close', not 'exit': its last frame (the reason it failed) may still be unread at exit.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(new SwarmError('UNAVAILABLE', fatal || stderrTail.trim() || `swarmts-dns exited (${signal ?? `code ${code}`}) before binding`));
      });
    });
    child.on('error', (err) => o.logger.error('swarmts-dns could not be started', { path: o.binaryPath, error: err.message }));
    child.once('close', (code, signal) => this.onExit(child, code, signal, stderrTail));
    return ready;
  }

  private onFrame(frame: FromUdpFront, channel: net.Socket): void {
    if (frame.kind === 'query') {
      this.o.onQuery(frame.packet, frame.address, (reply, reuse) => {
        // Written to the channel of the swarmts-dns that asked: a restarted one gets no stale reuse.
        if (!channel.destroyed) channel.write(answerFrame(frame.address, frame.port, frame.packet, reply, reuse));
      });
      return;
    }
    if (frame.kind === 'flushed') this.flushedVersion = Math.max(this.flushedVersion, frame.version);
    for (const waiter of [...this.waiters]) waiter(frame);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void {
    if (this.child !== child) return;
    this.exits++;
    this.child = undefined;
    this.channel?.destroy();
    this.channel = undefined;
    for (const waiter of [...this.waiters]) waiter(undefined);
    // Died before binding: start() reports it. Or we are closing.
    if (this.closing || this.boundPort === undefined) return;
    const how = signal ?? `code ${code}`;
    const restartsMax = this.o.restartsMax ?? restartsMaxDefault;
    if (this.restarts >= restartsMax) {
      this.o.logger.error(`swarmts-dns exited (${how}) after ${restartsMax} restarts; UDP falls back to Node. ` +
        'Look for its reason above or run it by hand; restart the daemon to try it again', stderrField(stderrTail));
      this.o.onGone();
      return;
    }
    this.restarts++;
    this.o.logger.warn(`swarmts-dns exited (${how}); starting it again (${this.restarts} of ${restartsMax})`, stderrField(stderrTail));
    // A pause growing with each restart, so a front that dies at once does not spin.
    setTimeout(() => {
      if (this.closing) return;
      // A start that fails ends in this handler again, through the new child's 'close'.
      this.spawnFront(this.boundPort!).catch((err: unknown) => {
        this.o.logger.error('swarmts-dns could not be started again', { error: String(err) });
      });
    }, Math.min(restartPauseMsMax, restartPauseMs * this.restarts));
  }

  /** The next frame that `match`es, or undefined when swarmts-dns exits or does not answer in time. */
  private waitFor(match: (frame: FromUdpFront) => boolean): Promise<FromUdpFront | undefined> {
    return new Promise((resolve) => {
      const done = (frame: FromUdpFront | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(frame);
      };
      const waiter = (frame: FromUdpFront | undefined): void => {
        if (frame === undefined || match(frame)) done(frame);
      };
      const timer = setTimeout(() => done(undefined), frontReplyTimeoutMs);
      this.waiters.add(waiter);
    });
  }
}

function stderrField(tail: string): { stderr: string } | undefined {
  return tail.trim() === '' ? undefined : { stderr: tail.trim() };
}
