/**
 * The swarmts half of the failover benchmark: three daemons, one per network-namespace
 * host, joined as managers (the cluster makes all three raft voters). Driven over each
 * daemon's API socket, which the root namespace reaches because it is a file.
 *
 * The small write is `POST /v1/nodes/<own id>/update {"labelsAdd":{"bench":"<n>"}}` through
 * the daemon the writer is bound to, which forwards it to the raft leader; the answer comes
 * once the change is committed and applied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { BenchError, hostIp, hostNetns, sleep, waitFor, withTimeout, type BenchCluster, type HostPlan, type Writer } from './cluster.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainJs = join(repoRoot, 'dist/src/main.js');

const limits = {
  /** A daemon process until its API answers. */
  daemonUpMs: 60_000,
  /** init, join-token, join: each. */
  clusterCallMs: 60_000,
  /** A fresh cluster until 3 voters and an agreed leader; a restarted member until it is back. */
  clusterUpMs: 60_000,
  /** One status request. */
  requestMs: 2_000,
  /** Sockets per writer: more than the throughput phase keeps in flight. */
  socketsMax: 64,
  stopGraceMs: 3_000,
};

/** GET /v1/orchestration, as api-orchestration.ts defines it. */
interface OrchestrationStatus {
  synced: boolean;
  leader: string | undefined;
  isLeader: boolean;
  voters: string[];
  applied: number;
}

interface Daemon {
  name: string;
  stateDir: string;
  client: ApiClient;
  child: ChildProcess;
  exited: Promise<void>;
  nodeId: string | undefined;
}

/** Three swarmts daemons on the hosts of `plan`. */
export class SwarmtsCluster implements BenchCluster {
  readonly system = 'swarmts';
  readonly size = 3;
  private readonly daemons: Daemon[] = [];
  private readonly tag = `fo${process.pid.toString(36)}`;

  constructor(private readonly plan: HostPlan) {}

  async start(): Promise<void> {
    if (!fs.existsSync(mainJs)) throw new BenchError(`${mainJs} is missing: build with npx tsc -p ${join(repoRoot, 'tsconfig.json')}`);
    for (let i = 0; i < this.size; i++) this.daemons[i] = this.spawnDaemon(i);
    for (let i = 0; i < this.size; i++) await this.waitAnswering(i);
    const addr = (i: number) => `${hostIp(this.plan, i)}:7946`;
    const init = await this.call<{ nodeId: string; managerToken: string }>(0, 'POST', '/v1/cluster/init', { listenAddress: addr(0), advertiseAddress: addr(0) }, 'init');
    for (let i = 1; i < this.size; i++) {
      await this.call(i, 'POST', '/v1/cluster/join', { token: init.managerToken, remoteAddress: addr(0), listenAddress: addr(i), advertiseAddress: addr(i) }, 'join');
    }
    for (let i = 0; i < this.size; i++) {
      const status = await this.call<{ nodeId?: string }>(i, 'GET', '/v1/cluster', undefined, 'GET /v1/cluster');
      this.daemons[i]!.nodeId = status.nodeId;
    }
    await waitFor('swarmts: 3 voters and a leader every daemon agrees on', limits.clusterUpMs, 100, () => this.agreedWithVoters([0, 1, 2]));
  }

  async leader(members: number[] = [0, 1, 2]): Promise<number | undefined> {
    const views = await Promise.all(members.map((i) => this.status(i).catch(() => undefined)));
    const leaderId = views[0]?.leader;
    if (leaderId === undefined || views.some((v) => v?.leader !== leaderId)) return undefined;
    const index = this.daemons.findIndex((d) => d.nodeId === leaderId);
    return index >= 0 ? index : undefined;
  }

  kill(i: number): void {
    this.daemons[i]?.child.kill('SIGKILL');
  }

  async restart(i: number): Promise<void> {
    await this.daemons[i]!.exited;
    const nodeId = this.daemons[i]!.nodeId;
    this.daemons[i] = { ...this.spawnDaemon(i), nodeId };
    await this.waitAnswering(i);
    await waitFor(`swarmts: h${i + 1} back as a voter with the leader every daemon agrees on`, limits.clusterUpMs, 100, async () => {
      if ((await this.agreedWithVoters([0, 1, 2])) === undefined) return undefined;
      const w = await this.writer(i);
      try { await w.write('bench/rejoined', String(i), limits.requestMs); } finally { w.close(); }
      return true;
    });
  }

  async writer(i: number): Promise<Writer> {
    const d = this.daemons[i]!;
    if (d.nodeId === undefined) throw new BenchError(`swarmts: h${i + 1} has no node id`);
    const path = `/v1/nodes/${encodeURIComponent(d.nodeId)}/update`;
    const agent = new Agent({ keepAlive: true, maxSockets: limits.socketsMax });
    let n = 0;
    return {
      write: (_key, _value, timeoutMs) => post(d.stateDir, agent, path, { labelsAdd: { bench: String(++n) } }, timeoutMs),
      close: () => agent.destroy(),
    };
  }

  pids(): number[] {
    return this.daemons.flatMap((d) => (d.child.pid !== undefined && d.child.exitCode === null && d.child.signalCode === null ? [d.child.pid] : []));
  }

  async stop(): Promise<void> {
    for (const d of this.daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
    const all = Promise.all(this.daemons.map((d) => d.exited));
    if (!(await Promise.race([all.then(() => true), sleep(limits.stopGraceMs).then(() => false)]))) {
      for (const d of this.daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
      await all;
    }
    for (const d of this.daemons) {
      fs.rmSync(d.stateDir, { recursive: true, force: true });
      removeCgroups(d.name);
    }
  }

  /** The agreed leader's index when every member in `members` also lists 3 voters and is synced. */
  private async agreedWithVoters(members: number[]): Promise<number | undefined> {
    const views = await Promise.all(members.map((i) => this.status(i)));
    if (views.some((v) => !v.synced || v.voters.length !== this.size)) return undefined;
    return this.leader(members);
  }

  private status(i: number): Promise<OrchestrationStatus> {
    return withTimeout(this.daemons[i]!.client.call<OrchestrationStatus>('GET', '/v1/orchestration'), limits.requestMs, `swarmts h${i + 1} GET /v1/orchestration`);
  }

  private async call<T>(i: number, method: string, path: string, body: unknown, what: string): Promise<T> {
    try {
      return await withTimeout(this.daemons[i]!.client.call<T>(method, path, body), limits.clusterCallMs, what);
    } catch (err) {
      throw new BenchError(`swarmts h${i + 1} ${what} (${method} ${path}) failed: ${(err as Error).message}`);
    }
  }

  private spawnDaemon(i: number): Daemon {
    const stateDir = join(this.plan.workDir, 'swarmts', `h${i + 1}`);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const log = fs.openSync(join(this.plan.workDir, `swarmts-h${i + 1}.log`), 'a');
    const name = `${this.tag}h${i + 1}`;
    // `ip netns exec` execs node itself, so child.pid is the daemon's and SIGKILL reaches it.
    const child = spawn('ip', ['netns', 'exec', hostNetns(this.plan, i), process.execPath, ...(process.env['FO_CPU_PROF_DIR'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['FO_CPU_PROF_DIR']] : []), mainJs, '--state-dir', stateDir, 'daemon', '--name', name, '--network', 'none'], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    return { name, stateDir, client: new ApiClient(join(stateDir, 'swarmts.sock')), child, exited, nodeId: undefined };
  }

  private async waitAnswering(i: number): Promise<void> {
    const d = this.daemons[i]!;
    await waitFor(`swarmts: daemon h${i + 1} answers /v1/info`, limits.daemonUpMs, 50, async () => {
      if (d.child.exitCode !== null || d.child.signalCode !== null) throw new BenchError(`swarmts daemon h${i + 1} exited (${d.child.exitCode ?? d.child.signalCode}); see swarmts-h${i + 1}.log`);
      await withTimeout(d.client.call('GET', '/v1/info'), limits.requestMs, 'GET /v1/info');
      return true;
    });
  }
}

/** POST of a JSON body over the daemon's socket on a kept-alive connection; rejects on >= 400 or after timeoutMs. */
function post(stateDir: string, agent: Agent, path: string, body: unknown, timeoutMs: number): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolvePost, reject) => {
    const req = request({
      socketPath: join(stateDir, 'swarmts.sock'), agent, method: 'POST', path, signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        if (status < 400) resolvePost();
        else reject(new Error(`HTTP ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Containers would live under /swarmts/<name>; none run here, but leave no empty parent. */
function removeCgroups(name: string): void {
  let hierarchies: string[] = [];
  try { hierarchies = fs.readdirSync('/sys/fs/cgroup'); } catch { /* no cgroupfs */ }
  for (const h of hierarchies) {
    for (const dir of [join('/sys/fs/cgroup', h, 'swarmts', name), join('/sys/fs/cgroup', 'swarmts', name)]) {
      try { fs.rmdirSync(dir); } catch { /* absent */ }
    }
  }
}
