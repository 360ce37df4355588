/**
 * Runs the swarmts CLI for the membership benchmark and keeps everything it said, so that a
 * failing cluster command can be reported verbatim to whoever fixes it.
 */
import { spawn } from 'node:child_process';

/** A benchmark step that cannot go on (a cluster command failed, a daemon did not start). */
export class SwarmBenchError extends Error {
  override readonly name = 'SwarmBenchError';
}

/** What one CLI invocation did; `endMs` is the wall clock when it exited. */
export interface CliResult {
  argv: string[];
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  endMs: number;
  /** The command line, exit status and output, for an error report. */
  describe(): string;
}

/** Output kept per stream; a CLI answer is small, anything past this is noise. */
const outputBytesMax = 64 * 1024;

/** Runs `node mainJs ...args` from this (root) namespace; kills it after `timeoutMs`. Never rejects. */
export function runCli(mainJs: string, args: string[], timeoutMs: number): Promise<CliResult> {
  const argv = [process.execPath, mainJs, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { if (stdout.length < outputBytesMax) stdout += b.toString('utf8'); });
    child.stderr.on('data', (b: Buffer) => { if (stderr.length < outputBytesMax) stderr += b.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const finish = (code: number | null, signal: string | null, extra = '') => {
      clearTimeout(timer);
      const endMs = Date.now();
      const err = stderr + extra;
      resolve({
        argv, code, signal, stdout, stderr: err, endMs,
        describe: () => `\`${argv.slice(1).join(' ')}\` exited ${code ?? signal}${signal === 'SIGKILL' ? ` (killed after ${timeoutMs} ms)` : ''}; stderr: ${JSON.stringify(err.trim())}; stdout: ${JSON.stringify(stdout.trim().slice(0, 500))}`,
      });
    };
    child.once('error', (e) => finish(null, null, `spawn failed: ${e.message}`));
    child.once('close', (code, signal) => finish(code, signal));
  });
}
