/**
 * One half of the failover benchmark (run.sh runs both): a fresh 3-member cluster of one
 * system on the namespace hosts run.sh made, `--rounds` leader failovers, then write
 * latency and throughput through the leader.
 *
 *   npx tsx scripts/bench/failover/bench.ts --system etcd|swarmts --work-dir DIR
 *       [--prefix fo] [--subnet 210] [--rounds 5] [--fault process|host] [--settle-s 3] [--sequential 1000]
 *       [--attempt-interval-ms 50] [--attempt-timeout-ms 1000] [--attempts-max 20]
 *       [--concurrency 32] [--concurrent-s 10] [--etcd-module DIR] [--etcd-hb-ms 100] [--etcd-et-ms 1000]
 *
 * Prints one line per round and phase, then
 *   {"system":…,"failover_ms":[…],"leader_seen_ms":[…],"write_ms":…,"write_p99_ms":…,
 *    "writes_per_s":…,"failed_rounds":…,"error":…}
 * (write_ms is the median of the sequential writes; a failed round is missing from the lists
 * and `error` holds the first failure, verbatim).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BenchError, median, percentile, round2, type BenchCluster, type HostPlan } from './cluster.js';
import { EtcdCluster } from './etcd.js';
import { defaultMeasureConfig, describeLatency, failoverRound, writePerf, type MeasureConfig } from './measure.js';
import { SwarmtsCluster } from './swarmts.js';

interface Options {
  system: 'etcd' | 'swarmts';
  plan: HostPlan;
  measure: MeasureConfig;
  etcdModule: string;
  etcdHeartbeatMs: number;
  etcdElectionMs: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      system: { type: 'string' },
      'work-dir': { type: 'string' },
      prefix: { type: 'string', default: 'fo' },
      subnet: { type: 'string', default: '210' },
      rounds: { type: 'string', default: '5' },
      fault: { type: 'string', default: 'process' },
      'attempt-interval-ms': { type: 'string', default: '50' },
      'attempt-timeout-ms': { type: 'string', default: '1000' },
      'attempts-max': { type: 'string', default: '20' },
      'settle-s': { type: 'string', default: '3' },
      sequential: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      'concurrent-s': { type: 'string', default: '10' },
      'etcd-module': { type: 'string', default: '/var/cache/swarmts-bench/etcd3' },
      'etcd-hb-ms': { type: 'string', default: '100' },
      'etcd-et-ms': { type: 'string', default: '1000' },
    },
  });
  const int = (name: string, min: number, max: number): number => {
    const raw = values[name as keyof typeof values] as string | undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new BenchError(`--${name}: expected an integer in ${min}..${max}, got ${raw}`);
    return n;
  };
  if (values.system !== 'etcd' && values.system !== 'swarmts') throw new BenchError(`--system: expected etcd or swarmts, got ${values.system}`);
  if (values['work-dir'] === undefined) throw new BenchError('--work-dir: required (data directories and logs go there)');
  if (values.fault !== 'process' && values.fault !== 'host') throw new BenchError(`--fault: expected process or host, got ${values.fault}`);
  const measure = defaultMeasureConfig();
  measure.fault = values.fault;
  measure.attemptIntervalMs = int('attempt-interval-ms', 1, 10_000);
  measure.attemptTimeoutMs = int('attempt-timeout-ms', 1, 60_000);
  measure.attemptsInFlightMax = int('attempts-max', 1, 1000);
  measure.rounds = int('rounds', 1, 100);
  measure.settleMs = int('settle-s', 0, 60) * 1000;
  measure.sequentialWrites = int('sequential', 1, 100_000);
  measure.concurrency = int('concurrency', 1, 1000);
  measure.concurrentMs = int('concurrent-s', 1, 120) * 1000;
  return {
    system: values.system,
    plan: { prefix: values.prefix ?? 'fo', subnet: int('subnet', 1, 254), workDir: values['work-dir'] },
    measure,
    etcdModule: values['etcd-module'] ?? '',
    etcdHeartbeatMs: int('etcd-hb-ms', 1, 10_000),
    etcdElectionMs: int('etcd-et-ms', 1, 60_000),
  };
}

/** The 1-minute load average: the machine is shared, and a loaded one slows both systems. */
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;

const f1 = (n: number | undefined) => (n === undefined ? 'TIMEOUT' : `${n.toFixed(1)} ms`);

async function main(): Promise<void> {
  const opts = options();
  const cluster: BenchCluster = opts.system === 'etcd'
    ? new EtcdCluster(opts.plan, { heartbeatMs: opts.etcdHeartbeatMs, electionMs: opts.etcdElectionMs }, opts.etcdModule)
    : new SwarmtsCluster(opts.plan);
  const failoverMs: number[] = [];
  const leaderSeenMs: number[] = [];
  let failedRounds = 0;
  let error: string | null = null;
  let perf: Awaited<ReturnType<typeof writePerf>> | undefined;
  const tag = opts.system === 'etcd' ? `etcd (hb ${opts.etcdHeartbeatMs} ms, election ${opts.etcdElectionMs} ms)` : 'swarmts';
  try {
    await cluster.start();
    for (let r = 1; r <= opts.measure.rounds; r++) {
      try {
        const res = await failoverRound(cluster, opts.plan, opts.measure, r);
        if (res.firstWriteMs === undefined) failedRounds++; else failoverMs.push(res.firstWriteMs);
        if (res.leaderSeenMs !== undefined) leaderSeenMs.push(res.leaderSeenMs);
        const errs = res.failedAttempts > 0 ? `; ${res.failedAttempts} of ${res.attempts} attempts failed, last: ${res.lastError.slice(0, 120)}` : `; ${res.attempts} attempts`;
        console.log(`${tag} round ${r} (load ${loadAverage()}): ${opts.measure.fault === 'host' ? 'cut off and killed' : 'killed'} leader h${res.killed + 1}; new leader seen +${f1(res.leaderSeenMs)}, first write OK +${f1(res.firstWriteMs)}${errs}`);
      } catch (err) {
        failedRounds++;
        error ??= (err as Error).message;
        console.log(`${tag} round ${r}: ${(err as Error).message}`);
        if (err instanceof BenchError) break;
      }
    }
    perf = await writePerf(cluster, opts.measure);
    console.log(`${tag} sequential writes through the leader: ${describeLatency(perf.sequentialMs)}${perf.sequentialErrors ? `; ${perf.sequentialErrors} failed` : ''}`);
    console.log(`${tag} ${opts.measure.concurrency} in flight for ${opts.measure.concurrentMs / 1000} s: ${perf.writesPerS.toFixed(0)} writes/s (${perf.cpuMsPerWrite === undefined ? '-' : perf.cpuMsPerWrite.toFixed(2)} ms of CPU per write, all members); ${describeLatency(perf.concurrentMs)}${perf.concurrentErrors ? `; ${perf.concurrentErrors} failed` : ''}`);
    if (perf.lastError) console.log(`${tag} last write error: ${perf.lastError.slice(0, 300)}`);
  } catch (err) {
    error ??= err instanceof BenchError ? err.message : `unexpected: ${(err as Error).stack ?? String(err)}`;
    console.log(`${tag}: ${error}`);
  } finally {
    await cluster.stop();
  }
  console.log(JSON.stringify({
    system: opts.system,
    fault: opts.measure.fault,
    failover_ms: failoverMs.map((n) => round2(n)),
    leader_seen_ms: leaderSeenMs.map((n) => round2(n)),
    write_ms: round2(perf ? median(perf.sequentialMs) : undefined),
    write_p99_ms: round2(perf ? percentile(perf.sequentialMs, 0.99) : undefined),
    writes_per_s: perf && perf.concurrentMs.length > 0 ? Math.round(perf.writesPerS) : null,
    cpu_ms_per_write: round2(perf?.cpuMsPerWrite),
    failed_rounds: failedRounds,
    error,
  }));
  // The etcd client's gRPC channels and any agent keep sockets: do not wait for them.
  process.exit(0);
}

await main();
