/**
 * The swarmts half of the membership benchmark: N daemons, one per network-namespace host
 * made by netns.sh, measured the way serf.sh measures Serf, with a fresh cluster every round.
 *
 *   npx tsx scripts/bench/membership/swarmts.ts --n 20 --rounds 5 --log-dir DIR
 *       [--first-round 1] [--prefix mbr] [--subnet 213] [--settle-s 5] [--join sequential|parallel]
 *
 * join:   every daemon starts first (process startup is not membership); host 1 runs `init`;
 *         then the `join`s of hosts 2..N run one after another (`--join parallel`: all at
 *         once); t0 = just before the last join command starts. Converged when
 *         every daemon lists N `ready` members; the figure is the latest `statusChangedAt` of a
 *         ready member over all observers, minus t0, so polling granularity does not count.
 * detect: `--settle-s` later, SIGKILL of a random daemon in 2..N at tk; done when every other
 *         daemon shows it `down`; the figure is the latest `statusChangedAt` of the victim's row
 *         over the observers, minus tk.
 * false positives: distinct (observer, member) pairs in which a member other than the victim
 *         was seen `down` at any poll of the round, the last one after detection included.
 * idle cluster: CPU used by all daemons during the settle wait, in % of one core.
 *
 * Daemons are polled over their API sockets (`GET /v1/nodes`), not through the CLI. Times are
 * wall-clock milliseconds: one kernel clock serves every namespace.
 * Prints one line per round, then
 *   {"system":"swarmts","n":…,"join_s":[…],"detect_s":[…],"false_positives":…,"timeouts":…,
 *    "failed_rounds":…,"error":…}
 * where a timed-out or failed round is missing from its list and `error` is null or the first
 * failure of a cluster command, verbatim.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { SwarmBenchError, runCli, type CliResult } from './swarmts-cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainJs = join(repoRoot, 'dist/src/main.js');

/** Limits of one round; each names what it bounds. */
const limits = {
  daemonUpMs: 60_000,
  initMs: 30_000,
  joinCommandMs: 60_000,
  convergeMs: 60_000,
  detectMs: 60_000,
  /** Between polls of every daemon: coarse on purpose, the figures come from statusChangedAt. */
  pollIntervalMs: 500,
  requestMs: 2_000,
  /** SIGTERM to SIGKILL at the end of a round. */
  stopGraceMs: 3_000,
};

interface BenchOptions {
  n: number;
  rounds: number;
  firstRound: number;
  logDir: string;
  prefix: string;
  subnet: number;
  settleMs: number;
  joinMode: 'parallel' | 'sequential';
}

/** One row of `node ls --format json` / `GET /v1/nodes`. */
interface NodeRow {
  id: string;
  hostname: string;
  status: 'ready' | 'suspect' | 'down' | 'left';
  self: boolean;
  statusChangedAt: number;
}

interface Daemon {
  index: number;
  name: string;
  netns: string;
  ip: string;
  stateDir: string;
  client: ApiClient;
  child: ChildProcess;
  exited: Promise<void>;
}

interface RoundResult {
  joinS: number | undefined;
  detectS: number | undefined;
  falsePositives: number;
}

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '5' },
      'first-round': { type: 'string', default: '1' },
      'log-dir': { type: 'string' },
      prefix: { type: 'string', default: 'mbr' },
      subnet: { type: 'string', default: '213' },
      'settle-s': { type: 'string', default: '5' },
      join: { type: 'string', default: 'sequential' },
    },
  });
  const int = (name: string, raw: string | undefined, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer in ${min}..${max}, got ${raw}`);
    return n;
  };
  if (values['log-dir'] === undefined) throw new Error('--log-dir: required (where daemon logs and state directories go)');
  if (values.join !== 'parallel' && values.join !== 'sequential') throw new Error(`--join: expected parallel or sequential, got ${values.join}`);
  return {
    n: int('n', values.n, 2, 200),
    rounds: int('rounds', values.rounds, 1, 1000),
    firstRound: int('first-round', values['first-round'], 1, 1000),
    logDir: values['log-dir'],
    prefix: values.prefix ?? 'mbr',
    subnet: int('subnet', values.subnet, 1, 254),
    settleMs: int('settle-s', values['settle-s'], 0, 600) * 1000,
    joinMode: values.join,
  };
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const round3 = (n: number) => Number(n.toFixed(3));

function startDaemon(opts: BenchOptions, roundDir: string, tag: string, index: number): Daemon {
  const netns = `${opts.prefix}h${index}`;
  const stateDir = join(roundDir, `h${index}`);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = fs.openSync(join(roundDir, `h${index}.log`), 'a');
  const name = `${tag}h${index}`;
  // `ip netns exec` execs node itself, so child.pid is the daemon and SIGKILL reaches it.
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, mainJs, '--state-dir', stateDir, 'daemon', '--name', name, '--network', 'none'], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { index, name, netns, ip: `10.99.${opts.subnet}.${10 + index}`, stateDir, client: new ApiClient(join(stateDir, 'swarmts.sock')), child, exited };
}

async function waitUp(daemons: Daemon[]): Promise<void> {
  const deadline = Date.now() + limits.daemonUpMs;
  for (const d of daemons) {
    for (;;) {
      if (d.child.exitCode !== null || d.child.signalCode !== null) throw new SwarmBenchError(`daemon ${d.name} exited (${d.child.exitCode ?? d.child.signalCode}) before it answered; see its log`);
      try {
        await withTimeout(d.client.call('GET', '/v1/info'), limits.requestMs);
        break;
      } catch {
        if (Date.now() > deadline) throw new SwarmBenchError(`daemon ${d.name} did not answer /v1/info within ${limits.daemonUpMs} ms`);
        await sleep(50);
      }
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Every daemon's member list, or undefined for one that did not answer. */
async function pollAll(daemons: Daemon[]): Promise<(NodeRow[] | undefined)[]> {
  return Promise.all(daemons.map(async (d) => {
    try {
      const body = await withTimeout(d.client.call<unknown>('GET', '/v1/nodes'), limits.requestMs);
      return nodeRows(body);
    } catch {
      return undefined;
    }
  }));
}

/** Accepts the contract's bare array, or the same array under `nodes`. */
function nodeRows(body: unknown): NodeRow[] {
  const rows = Array.isArray(body) ? body : (body as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(rows)) throw new SwarmBenchError(`GET /v1/nodes: expected a JSON array of nodes, got ${JSON.stringify(body).slice(0, 200)}`);
  return rows as NodeRow[];
}

/** Remembers every (observer, member) pair seen `down` although the member was alive. */
class FalsePositiveWatch {
  private readonly downPairs = new Set<string>();
  private readonly suspectPairs = new Set<string>();
  victimId: string | undefined;

  see(observers: Daemon[], lists: (NodeRow[] | undefined)[]): void {
    lists.forEach((rows, i) => {
      for (const row of rows ?? []) {
        if (row.id === this.victimId) continue;
        const pair = `${observers[i]!.name} saw ${row.hostname || row.id}`;
        if (row.status === 'down') this.downPairs.add(pair);
        if (row.status === 'suspect') this.suspectPairs.add(pair);
      }
    });
  }

  get count(): number {
    return this.downPairs.size;
  }

  describe(): string {
    const down = [...this.downPairs].join(', ');
    return `${this.downPairs.size} down${down ? ` (${down})` : ''}, ${this.suspectPairs.size} spurious suspect`;
  }
}

async function runJoins(opts: BenchOptions, daemons: Daemon[], token: string): Promise<{ t0Ms: number; results: CliResult[] }> {
  const seed = daemons[0]!;
  const joinArgs = (d: Daemon) => ['--state-dir', d.stateDir, 'join', '--token', token, '--listen-addr', `${d.ip}:7946`, '--advertise-addr', `${d.ip}:7946`, `${seed.ip}:7946`];
  const joiners = daemons.slice(1);
  let t0Ms = 0;
  if (opts.joinMode === 'sequential') {
    const results: CliResult[] = [];
    for (const [k, d] of joiners.entries()) {
      if (k === joiners.length - 1) t0Ms = Date.now();
      results.push(await runCli(mainJs, joinArgs(d), limits.joinCommandMs));
    }
    return { t0Ms, results };
  }
  const running = joiners.map((d, k) => {
    if (k === joiners.length - 1) t0Ms = Date.now();
    return runCli(mainJs, joinArgs(d), limits.joinCommandMs);
  });
  return { t0Ms, results: await Promise.all(running) };
}

async function measureJoin(opts: BenchOptions, daemons: Daemon[], watch: FalsePositiveWatch): Promise<{ joinS: number | undefined; note: string }> {
  const seed = daemons[0]!;
  const init = await runCli(mainJs, ['--state-dir', seed.stateDir, 'init', '--listen-addr', `${seed.ip}:7946`, '--advertise-addr', `${seed.ip}:7946`, '--format', 'json'], limits.initMs);
  if (init.code !== 0) throw new SwarmBenchError(`swarmts init failed: ${init.describe()}`);
  let token: string;
  try {
    token = (JSON.parse(init.stdout) as { workerToken?: unknown }).workerToken as string;
    if (typeof token !== 'string' || token.length === 0) throw new Error('no workerToken');
  } catch (err) {
    throw new SwarmBenchError(`swarmts init --format json: expected {"workerToken": …}: ${(err as Error).message}; stdout was ${JSON.stringify(init.stdout.slice(0, 300))}`);
  }
  const { t0Ms, results } = await runJoins(opts, daemons, token);
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) throw new SwarmBenchError(`${failed.length} of ${results.length} swarmts joins failed (${opts.joinMode}); the first: ${failed[0]!.describe()}`);
  const lastJoinMs = Math.max(...results.map((r) => r.endMs)) - t0Ms;
  const deadline = Date.now() + limits.convergeMs;
  for (;;) {
    const lists = await pollAll(daemons);
    watch.see(daemons, lists);
    const converged = lists.every((rows) => rows !== undefined && rows.filter((r) => r.status === 'ready').length === opts.n);
    if (converged) {
      const newest = Math.max(...lists.flatMap((rows) => rows!.filter((r) => r.status === 'ready').map((r) => r.statusChangedAt)));
      return { joinS: (newest - t0Ms) / 1000, note: `join commands done +${(lastJoinMs / 1000).toFixed(3)} s` };
    }
    if (Date.now() > deadline) {
      const counts = lists.map((rows) => (rows === undefined ? '?' : rows.filter((r) => r.status === 'ready').length)).join(' ');
      return { joinS: undefined, note: `TIMEOUT after ${limits.convergeMs} ms; ready members per observer: ${counts}` };
    }
    await sleep(limits.pollIntervalMs);
  }
}

async function measureDetect(daemons: Daemon[], watch: FalsePositiveWatch): Promise<{ detectS: number | undefined; victim: Daemon; note: string }> {
  const victim = daemons[1 + Math.floor(Math.random() * (daemons.length - 1))]!;
  const own = (await pollAll([victim]))[0];
  if (own === undefined) throw new SwarmBenchError(`GET /v1/nodes on ${victim.name} (the chosen victim): no answer within ${limits.requestMs} ms`);
  const victimId = own.find((r) => r.self)?.id;
  if (victimId === undefined) throw new SwarmBenchError(`GET /v1/nodes on ${victim.name}: no row with "self": true`);
  const observers = daemons.filter((d) => d !== victim);
  victim.child.kill('SIGKILL');
  const tkMs = Date.now();
  watch.victimId = victimId;
  let firstSuspectMs = Infinity;
  const deadline = Date.now() + limits.detectMs;
  for (;;) {
    const lists = await pollAll(observers);
    watch.see(observers, lists);
    const rows = lists.map((l) => l?.find((r) => r.id === victimId));
    for (const row of rows) if (row?.status === 'suspect') firstSuspectMs = Math.min(firstSuspectMs, row.statusChangedAt);
    if (rows.every((row) => row?.status === 'down')) {
      const lastMs = Math.max(...rows.map((row) => row!.statusChangedAt));
      const suspect = Number.isFinite(firstSuspectMs) ? `first suspect seen +${((firstSuspectMs - tkMs) / 1000).toFixed(3)} s, ` : '';
      return { detectS: (lastMs - tkMs) / 1000, victim, note: suspect };
    }
    if (Date.now() > deadline) {
      const states = rows.map((row) => row?.status ?? '?').join(' ');
      return { detectS: undefined, victim, note: `TIMEOUT after ${limits.detectMs} ms; victim's status per observer: ${states}; ` };
    }
    await sleep(limits.pollIntervalMs);
  }
}

/** Stops every daemon of the round (SIGTERM, then SIGKILL) and removes its state directory. */
async function stopRound(daemons: Daemon[]): Promise<void> {
  for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
  const all = Promise.all(daemons.map((d) => d.exited));
  if (await Promise.race([all.then(() => true), sleep(limits.stopGraceMs).then(() => false)]) === false) {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await all;
  }
  for (const d of daemons) {
    fs.rmSync(d.stateDir, { recursive: true, force: true });
    // Containers would live under /swarmts/<name>; none run here, but leave no empty parent.
    for (const hierarchy of safeReaddir('/sys/fs/cgroup')) {
      for (const dir of [join('/sys/fs/cgroup', hierarchy, 'swarmts', d.name), join('/sys/fs/cgroup', 'swarmts', d.name)]) {
        try { fs.rmdirSync(dir); } catch { /* absent */ }
      }
    }
  }
}

/** The kernel's unit for process CPU times in /proc/<pid>/stat. */
const clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, clock ticks) used so far by the daemons still running. */
function cpuTicks(daemons: Daemon[]): number {
  let ticks = 0;
  for (const d of daemons) {
    try {
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = fs.readFileSync(`/proc/${d.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks;
}

function safeReaddir(dir: string): string[] {
  try { return fs.readdirSync(dir); } catch { return []; }
}

async function runRound(opts: BenchOptions, r: number, tag: string): Promise<RoundResult> {
  const roundDir = join(opts.logDir, `swarmts-n${opts.n}-r${r}`);
  const daemons = Array.from({ length: opts.n }, (_, i) => startDaemon(opts, roundDir, `${tag}r${r}`, i + 1));
  const watch = new FalsePositiveWatch();
  try {
    await waitUp(daemons);
    const join = await measureJoin(opts, daemons, watch);
    const ticks0 = cpuTicks(daemons);
    await sleep(opts.settleMs);
    const idleCpu = opts.settleMs > 0 ? `${Math.round((100 * (cpuTicks(daemons) - ticks0)) / clockTicksPerS / (opts.settleMs / 1000))}%` : '-';
    watch.see(daemons, await pollAll(daemons));
    const detect = await measureDetect(daemons, watch);
    const survivors = daemons.filter((d) => d !== detect.victim);
    watch.see(survivors, await pollAll(survivors));
    const js = join.joinS === undefined ? 'TIMEOUT' : `${join.joinS.toFixed(3)} s`;
    const ds = detect.detectS === undefined ? 'TIMEOUT' : `${detect.detectS.toFixed(3)} s`;
    console.log(`swarmts n=${opts.n} round ${r}: join ${js} (${join.note}; idle cluster ${idleCpu} of a core); killed h${detect.victim.index}: ${detect.note}down on all ${opts.n - 1} ${ds}; false positives ${watch.describe()}`);
    return { joinS: join.joinS, detectS: detect.detectS, falsePositives: watch.count };
  } finally {
    await stopRound(daemons);
  }
}

async function main(): Promise<void> {
  const opts = options();
  if (!fs.existsSync(mainJs)) throw new SwarmBenchError(`${mainJs} is missing: build with npx tsc -p ${join(repoRoot, 'tsconfig.json')}`);
  const tag = `mb${process.pid.toString(36)}`;
  const joins: number[] = [];
  const detects: number[] = [];
  let falsePositives = 0;
  let timeouts = 0;
  let error: string | null = null;
  let failedRounds = 0;
  for (let r = opts.firstRound; r < opts.firstRound + opts.rounds; r++) {
    try {
      const res = await runRound(opts, r, tag);
      if (res.joinS === undefined) timeouts++; else joins.push(round3(res.joinS));
      if (res.detectS === undefined) timeouts++; else detects.push(round3(res.detectS));
      falsePositives += res.falsePositives;
    } catch (err) {
      // Anything unexpected fails this round only; the daemons were already stopped.
      const message = err instanceof SwarmBenchError ? err.message : `unexpected: ${(err as Error).stack ?? String(err)}`;
      error ??= message;
      failedRounds++;
      console.log(`swarmts n=${opts.n} round ${r}: ${message}`);
    }
  }
  console.log(JSON.stringify({ system: 'swarmts', n: opts.n, join_s: joins, detect_s: detects, false_positives: falsePositives, timeouts, failed_rounds: failedRounds, error }));
}

await main();
