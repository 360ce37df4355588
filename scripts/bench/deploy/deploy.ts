/**
 * One half of the deploy benchmark (run.sh runs them all): time from `stack deploy` until
 * every replica of a busybox `sleep` service runs, `--rounds` times, for Docker swarm mode
 * (dockerd already running, see docker.sh) or swarmts (fresh daemons on `--hosts`
 * network-namespace hosts made by run.sh, all managers).
 *
 *   npx tsx scripts/bench/deploy/deploy.ts --system swarmts --hosts 1|3 --work-dir DIR --image-tar FILE
 *   npx tsx scripts/bench/deploy/deploy.ts --system docker --docker-sock PATH --work-dir DIR
 *       [--replicas 30] [--rounds 3] [--prefix dp] [--subnet 211] [--tag NAME]
 *
 * Per round: t0 just before the deploy command starts (`docker stack deploy` or `swarmts stack
 * deploy --detach`, a CLI process each, so both figures include one CLI start); the system's
 * API is then polled every 100 ms over its Unix socket (Docker: GET /tasks of the service;
 * swarmts: GET /v1/stacks/NAME/tasks) until `--replicas` tasks are in state running; the
 * figure is that poll's end minus t0. Then the stack is removed and the round waits until
 * no container is left. Prints one line per round, then
 *   {"system":…,"hosts":…,"replicas":…,"deploy_s":[…],"failed_rounds":…,"error":…}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { runCli } from '../membership/swarmts-cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainJs = join(repoRoot, 'dist/src/main.js');
/** Debian's 20.10 client: another, newer `docker` may come first on PATH. */
const dockerCli = '/usr/bin/docker';

const limits = {
  daemonUpMs: 60_000,
  clusterCallMs: 60_000,
  /** Until every member lists the others and a raft leader is known. */
  clusterUpMs: 90_000,
  importMs: 120_000,
  deployCommandMs: 120_000,
  /** From t0 until all replicas run; a round past this fails. */
  convergeMs: 300_000,
  pollIntervalMs: 100,
  requestMs: 10_000,
  /** After `stack rm`, until no container is left. */
  drainMs: 180_000,
  stopGraceMs: 5_000,
};

/** A setup or round step that cannot go on. */
class DeployBenchError extends Error {
  override readonly name = 'DeployBenchError';
}

interface Options {
  system: 'docker' | 'swarmts';
  hosts: number;
  replicas: number;
  rounds: number;
  workDir: string;
  prefix: string;
  subnet: number;
  imageTar: string;
  dockerSock: string;
  /** Prefix of the daemons' names, so of their cgroups (run.sh cleans up by it). */
  tag: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      system: { type: 'string' },
      hosts: { type: 'string', default: '1' },
      replicas: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '3' },
      'work-dir': { type: 'string' },
      prefix: { type: 'string', default: 'dp' },
      subnet: { type: 'string', default: '211' },
      'image-tar': { type: 'string', default: join(repoRoot, 'build/images/busybox.tar') },
      'docker-sock': { type: 'string', default: '' },
      tag: { type: 'string', default: `dp${process.pid.toString(36)}` },
    },
  });
  const int = (name: 'hosts' | 'replicas' | 'rounds' | 'subnet', min: number, max: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new DeployBenchError(`--${name}: expected an integer in ${min}..${max}, got ${values[name]}`);
    return n;
  };
  if (values.system !== 'docker' && values.system !== 'swarmts') throw new DeployBenchError(`--system: expected docker or swarmts, got ${values.system}`);
  if (!values['work-dir']) throw new DeployBenchError('--work-dir: required');
  if (values.system === 'docker' && !values['docker-sock']) throw new DeployBenchError('--docker-sock: required for --system docker');
  return {
    system: values.system, hosts: int('hosts', 1, 20), replicas: int('replicas', 1, 500), rounds: int('rounds', 1, 50),
    workDir: values['work-dir'], prefix: values.prefix ?? 'dp', subnet: int('subnet', 1, 254),
    imageTar: values['image-tar'] ?? '', dockerSock: values['docker-sock'] ?? '', tag: values.tag ?? 'dp',
  };
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Retries `probe` until it returns a value; DeployBenchError after `timeoutMs` (a DeployBenchError thrown by the probe ends it at once). */
async function waitFor<T>(what: string, timeoutMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof DeployBenchError) throw err;
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new DeployBenchError(`${what}: not within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}`);
    await sleep(intervalMs);
  }
}

/** A process's command line with spaces for NULs; empty when it is gone. */
function cmdline(pid: number): string {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return ''; }
}

function stackFile(dir: string, image: string, replicas: number): string {
  const file = join(dir, `stack-${replicas}.yml`);
  fs.writeFileSync(file, `version: "3.8"\nservices:\n  sleeper:\n    image: ${image}\n    command: ["sleep", "3600"]\n    deploy:\n      replicas: ${replicas}\n`);
  return file;
}

/** What a system offers a round. */
interface System {
  label: string;
  /** Runs the deploy command; resolves when it exited (rejects on failure). */
  deploy(stack: string): Promise<void>;
  /** Tasks of the stack in state running, and on how many distinct nodes they run. */
  running(stack: string): Promise<{ running: number; nodes: number }>;
  /**
   * A check after the timed part: containers running on all hosts whose process is alive
   * and runs `sleep` (swarmts: state running and /proc/<pid>/cmdline; Docker: its list of
   * running containers).
   */
  containersRunning(): Promise<number>;
  /** Removes the stack and waits until no container of it is left. */
  remove(stack: string): Promise<void>;
  stop(): Promise<void>;
}

// ---- swarmts -------------------------------------------------------------------------

interface Daemon { index: number; name: string; stateDir: string; client: ApiClient; child: ChildProcess; exited: Promise<void> }

async function swarmtsSystem(opts: Options): Promise<System> {
  if (!fs.existsSync(mainJs)) throw new DeployBenchError(`${mainJs} is missing: build with npx tsc -p tsconfig.json`);
  if (!fs.existsSync(opts.imageTar)) throw new DeployBenchError(`${opts.imageTar} is missing: scripts/build-busybox-image.sh build/images/busybox`);
  const tag = `${opts.tag}n${opts.hosts}`;
  const ip = (i: number) => `10.99.${opts.subnet}.${10 + i}`;
  const daemons: Daemon[] = [];
  for (let i = 1; i <= opts.hosts; i++) {
    const stateDir = join(opts.workDir, `swarmts-h${i}`);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const log = fs.openSync(join(opts.workDir, `swarmts-h${i}.log`), 'a');
    const name = `${tag}h${i}`;
    // nsenter, not `ip netns exec`: that also remounts /sys, hiding the cgroup mounts containers need;
    // it execs node itself, so child.pid is the daemon's.
    const child = spawn('nsenter', [`--net=/run/netns/${opts.prefix}h${i}`, '--', process.execPath, mainJs, '--state-dir', stateDir, 'daemon', '--name', name, '--network', 'none'], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    daemons.push({ index: i, name, stateDir, client: new ApiClient(join(stateDir, 'swarmts.sock')), child, exited: new Promise((done) => child.once('exit', () => done())) });
  }
  const stop = async () => {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
    const all = Promise.all(daemons.map((d) => d.exited));
    if (!(await Promise.race([all.then(() => true), sleep(limits.stopGraceMs).then(() => false)]))) {
      for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
      await all;
    }
  };
  try {
    for (const d of daemons) {
      await waitFor(`swarmts h${d.index} answers`, limits.daemonUpMs, 50, async () => {
        if (d.child.exitCode !== null || d.child.signalCode !== null) throw new DeployBenchError(`swarmts daemon h${d.index} exited; see swarmts-h${d.index}.log`);
        await withTimeout(d.client.call('GET', '/v1/info'), 2_000, 'GET /v1/info');
        return true;
      });
    }
    const call = async <T>(d: Daemon, method: string, path: string, body?: unknown): Promise<T> => {
      try {
        return await withTimeout(d.client.call<T>(method, path, body), limits.clusterCallMs, `${method} ${path}`);
      } catch (err) {
        throw new DeployBenchError(`swarmts h${d.index} ${method} ${path}: ${(err as Error).message}`);
      }
    };
    const first = daemons[0]!;
    const init = await call<{ managerToken: string }>(first, 'POST', '/v1/cluster/init', { listenAddress: `${ip(1)}:7946`, advertiseAddress: `${ip(1)}:7946` });
    for (const d of daemons.slice(1)) {
      await call(d, 'POST', '/v1/cluster/join', { token: init.managerToken, remoteAddress: `${ip(1)}:7946`, listenAddress: `${ip(d.index)}:7946`, advertiseAddress: `${ip(d.index)}:7946` });
    }
    await waitFor('swarmts: every daemon synced, with a leader and every member ready', limits.clusterUpMs, 200, async () => {
      for (const d of daemons) {
        const o = await withTimeout(d.client.call<{ synced: boolean; leader?: string }>('GET', '/v1/orchestration'), 2_000, 'GET /v1/orchestration');
        const nodes = await withTimeout(d.client.call<{ status: string }[]>('GET', '/v1/nodes'), 2_000, 'GET /v1/nodes');
        if (!o.synced || !o.leader || nodes.filter((n) => n.status === 'ready').length !== opts.hosts) return undefined;
      }
      return true;
    });
    // Every host has the image before t0, as Docker's one host has busybox:local.
    for (const d of daemons) {
      await withTimeout(d.client.upload(`/v1/images/import?reference=${encodeURIComponent('busybox:latest')}`, fs.createReadStream(opts.imageTar)), limits.importMs, `image import on h${d.index}`)
        .catch((err: Error) => { throw new DeployBenchError(`swarmts h${d.index} image import: ${err.message}`); });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const file = stackFile(opts.workDir, 'busybox:latest', opts.replicas);
  const first = daemons[0]!;
  const containersLeft = async () => {
    let n = 0;
    for (const d of daemons) n += (await withTimeout(d.client.call<unknown[]>('GET', '/v1/containers?all=1'), limits.requestMs, 'GET /v1/containers')).length;
    return n;
  };
  return {
    label: `swarmts ${opts.hosts} host${opts.hosts > 1 ? 's' : ''}`,
    async deploy(stack) {
      const r = await runCli(mainJs, ['--state-dir', first.stateDir, 'stack', 'deploy', '-c', file, '--detach', stack], limits.deployCommandMs);
      if (r.code !== 0) throw new DeployBenchError(`swarmts stack deploy failed: ${r.describe()}`);
    },
    async running(stack) {
      const tasks = await withTimeout(first.client.call<{ state: string; nodeId?: string }[]>('GET', `/v1/stacks/${encodeURIComponent(stack)}/tasks`), limits.requestMs, 'GET tasks');
      const running = tasks.filter((t) => t.state === 'running');
      return { running: running.length, nodes: new Set(running.map((t) => t.nodeId)).size };
    },
    async containersRunning() {
      let n = 0;
      for (const d of daemons) {
        const list = await withTimeout(d.client.call<{ state: string; pid?: number }[]>('GET', '/v1/containers'), limits.requestMs, 'GET /v1/containers');
        n += list.filter((c) => c.state === 'running' && c.pid !== undefined && cmdline(c.pid).includes('sleep')).length;
      }
      return n;
    },
    async remove(stack) {
      await withTimeout(first.client.call('DELETE', `/v1/stacks/${encodeURIComponent(stack)}`), limits.requestMs, 'DELETE stack');
      await waitFor(`swarmts: the containers of ${stack} removed`, limits.drainMs, 500, async () => ((await containersLeft()) === 0 ? true : undefined));
    },
    stop,
  };
}

// ---- Docker --------------------------------------------------------------------------

function dockerGet<T>(sock: string, path: string): Promise<T> {
  return withTimeout(new Promise<T>((resolveGet, reject) => {
    const req = request({ socketPath: sock, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`docker GET ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        else resolveGet(JSON.parse(text) as T);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  }), limits.requestMs, `docker GET ${path}`);
}

function runDocker(sock: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(dockerCli, ['-H', `unix://${sock}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { if (stderr.length < 8192) stderr += b.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun();
      else reject(new DeployBenchError(`docker ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

async function dockerSystem(opts: Options): Promise<System> {
  const sock = opts.dockerSock;
  const file = stackFile(opts.workDir, 'busybox:local', opts.replicas);
  const filter = (stack: string) => encodeURIComponent(JSON.stringify({ service: [`${stack}_sleeper`], 'desired-state': ['running'] }));
  return {
    label: 'docker 1 host',
    deploy: (stack) => runDocker(sock, ['stack', 'deploy', '-c', file, stack], limits.deployCommandMs),
    async running(stack) {
      const tasks = await dockerGet<{ Status?: { State?: string }; NodeID?: string }[]>(sock, `/tasks?filters=${filter(stack)}`);
      const running = tasks.filter((t) => t.Status?.State === 'running');
      return { running: running.length, nodes: new Set(running.map((t) => t.NodeID)).size };
    },
    async containersRunning() {
      return (await dockerGet<unknown[]>(sock, '/containers/json')).length;
    },
    async remove(stack) {
      await runDocker(sock, ['stack', 'rm', stack], limits.deployCommandMs);
      await waitFor(`docker: the containers of ${stack} removed`, limits.drainMs, 500, async () => {
        const left = await dockerGet<unknown[]>(sock, '/containers/json?all=1');
        return left.length === 0 ? true : undefined;
      });
    },
    async stop() { /* docker.sh stops dockerd */ },
  };
}

// ---- rounds --------------------------------------------------------------------------

async function round(sys: System, opts: Options, r: number): Promise<number> {
  const stack = `bench${r}`;
  const t0 = performance.now();
  await sys.deploy(stack);
  const deployedS = (performance.now() - t0) / 1000;
  let seen = { running: 0, nodes: 0 };
  try {
    for (;;) {
      seen = await sys.running(stack).catch(() => seen);
      const s = (performance.now() - t0) / 1000;
      if (seen.running >= opts.replicas) {
        const check = await sys.containersRunning().then((n) => `${n} containers running sleep`, (err: Error) => `container check failed: ${err.message}`);
        console.log(`${sys.label} round ${r} (load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}): ${opts.replicas} replicas running on ${seen.nodes} node(s) after ${s.toFixed(2)} s (deploy command returned after ${deployedS.toFixed(2)} s; then ${check})`);
        return s;
      }
      if (s * 1000 > limits.convergeMs) throw new DeployBenchError(`${sys.label} round ${r}: only ${seen.running} of ${opts.replicas} replicas running after ${limits.convergeMs / 1000} s`);
      await sleep(limits.pollIntervalMs);
    }
  } finally {
    await sys.remove(stack);
  }
}

async function main(): Promise<void> {
  let opts: Options | undefined;
  const deployS: number[] = [];
  let failedRounds = 0;
  let error: string | null = null;
  let sys: System | undefined;
  try {
    opts = options();
    sys = opts.system === 'docker' ? await dockerSystem(opts) : await swarmtsSystem(opts);
    for (let r = 1; r <= opts.rounds; r++) {
      try {
        deployS.push(Number((await round(sys, opts, r)).toFixed(2)));
      } catch (err) {
        failedRounds++;
        error ??= (err as Error).message;
        console.log(`${sys.label} round ${r}: ${(err as Error).message}`);
        if (err instanceof DeployBenchError && /removed: not within/.test(err.message)) break;
      }
    }
  } catch (err) {
    error ??= err instanceof DeployBenchError ? err.message : `unexpected: ${(err as Error).stack ?? String(err)}`;
    console.log(`${opts?.system ?? 'deploy'}: ${error}`);
  } finally {
    await sys?.stop();
  }
  console.log(JSON.stringify({ system: opts?.system ?? null, hosts: opts?.hosts ?? null, replicas: opts?.replicas ?? null, deploy_s: deployS, failed_rounds: failedRounds, error }));
  process.exit(0);
}

await main();
