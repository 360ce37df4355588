/**
 * Running the `swarmts` CLI against one host's daemon. The CLI runs in the root namespace:
 * `--state-dir` picks the daemon through its Unix socket, whatever namespace it lives in.
 */
import { spawn } from 'node:child_process';
import { formatMs } from './duration.js';
import { swarmtsMain } from './repo-root.js';

export interface CliResult {
  /** Null when the command was killed (deadline or abort). */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Output kept per stream: enough for any node list of a scenario, bounded for a runaway. */
const outputBytesMax = 1024 * 1024;

/** Runs `swarmts --state-dir <stateDir> <args>`; never rejects, a killed command has code null. */
export function swarmts(stateDir: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<CliResult> {
  return runCommand(process.execPath, [swarmtsMain, '--state-dir', stateDir, ...args], timeoutMs, signal);
}

/** Runs any command with a deadline; never rejects. */
export function runCommand(cmd: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let [stdout, stderr, timedOut] = ['', '', false];
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < outputBytesMax) stdout += d; });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < outputBytesMax) stderr += d; });
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => { timedOut = true; kill(); }, timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    const finish = (code: number | null, extra = '') => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr: stderr + extra, ms: Date.now() - started, timedOut });
    };
    child.on('error', (err) => finish(null, String(err)));
    child.on('close', (code) => finish(code));
  });
}

/** `exit 1 after 1.2 s: Error: ...` for messages. */
export function describeResult(result: CliResult): string {
  const how = result.timedOut ? `still running after ${formatMs(result.ms)} (killed)` : result.code === null ? 'killed' : `exit ${result.code} after ${formatMs(result.ms)}`;
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 6).join(' | ');
  return said ? `${how}: ${said}` : how;
}

/**
 * Whether this build has the cluster commands. `init --help` alone is not enough: an
 * unknown command with --help prints the top-level help and exits 0.
 */
export async function clusterCommandsAvailable(): Promise<boolean> {
  const result = await swarmts('/nonexistent', ['init', '--help'], 15_000);
  return result.code === 0 && result.stdout.includes('Usage: swarmts init');
}
