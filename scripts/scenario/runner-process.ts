/**
 * The runner as a child process, for tests: `run.js` when the tests are compiled, `run.ts`
 * through tsx when they run as TypeScript. Its output streams through to this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** After SIGTERM the runner tears down; past this it is killed outright. */
const teardownGraceMs = 60_000;

export interface RunnerOutcome {
  code: number | null;
  output: string;
  timedOut: boolean;
}

export interface RunnerProcess {
  child: ChildProcess;
  done: Promise<RunnerOutcome>;
}

/** Starts the runner on `files`; SIGTERM after `timeoutMs`, SIGKILL a grace period later. */
export function startRunner(files: string[], timeoutMs: number, onLine: (line: string) => void = (l) => console.log(l)): RunnerProcess {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = import.meta.url.endsWith('.js');
  const args = compiled ? [join(here, 'run.js'), ...files] : ['--import', 'tsx', join(here, 'run.ts'), ...files];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partial = '';
  const take = (d: Buffer) => {
    output += d;
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    lines.forEach(onLine);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), teardownGraceMs);
  }, timeoutMs);
  const done = new Promise<RunnerOutcome>((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    clearTimeout(killTimer);
    if (partial) onLine(partial);
    resolve({ code, output, timedOut });
  }));
  return { child, done };
}
