import { execFile, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { constants } from 'node:os';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorMessage, isSwarmError, SwarmError } from '../../core/errors.js';
import type { MonitorFiles, OciDriver } from '../container-manager.js';
import type { ExitStatus, OutputSink } from '../runtime.js';
import type { ResolvedUser } from '../user-lookup.js';

/** How to reach an OCI runtime and the monitor that runs it. */
export interface OciRuntimeConfig {
  /** swarmts-runtime, crun, runc, or a wrapper with the same command line. */
  runtimePath: string;
  /** The runtime's state directory (`--root`). */
  runtimeRoot: string;
  /** swarmts-monitor. */
  monitorPath: string;
  /** Rotate a container's log past this size. Default 10 MiB, like Docker's json-file max-size. */
  logBytesMax: number;
  /** Log files kept per container, the current one included. Default 3. */
  logFilesMax: number;
  /** How long a runtime command may take before it is killed. Default 30 000 ms. */
  commandTimeoutMs: number;
}

export function defaultOciRuntimeConfig(paths: Pick<OciRuntimeConfig, 'runtimePath' | 'runtimeRoot' | 'monitorPath'>): OciRuntimeConfig {
  return { ...paths, logBytesMax: 10 * 1024 * 1024, logFilesMax: 3, commandTimeoutMs: 30_000 };
}

/** The largest exit-file poll interval: the watch usually fires first. */
const exitPollMs = 250;

/**
 * How each runtime says it has no container by that id: swarmts-runtime and runc
 * ("container `x` does not exist", "container does not exist"), crun (it fails to open
 * the container's state: "error opening file `<root>/x/status`", "cannot open directory").
 */
const unknownIdPattern = /does not exist|error opening file `[^`]*\/status`|cannot open directory/i;

/**
 * Drives an OCI runtime binary through swarmts-monitor. Runtime errors come back as
 * CONTAINER_NOT_FOUND when the runtime does not know the id, else as RUNTIME_ERROR, both
 * carrying the runtime's own message (which names the object and errno).
 */
export class OciRuntime implements OciDriver {
  constructor(readonly config: OciRuntimeConfig) {}

  async create(id: string, bundleDir: string, files: MonitorFiles): Promise<number> {
    const { config } = this;
    const out = await this.run(config.monitorPath, [
      '--runtime', config.runtimePath, '--runtime-root', config.runtimeRoot, '--bundle', bundleDir, '--id', id,
      '--log-path', files.logPath, '--log-max-bytes', String(config.logBytesMax), '--log-max-files', String(config.logFilesMax),
      '--exit-file', files.exitFile, '--pid-file', join(dirname(files.exitFile), 'init.pid'),
    ], `creating container ${id}`);
    const match = /^created (\d+)/.exec(out.trim());
    if (!match) throw new SwarmError('RUNTIME_ERROR', `creating container ${id}: the monitor answered "${out.trim()}"`);
    return Number(match[1]);
  }

  async start(id: string): Promise<void> {
    await this.runtime(['start', id], `starting container ${id}`);
  }

  async status(id: string): Promise<'created' | 'running' | 'stopped' | undefined> {
    try {
      const state = JSON.parse(await this.runtime(['state', id], `state of ${id}`)) as { status?: string };
      return state.status === 'created' || state.status === 'running' || state.status === 'stopped' ? state.status : undefined;
    } catch (err) {
      if (isSwarmError(err, 'CONTAINER_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  async kill(id: string, signal: string): Promise<void> {
    await this.runtime(['kill', id, signal], `sending ${signal} to container ${id}`);
  }

  async delete(id: string, force: boolean): Promise<void> {
    await this.runtime(['delete', ...(force ? ['--force'] : []), id], `deleting container ${id}`);
  }

  /** Resolves with the exit status once the monitor has written it (atomically, by rename). */
  waitExit(exitFile: string, signal?: AbortSignal): Promise<ExitStatus> {
    return new Promise((resolve, reject) => {
      let done = false;
      const stop = () => {
        done = true;
        watcher.close();
        clearInterval(poll);
      };
      const check = async () => {
        if (done) return;
        let text: string;
        try {
          text = await readFile(exitFile, 'utf8');
        } catch {
          return; // not yet written
        }
        stop();
        try {
          const raw = JSON.parse(text) as { exitCode: number; signal: string | null; oomKilled: boolean; finishedAt: string };
          const exit: ExitStatus = { exitCode: raw.exitCode, oomKilled: raw.oomKilled, finishedAt: raw.finishedAt };
          if (raw.signal) exit.signal = raw.signal;
          resolve(exit);
        } catch (err) {
          reject(new SwarmError('CORRUPT_DATA', `the exit file ${exitFile} is not valid JSON: ${errorMessage(err)}`));
        }
      };
      const name = basename(exitFile);
      const watcher = watch(dirname(exitFile), (_event, file) => {
        if (file === name) void check();
      });
      const poll = setInterval(() => void check(), exitPollMs);
      signal?.addEventListener('abort', () => {
        if (done) return;
        stop();
        reject(signal.reason);
      }, { once: true });
      void check();
    });
  }

  /**
   * Runs a process in the running container and resolves with its exit code (128+N when
   * signal N ended it). `env` is its whole environment: runtimes differ in whether they
   * start from the container's (runc, swarmts-runtime) or not (crun).
   */
  exec(id: string, args: string[], options: { env: string[]; cwd?: string; user?: ResolvedUser }, output: OutputSink): Promise<number> {
    const argv = ['--root', this.config.runtimeRoot, 'exec'];
    for (const e of options.env) argv.push('--env', e);
    if (options.cwd) argv.push('--cwd', options.cwd);
    if (options.user) argv.push('--user', `${options.user.uid}:${options.user.gid}`);
    argv.push(id, ...args);
    return new Promise((resolve, reject) => {
      const child = spawn(this.config.runtimePath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk: Buffer) => output('stdout', chunk));
      child.stderr.on('data', (chunk: Buffer) => output('stderr', chunk));
      child.on('error', (err) => reject(new SwarmError('RUNTIME_ERROR', `exec in container ${id}: ${err.message}`)));
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
    });
  }

  /** A command on an existing container (start, state, kill, delete). */
  private runtime(args: string[], what: string): Promise<string> {
    return this.run(this.config.runtimePath, ['--root', this.config.runtimeRoot, ...args], what, unknownIdPattern);
  }

  private run(file: string, args: string[], what: string, notFound?: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(file, args, { timeout: this.config.commandTimeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const detail = stderr.trim() || err.message;
        const code = notFound?.test(detail) ? 'CONTAINER_NOT_FOUND' : 'RUNTIME_ERROR';
        reject(new SwarmError(code, `${what}: ${detail}`, { cause: err }));
      });
    });
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
