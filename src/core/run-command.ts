import { spawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { SwarmError, type ErrorCode } from './errors.js';

/** Largest stdout or stderr kept from a helper command: enough for its answer or error, bounded for a chatty one. */
export const outputBytesMax = 16 * 1024;

/** How to run a helper command. */
export interface RunOptions {
  cwd?: string;
  /** Piped to the command's stdin. */
  stdin?: Readable;
  /** The error code when it fails. Default IO_ERROR. */
  code?: ErrorCode;
  /** Says what was being done, for the error: `unpacking layer sha256:…`. */
  what?: string;
}

/**
 * Runs a helper command (tar, mount, mknod, ...) to completion. A non-zero exit or a failure
 * to start is a SwarmError naming the command, what it was for and its stderr.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] };
    if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { if (stdout.length < outputBytesMax) stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < outputBytesMax) stderr += d.toString(); });
    let inputError: unknown;
    if (options.stdin) {
      options.stdin.on('error', (err) => { inputError = err; child.kill('SIGKILL'); });
      child.stdin!.on('error', () => {});
      options.stdin.pipe(child.stdin!);
    }
    const fail = (why: string, cause?: unknown) => reject(new SwarmError(options.code ?? 'IO_ERROR',
      `${options.what ? `${options.what}: ` : ''}${command} ${args.join(' ')} ${why}`, cause === undefined ? undefined : { cause }));
    child.on('error', (err) => fail(`could not start (${err.message})`, err));
    child.on('close', (code, signal) => {
      if (inputError !== undefined) {
        if (inputError instanceof SwarmError) reject(inputError);
        else fail(`lost its input: ${(inputError as Error).message}`, inputError);
      } else if (code === 0) resolve(stdout);
      else fail(`failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no error output'}`);
    });
  });
}
