/**
 * One host's `swarmts daemon`, run inside the host's network namespace. Its output goes
 * to a log file that survives restarts (appended), so a failure can show its last lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Host, Hosts } from './hosts.js';
import { swarmtsMain } from './repo-root.js';
import { killNodeCgroupProcesses, unmountUnder } from './run-dir.js';

/** How long a starting daemon may take to answer on its socket. */
const readyWaitMs = 20_000;
/** How long a daemon may take to exit after SIGTERM before it is killed and blamed. */
const stopWaitMs = 15_000;
/** How long an exit may take after SIGKILL: the kernel's part only. */
const killWaitMs = 5_000;
const readyPollMs = 100;

export class Daemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Why the last process ended, for messages: `exit 1`, `SIGKILL`. */
  private lastExit = '';

  constructor(readonly host: Host, readonly nodeName: string, readonly stateDir: string, readonly logFile: string, private readonly hosts: Hosts) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the daemon and resolves once its API answers; rejects (and kills it) otherwise. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.child) throw new Error(`${this.name()}: already running`);
    const log = openSync(this.logFile, 'a');
    const [cmd, ...args] = this.hosts.exec(this.host, [process.execPath, swarmtsMain, '--state-dir', this.stateDir, 'daemon', '--name', this.nodeName]);
    const child = spawn(cmd!, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, sig) => {
      this.lastExit = sig ?? `exit ${code}`;
      if (this.child === child) this.child = undefined;
      resolve();
    }));
    const deadline = Date.now() + readyWaitMs;
    while (!(await answers(join(this.stateDir, 'swarmts.sock')))) {
      if (this.child !== child) throw new Error(`${this.name()} ended (${this.lastExit}) before its socket answered; log:\n${this.logTail(15)}`);
      if (signal.aborted || Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name()}: ${signal.aborted ? 'aborted' : `no answer on its socket within ${readyWaitMs / 1000} s`}; log:\n${this.logTail(15)}`);
      }
      await new Promise((r) => setTimeout(r, readyPollMs));
    }
  }

  /** SIGKILL, as a crash; resolves when the process is gone. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await withDeadline(this.exited, killWaitMs, `${this.name()} still running ${killWaitMs / 1000} s after SIGKILL`);
  }

  /**
   * A power cut: SIGKILL for the daemon and every other process in the host's network
   * namespace (container monitors), then for every process of its containers (its node
   * cgroups), and their root filesystems unmounted. Its state directory stays for a restart.
   */
  async crash(): Promise<string> {
    await this.kill();
    const others = await this.hosts.killAll(this.host);
    killNodeCgroupProcesses(this.nodeName);
    await unmountUnder(this.stateDir);
    return others ? `and ${others} other process${others === 1 ? '' : 'es'}` : '';
  }

  /** SIGTERM, as an orderly shutdown; a daemon that does not exit in time is killed and blamed. */
  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    try {
      await withDeadline(this.exited, stopWaitMs, `${this.name()} did not exit within ${stopWaitMs / 1000} s of SIGTERM; killed it`);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** The last lines the daemon wrote, indented, for failure reports. */
  logTail(lines: number): string {
    const text = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    const tail = text.trimEnd().split('\n').slice(-lines);
    return tail.map((l) => `      | ${l}`).join('\n') || '      | (empty)';
  }

  private name(): string {
    return `daemon ${this.nodeName}`;
  }
}

function withDeadline(p: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Whether a daemon answers `GET /v1/info` on this socket: the API is up. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/v1/info', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
