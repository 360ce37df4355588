/**
 * The etcd half of the failover benchmark: a 3-member etcd 3.4 cluster (Debian's
 * etcd-server), member i in network namespace host i+1, driven through the `etcd3` npm
 * client (gRPC). Adapted from the peers' etcd-cluster.sh; the client is loaded from
 * `--etcd-module` (run.sh installs etcd3@1.1.2 there) so that swarmts's own build never
 * depends on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BenchError, hostIp, hostNetns, sleep, waitFor, withTimeout, type BenchCluster, type HostPlan, type Writer } from './cluster.js';

/** etcd's raft timing, passed as --heartbeat-interval and --election-timeout. */
export interface EtcdTiming {
  /** Default 100: etcd's own default, and swarmts's raft tick. */
  heartbeatMs: number;
  /** Default 1000: etcd's own default, and swarmts's 10 election ticks of 100 ms. */
  electionMs: number;
}

/** The part of the etcd3 1.x client this benchmark uses. */
interface Etcd3Client {
  put(key: string): { value(v: string): { options(o: { deadline: Date }): PromiseLike<unknown> } };
  maintenance: { status(options?: { deadline: Date }): Promise<{ header: { member_id: string }; leader: string }> };
  close(): void;
}
interface Etcd3Module {
  Etcd3: new (options: Record<string, unknown>) => Etcd3Client;
}
interface CockatielModule {
  noop: unknown;
}

const limits = {
  /** A fresh cluster, or a restarted member, until it answers and knows the leader. */
  memberUpMs: 30_000,
  /** One status call when looking for the leader. */
  statusMs: 1_000,
  /** gRPC connect of a new client. */
  dialMs: 2_000,
  /** SIGTERM to SIGKILL when stopping. */
  stopGraceMs: 3_000,
};

interface Member {
  child: ChildProcess | undefined;
  exited: Promise<void>;
  /** etcd's member id (decimal string), learnt on start. */
  id: string | undefined;
}

/** A 3-member etcd cluster on the hosts of `plan`. */
export class EtcdCluster implements BenchCluster {
  readonly system = 'etcd';
  readonly size = 3;
  private readonly members: Member[] = [];
  private readonly etcd3: Etcd3Module;
  private readonly noop: unknown;
  private readonly dataRoot: string;

  constructor(private readonly plan: HostPlan, private readonly timing: EtcdTiming, etcdModuleDir: string) {
    // Loaded at run time from its own install: not a dependency of swarmts (see README).
    const req = createRequire(join(etcdModuleDir, 'node_modules', 'index.js'));
    this.etcd3 = req('etcd3') as Etcd3Module;
    this.noop = (req('cockatiel') as CockatielModule).noop;
    this.dataRoot = join(plan.workDir, 'etcd');
  }

  async start(): Promise<void> {
    fs.rmSync(this.dataRoot, { recursive: true, force: true });
    fs.mkdirSync(this.dataRoot, { recursive: true });
    for (let i = 0; i < this.size; i++) this.members[i] = this.spawnMember(i);
    for (let i = 0; i < this.size; i++) await this.waitServing(i);
    await waitFor('etcd: a leader every member agrees on', limits.memberUpMs, 100, () => this.leader());
  }

  async leader(members: number[] = [0, 1, 2]): Promise<number | undefined> {
    const views = await Promise.all(members.map(async (i) => {
      const client = this.client(i);
      try {
        return (await client.maintenance.status({ deadline: new Date(Date.now() + limits.statusMs) })).leader;
      } catch {
        return undefined;
      } finally {
        client.close();
      }
    }));
    const leaderId = views[0];
    if (leaderId === undefined || leaderId === '0' || views.some((v) => v !== leaderId)) return undefined;
    const index = this.members.findIndex((m) => m.id === leaderId);
    return index >= 0 ? index : undefined;
  }

  kill(i: number): void {
    this.members[i]?.child?.kill('SIGKILL');
  }

  async restart(i: number): Promise<void> {
    await this.members[i]?.exited;
    this.members[i] = this.spawnMember(i);
    await this.waitServing(i);
    // Back in the cluster: it knows the leader and a write through it commits.
    await waitFor(`etcd: e${i + 1} back with a leader`, limits.memberUpMs, 100, async () => {
      const l = await this.leader();
      if (l === undefined) return undefined;
      const w = await this.writer(i);
      try { await w.write('bench/rejoined', String(i), 2_000); } finally { w.close(); }
      return true;
    });
  }

  async writer(i: number): Promise<Writer> {
    const client = this.client(i);
    // gRPC connects lazily: a status call opens the connection now, not in the first write.
    await withTimeout(client.maintenance.status(), limits.dialMs, `etcd: connect to e${i + 1}`).catch(() => undefined);
    return {
      write: async (key, value, timeoutMs) => { await client.put(key).value(value).options({ deadline: new Date(Date.now() + timeoutMs) }); },
      close: () => client.close(),
    };
  }

  pids(): number[] {
    return this.members.flatMap((m) => (m.child?.pid !== undefined && m.child.exitCode === null && m.child.signalCode === null ? [m.child.pid] : []));
  }

  async stop(): Promise<void> {
    for (const m of this.members) m.child?.kill('SIGTERM');
    const all = Promise.all(this.members.map((m) => m.exited));
    if (!(await Promise.race([all.then(() => true), sleep(limits.stopGraceMs).then(() => false)]))) {
      for (const m of this.members) m.child?.kill('SIGKILL');
      await all;
    }
    fs.rmSync(this.dataRoot, { recursive: true, force: true });
  }

  /** A client of member i alone, with the client's own retries and circuit breaker off: the benchmark retries. */
  private client(i: number): Etcd3Client {
    return new this.etcd3.Etcd3({
      hosts: [`http://${hostIp(this.plan, i)}:2379`],
      dialTimeout: limits.dialMs,
      faultHandling: { host: () => this.noop, global: this.noop },
    });
  }

  private spawnMember(i: number): Member {
    const ip = hostIp(this.plan, i);
    const cluster = [0, 1, 2].map((k) => `e${k + 1}=http://${hostIp(this.plan, k)}:2380`).join(',');
    const log = fs.openSync(join(this.plan.workDir, `etcd-e${i + 1}.log`), 'a');
    // `ip netns exec` execs etcd itself, so the child's pid is etcd's and SIGKILL reaches it.
    const child = spawn('ip', ['netns', 'exec', hostNetns(this.plan, i), 'etcd',
      '--name', `e${i + 1}`, '--data-dir', join(this.dataRoot, `e${i + 1}`),
      '--listen-peer-urls', `http://${ip}:2380`, '--initial-advertise-peer-urls', `http://${ip}:2380`,
      '--listen-client-urls', `http://${ip}:2379`, '--advertise-client-urls', `http://${ip}:2379`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'swarmts-bench-failover',
      '--heartbeat-interval', String(this.timing.heartbeatMs), '--election-timeout', String(this.timing.electionMs),
      '--log-level', 'warn'], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    return { child, exited, id: this.members[i]?.id };
  }

  /** Waits until member i answers a status call, and learns its member id. */
  private async waitServing(i: number): Promise<void> {
    const m = this.members[i]!;
    await waitFor(`etcd: e${i + 1} answers`, limits.memberUpMs, 100, async () => {
      if (m.child?.exitCode !== null || m.child?.signalCode !== null) throw new BenchError(`etcd e${i + 1} exited; see etcd-e${i + 1}.log`);
      const client = this.client(i);
      try {
        const s = await client.maintenance.status({ deadline: new Date(Date.now() + limits.statusMs) });
        m.id = s.header.member_id;
        return true;
      } finally {
        client.close();
      }
    });
  }
}
