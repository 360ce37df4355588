/** Runs a system command (nft, conntrack, ip) with a bounded time, feeding it stdin. */
import { spawn } from 'node:child_process';

/** How a command ended; `missing` when the program is not installed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

/** Longest a balancer command may run before it is killed: nft and conntrack take milliseconds. */
export const commandTimeoutMs = 10_000;

/** Runs `program args`, writes `input` to its stdin, and resolves when it exits (never rejects). */
export function runCommand(program: string, args: string[], input = ''): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: commandTimeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => {
      resolve({ code: null, stdout, stderr: stderr + err.message, missing: err.code === 'ENOENT' });
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, missing: false }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
