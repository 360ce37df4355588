/**
 * The measurements of the failover benchmark, the same for every `BenchCluster`:
 * leader failover rounds, then small-write latency (one in flight) and throughput (many in
 * flight). All times are taken in this one long-lived process with `performance.now()`, so
 * neither process start nor connection set-up counts.
 */
import { execFileSync } from 'node:child_process';
import { cpuMs, median, percentile, setHostLink, sleep, waitFor, type BenchCluster, type HostPlan, type Writer } from './cluster.js';

/** The kernel's unit for process CPU times in /proc/<pid>/stat. */
const clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** How the measurements run; every loop below is bounded by one of these. */
export interface MeasureConfig {
  /** Failover rounds. Default 5. */
  rounds: number;
  /**
   * How the leader fails. `process` (default): kill -9 of its process; its kernel closes its
   * connections, so the survivors may notice at once. `host`: its host's link goes down
   * first (packets vanish, no reset reaches anyone), then the kill; the link comes back
   * before the restart. The second is a machine that loses power or its network.
   */
  fault: 'process' | 'host';
  /** Wait after a restarted member is back, before the next round: lets the cluster settle. Default 3000. */
  settleMs: number;
  /**
   * After the kill, a new write attempt starts through every survivor this often, whatever
   * happened to the earlier ones (still in flight, failed or timed out), so the first write
   * that can succeed is issued at most this late. Default 50.
   */
  attemptIntervalMs: number;
  /**
   * One failover write attempt gives up after this. Default 1000. Seen here: etcd leaves
   * many writes made during the election unanswered until this deadline (DEADLINE_EXCEEDED),
   * while swarmts holds them and answers them once the new leader committed them.
   */
  attemptTimeoutMs: number;
  /**
   * Attempts in flight per survivor; no new one starts beyond. Default 20, which with the
   * defaults above never binds (1000 / 50): a safety limit. At most 40 attempts are in flight
   * in all, about what the throughput phase keeps (32). With a new attempt every 25 ms held
   * up to 2 s (up to 160 in flight), a swarmts cluster on a loaded machine answered none of
   * them within their deadline in 2 of 5 rounds; with at most 8 in flight per survivor,
   * etcd's first success waited for dropped attempts to time out.
   */
  attemptsInFlightMax: number;
  /** A round with no successful write this long after the kill counts as failed. Default 30000. */
  failoverMaxMs: number;
  /** Sequential writes for the latency figure. Default 1000. */
  sequentialWrites: number;
  /** The sequential phase stops early after this. Default 120000. */
  sequentialMaxMs: number;
  /** Writes kept in flight for the throughput figure. Default 32. */
  concurrency: number;
  /** Length of the throughput phase. Default 10000. */
  concurrentMs: number;
  /** One latency or throughput write fails after this. Default 5000. */
  writeTimeoutMs: number;
}

export function defaultMeasureConfig(): MeasureConfig {
  return {
    rounds: 5, fault: 'process', settleMs: 3000, attemptIntervalMs: 50, attemptTimeoutMs: 1000, attemptsInFlightMax: 20,
    failoverMaxMs: 30_000, sequentialWrites: 1000, sequentialMaxMs: 120_000, concurrency: 32, concurrentMs: 10_000, writeTimeoutMs: 5000,
  };
}

/** Value of every small write: 64 bytes, as the peers' etcd figure used. */
const value64 = 'v'.repeat(64);

/** One failover round, in ms after the kill; undefined when it did not happen in time. */
export interface FailoverRound {
  killed: number;
  firstWriteMs: number | undefined;
  /** When a poll of the survivors first showed them agreeing on a new leader. */
  leaderSeenMs: number | undefined;
  attempts: number;
  failedAttempts: number;
  lastError: string;
}

/** Fails the leader (see MeasureConfig.fault), times the first write that succeeds through a survivor, restarts the victim. */
export async function failoverRound(c: BenchCluster, plan: HostPlan, cfg: MeasureConfig, round: number): Promise<FailoverRound> {
  const killed = await waitFor(`${c.system}: a leader every member agrees on`, 30_000, 100, () => c.leader());
  const survivors = [0, 1, 2].filter((i) => i !== killed);
  const writers = await Promise.all(survivors.map((i) => c.writer(i)));
  let result: FailoverRound;
  try {
    // Every survivor's path to the leader is warm and its connection open before the kill.
    for (const [k, w] of writers.entries()) await w.write(`bench/warm/${round}/${k}`, value64, cfg.writeTimeoutMs);
    if (cfg.fault === 'host') setHostLink(plan, killed, false);
    c.kill(killed);
    const tkMs = performance.now();
    const leaderWatch = watchLeader(c, survivors, killed, tkMs, cfg.failoverMaxMs);
    const first = await firstWrite(writers, cfg, `bench/failover/${round}`, tkMs);
    const leaderSeenMs = await leaderWatch;
    result = { killed, leaderSeenMs, ...first };
  } finally {
    for (const w of writers) w.close();
    if (cfg.fault === 'host') setHostLink(plan, killed, true);
  }
  await c.restart(killed);
  await sleep(cfg.settleMs);
  return result;
}

/** Polls the survivors until they agree on a leader other than `killed`; ms after tk. */
async function watchLeader(c: BenchCluster, survivors: number[], killed: number, tkMs: number, maxMs: number): Promise<number | undefined> {
  while (performance.now() - tkMs < maxMs) {
    const l = await c.leader(survivors).catch(() => undefined);
    if (l !== undefined && l !== killed) return performance.now() - tkMs;
    await sleep(20);
  }
  return undefined;
}

function firstWrite(writers: Writer[], cfg: MeasureConfig, keyPrefix: string, tkMs: number): Promise<Omit<FailoverRound, 'killed' | 'leaderSeenMs'>> {
  return new Promise((resolve) => {
    let attempts = 0;
    let failedAttempts = 0;
    let lastError = '';
    let done = false;
    const inFlight = writers.map(() => 0);
    const finish = (firstWriteMs: number | undefined) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      resolve({ firstWriteMs, attempts, failedAttempts, lastError });
    };
    const launch = () => {
      if (performance.now() - tkMs > cfg.failoverMaxMs) return finish(undefined);
      writers.forEach((w, k) => {
        if (inFlight[k]! >= cfg.attemptsInFlightMax) return;
        inFlight[k]!++;
        attempts++;
        w.write(`${keyPrefix}/${attempts}`, value64, cfg.attemptTimeoutMs).then(
          () => finish(performance.now() - tkMs),
          (err: Error) => { failedAttempts++; lastError = err.message; },
        ).finally(() => { inFlight[k]!--; });
      });
    };
    const timer = setInterval(launch, cfg.attemptIntervalMs);
    launch();
  });
}

/** Latency and throughput of small writes through the leader. */
export interface WritePerf {
  sequentialMs: number[];
  sequentialErrors: number;
  writesPerS: number;
  /** CPU time all members used per completed write in the throughput phase, in ms. */
  cpuMsPerWrite: number | undefined;
  concurrentMs: number[];
  concurrentErrors: number;
  lastError: string;
}

export async function writePerf(c: BenchCluster, cfg: MeasureConfig): Promise<WritePerf> {
  const leader = await waitFor(`${c.system}: a leader every member agrees on`, 30_000, 100, () => c.leader());
  const w = await c.writer(leader);
  let lastError = '';
  try {
    for (let k = 0; k < 20; k++) await w.write(`bench/warm/${k}`, value64, cfg.writeTimeoutMs);
    const sequentialMs: number[] = [];
    let sequentialErrors = 0;
    const seqStart = performance.now();
    for (let k = 0; k < cfg.sequentialWrites && performance.now() - seqStart < cfg.sequentialMaxMs; k++) {
      const s = performance.now();
      try {
        await w.write(`bench/seq/${k}`, value64, cfg.writeTimeoutMs);
        sequentialMs.push(performance.now() - s);
      } catch (err) {
        sequentialErrors++;
        lastError = (err as Error).message;
      }
    }
    const concurrentMs: number[] = [];
    let concurrentErrors = 0;
    let done = 0;
    const cpu0 = cpuMs(c.pids(), clockTicksPerS);
    const c0 = performance.now();
    const end = c0 + cfg.concurrentMs;
    const worker = async (id: number) => {
      for (let k = 0; performance.now() < end; k++) {
        const s = performance.now();
        try {
          await w.write(`bench/conc/${id}/${k % 1000}`, value64, cfg.writeTimeoutMs);
          concurrentMs.push(performance.now() - s);
          done++;
        } catch (err) {
          concurrentErrors++;
          lastError = (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: cfg.concurrency }, (_, id) => worker(id)));
    const writesPerS = done / ((performance.now() - c0) / 1000);
    const cpuMsPerWrite = done > 0 ? (cpuMs(c.pids(), clockTicksPerS) - cpu0) / done : undefined;
    return { sequentialMs, sequentialErrors, writesPerS, cpuMsPerWrite, concurrentMs, concurrentErrors, lastError };
  } finally {
    w.close();
  }
}

/** A one-line summary of latencies in ms. */
export function describeLatency(ms: number[]): string {
  if (ms.length === 0) return 'none';
  const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));
  return `n=${ms.length} median ${f(median(ms))} ms, p99 ${f(percentile(ms, 0.99))} ms, min ${f(Math.min(...ms))} ms, max ${f(Math.max(...ms))} ms`;
}
