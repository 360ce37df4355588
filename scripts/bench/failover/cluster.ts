/**
 * What the failover benchmark needs of a 3-member replicated store, and the small helpers
 * both halves share. etcd.ts and swarmts.ts implement `BenchCluster`; measure.ts drives it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A benchmark step that cannot go on (a member did not start, no leader); fails the half. */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}

/** A long-lived client bound to one member: its connection stays open between writes. */
export interface Writer {
  /**
   * One small write through this member (forwarded to the leader by the member itself).
   * Resolves once the store acknowledged it as committed; rejects on an error answer or
   * after `timeoutMs`.
   */
  write(key: string, value: string, timeoutMs: number): Promise<void>;
  close(): void;
}

/** Three members, one per network-namespace host; member i (0-based) runs on host i+1. */
export interface BenchCluster {
  /** `etcd` or `swarmts`: prefixes every line the half prints. */
  readonly system: string;
  readonly size: number;
  /** Starts a fresh cluster; resolves when every member serves and one leader is agreed. */
  start(): Promise<void>;
  /**
   * The member every live member names as leader, or undefined while they disagree or
   * have none. `members` restricts who is asked (the survivors after a kill).
   */
  leader(members?: number[]): Promise<number | undefined>;
  /** SIGKILL of member i's process; returns at once. */
  kill(i: number): void;
  /** Starts member i again on its existing data; resolves when it is back in the cluster. */
  restart(i: number): Promise<void>;
  /** A writer through member i (a new connection each call; the caller closes it). */
  writer(i: number): Promise<Writer>;
  /** The pids of the members' processes that run (for their CPU use). */
  pids(): number[];
  /** Stops every member (SIGTERM, then SIGKILL) and removes their data. Never throws. */
  stop(): Promise<void>;
}

/** Where the hosts are: netns `${prefix}h<i>`, address 10.99.`subnet`.(10+i). */
export interface HostPlan {
  prefix: string;
  subnet: number;
  /** Data directories and logs go under this directory. */
  workDir: string;
}

/**
 * Cuts host i off the bridge (`up` false) or back on: its root-side veth `${prefix}v<i+1>`
 * goes down, so its packets vanish without a reset, as when a machine loses power.
 */
export function setHostLink(plan: HostPlan, i: number, up: boolean): void {
  execFileSync('ip', ['link', 'set', `${plan.prefix}v${i + 1}`, up ? 'up' : 'down'], { stdio: 'ignore', timeout: 10_000 });
}

export const hostNetns = (plan: HostPlan, i: number): string => `${plan.prefix}h${i + 1}`;
export const hostIp = (plan: HostPlan, i: number): string => `10.99.${plan.subnet}.${11 + i}`;

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** `p`, or a rejection after `ms` naming `what`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Retries `probe` every `intervalMs` until it returns a value other than undefined; BenchError
 * after `timeoutMs`. A probe that throws is retried, unless it throws a BenchError.
 */
export async function waitFor<T>(what: string, timeoutMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof BenchError) throw err;
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new BenchError(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
    await sleep(intervalMs);
  }
}

/** Median of a list (mean of the middle two for an even count); undefined when empty. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value at fraction `p` (0..1) of the sorted list; undefined when empty. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

export const round2 = (n: number | undefined): number | null => (n === undefined ? null : Math.round(n * 100) / 100);

/** CPU time (user + system) used so far by the processes `pids`, in ms; exited ones count 0. */
export function cpuMs(pids: number[], clockTicksPerS: number): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return (ticks * 1000) / clockTicksPerS;
}
