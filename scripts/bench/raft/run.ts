/**
 * Raft commit throughput and latency with the real write-ahead log: three voters in one
 * process over a zero-delay simulated network, each with a FileWal in a temporary
 * directory (fsync on every Ready). A fixed number of proposals is kept `inFlight` deep at
 * the leader; latency is wall-clock from proposal to the leader applying it.
 *
 *   npx tsx scripts/bench/raft/run.ts [--proposals 20000] [--in-flight 256] [--bytes 128]
 *
 * The last line printed is JSON:
 *   {"commits_per_s":…,"entries_per_fsync":…,"p50_commit_ms":…,"p99_commit_ms":…}
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../../../src/core/random.js';
import { defaultRaftConfig } from '../../../src/raft/config.js';
import { openWal } from '../../../src/raft/storage/file-wal.js';
import type { ClientReply } from '../../../src/sim/kv-client.js';
import { SimNetwork } from '../../../src/sim/network.js';
import type { SimMessage } from '../../../src/sim/raft-cluster.js';
import { RaftHost, type Outbound } from '../../../src/sim/raft-host.js';
import { RaftInvariants } from '../../../src/sim/raft-invariants.js';

interface BenchOptions {
  proposals: number;
  inFlight: number;
  bytes: number;
}

function options(): BenchOptions {
  const { values } = parseArgs({
    options: { proposals: { type: 'string', default: '20000' }, 'in-flight': { type: 'string', default: '256' }, bytes: { type: 'string', default: '128' } },
  });
  const int = (name: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got ${raw}`);
    return n;
  };
  return { proposals: int('proposals', values.proposals), inFlight: int('in-flight', values['in-flight']), bytes: int('bytes', values.bytes) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

function main(): void {
  const opts = options();
  const root = fs.mkdtempSync(join(tmpdir(), 'swarmts-bench-raft-'));
  const random = new SeededRandom(1);
  const network = new SimNetwork<SimMessage>(random.fork(), { delayMsMin: 0, delayMsMax: 0, dropRate: 0, duplicateRate: 0 });
  const ids = ['n1', 'n2', 'n3'];
  const invariants = new RaftInvariants();
  const replies: { clientId: string; reply: ClientReply }[] = [];
  const hosts = new Map<string, RaftHost>();
  try {
    for (const id of ids) {
      const dir = join(root, id);
      const send = (out: Outbound): void => {
        if ('raft' in out) network.send(id, out.to, { kind: 'raft', message: out.raft }, 0);
        else replies.push({ clientId: out.to, reply: out.reply });
      };
      const host = new RaftHost(id, { raft: defaultRaftConfig(id), snapshotEntries: 10_000, compactLagEntries: 1000, readIndexGets: false }, {
        bootstrapConfState: { voters: ids, learners: [] },
        random: random.fork(),
        invariants,
        send,
        disk: { open: () => openWal(dir) },
      });
      host.start();
      hosts.set(id, host);
    }
    // Delivers messages until none is left, each node handling one Ready per batch, as the
    // daemon handles one Ready per turn of its event loop.
    const pump = (): void => {
      for (let batch = network.deliverDue(0); batch.length > 0; batch = network.deliverDue(0)) {
        const touched = new Set<RaftHost>();
        for (const { to, message } of batch) {
          if (message.kind !== 'raft') continue;
          const host = hosts.get(to)!;
          host.receiveRaft(message.message);
          touched.add(host);
        }
        for (const host of touched) host.processReady();
      }
    };
    hosts.get('n1')!.node().campaign();
    hosts.get('n1')!.processReady();
    pump();
    const leader = hosts.get('n1')!;
    if (leader.node().status().role !== 'leader') throw new Error('n1 did not become leader');

    const payload = 'x'.repeat(opts.bytes);
    const started = new Map<string, number>();
    const latenciesMs: number[] = [];
    let proposed = 0;
    const propose = (slot: number): void => {
      const clientId = `bench${slot}`;
      proposed++;
      started.set(clientId, performance.now());
      leader.receiveRequest(clientId, { kind: 'request', clientId, requestId: proposed, input: { kind: 'put', key: `k${proposed % 1000}`, value: payload } });
    };
    const tickMs = 10;
    const t0 = performance.now();
    let lastTickMs = t0;
    for (let slot = 0; slot < Math.min(opts.inFlight, opts.proposals); slot++) propose(slot);
    leader.processReady();
    while (latenciesMs.length < opts.proposals) {
      pump();
      const done = replies.splice(0);
      if (done.length === 0 && network.inFlight() === 0) throw new Error(`stalled after ${latenciesMs.length} commits`);
      for (const { clientId } of done) {
        latenciesMs.push(performance.now() - started.get(clientId)!);
        if (proposed < opts.proposals) propose(Number(clientId.slice('bench'.length)));
      }
      leader.processReady();
      // Every node ticks every 10 ms of wall time, as the daemon's ticker would.
      if (performance.now() - lastTickMs >= tickMs) {
        lastTickMs = performance.now();
        for (const host of hosts.values()) {
          host.tick();
          host.processReady();
        }
      }
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const stats = [...hosts.values()].map((h) => h.walStats());
    const fsyncs = stats.reduce((n, s) => n + s.fsyncs, 0);
    const entries = stats.reduce((n, s) => n + s.entries, 0);
    latenciesMs.sort((a, b) => a - b);
    console.log(`${opts.proposals} proposals of ${opts.bytes} bytes, ${opts.inFlight} in flight, 3 voters, FileWal in ${root}`);
    console.log(`wall ${elapsedS.toFixed(2)} s, ${fsyncs} fsyncs for ${entries} entries saved across the three logs`);
    console.log(
      JSON.stringify({
        commits_per_s: Math.round(opts.proposals / elapsedS),
        entries_per_fsync: round(entries / fsyncs, 2),
        p50_commit_ms: round(percentile(latenciesMs, 50), 3),
        p99_commit_ms: round(percentile(latenciesMs, 99), 3),
      }),
    );
  } finally {
    for (const host of hosts.values()) host.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main();
