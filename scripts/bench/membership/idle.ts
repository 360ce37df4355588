/**
 * What a swarmts cluster costs when nothing happens, and what each join costs: starts N
 * daemons on the hosts netns.sh made, joins them one after another (printing each join's
 * CLI time and the CPU the joiner, the seed and the others used meanwhile), waits until
 * all agree, then holds for `--hold-s` and prints each daemon's CPU over the hold (% of one
 * core) and the suspicions the daemons logged meanwhile. A diagnostic beside run.sh, not
 * part of its figures.
 *
 *   sudo MB_PREFIX=mbi MB_SUBNET=214 scripts/bench/membership/netns.sh up 20
 *   sudo npx tsx scripts/bench/membership/idle.ts --n 20 --prefix mbi --subnet 214 --hold-s 20 \
 *       [--log-dir DIR] [--join-settle-s S] [--cpu-prof K]
 *
 * `--join-settle-s S` waits S seconds after each join before the next, so that each join's
 * CPU is counted apart. `--cpu-prof K` runs daemon K under `node --cpu-prof`: its profile
 * (its whole life, written at SIGTERM) lands in DIR/prof. Daemons are stopped and their
 * state directories removed at the end; the logs stay in DIR.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { runCli } from './swarmts-cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainJs = join(repoRoot, 'dist/src/main.js');
/** Limits of one run; each names what it bounds. */
const limits = { daemonUpMs: 60_000, commandMs: 60_000, convergeMs: 60_000, requestMs: 2_000, stopGraceMs: 5_000 };

interface Daemon { index: number; ip: string; stateDir: string; log: string; client: ApiClient; child: ChildProcess; exited: Promise<void> }

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    prefix: { type: 'string', default: 'mbi' },
    subnet: { type: 'string', default: '214' },
    'hold-s': { type: 'string', default: '20' },
    'log-dir': { type: 'string' },
    'cpu-prof': { type: 'string', default: '0' },
    'join-settle-s': { type: 'string', default: '0' },
  },
});
const n = Number(values.n);
const holdMs = Number(values['hold-s']) * 1000;
const profiled = Number(values['cpu-prof']);
/** Wait after each join command before the next, so each join's CPU is counted apart. */
const joinSettleMs = Number(values['join-settle-s']) * 1000;
const logDir = values['log-dir'] ?? fs.mkdtempSync('/tmp/swarmts-idle.');
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function start(index: number): Daemon {
  const stateDir = join(logDir, `h${index}`);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = join(logDir, `h${index}.log`);
  const fd = fs.openSync(log, 'a');
  const prof = index === profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(logDir, 'prof')}`] : [];
  const child = spawn('ip', ['netns', 'exec', `${values.prefix}h${index}`, process.execPath, ...prof, mainJs, '--state-dir', stateDir, 'daemon', '--name', `idle-h${index}`, '--network', 'none'], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { index, ip: `10.99.${values.subnet}.${10 + index}`, stateDir, log, client: new ApiClient(join(stateDir, 'swarmts.sock')), child, exited };
}

function ticks(d: Daemon): number {
  try {
    const fields = fs.readFileSync(`/proc/${d.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function nodes(d: Daemon): Promise<Array<{ status: string }> | undefined> {
  try {
    return await Promise.race([d.client.call<Array<{ status: string }>>('GET', '/v1/nodes'), sleep(limits.requestMs).then(() => undefined)]);
  } catch {
    return undefined;
  }
}

function countLines(file: string, pattern: RegExp): number {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((line) => pattern.test(line)).length;
  } catch {
    return 0;
  }
}

const daemons = Array.from({ length: n }, (_, i) => start(i + 1));
try {
  for (const d of daemons) {
    const deadline = Date.now() + limits.daemonUpMs;
    while (await d.client.call('GET', '/v1/info').then(() => false, () => true)) {
      if (Date.now() > deadline) throw new Error(`daemon h${d.index} did not come up`);
      await sleep(50);
    }
  }
  const seed = daemons[0]!;
  const init = await runCli(mainJs, ['--state-dir', seed.stateDir, 'init', '--listen-addr', `${seed.ip}:7946`, '--advertise-addr', `${seed.ip}:7946`, '--format', 'json'], limits.commandMs);
  if (init.code !== 0) throw new Error(init.describe());
  const token = (JSON.parse(init.stdout) as { workerToken: string }).workerToken;
  const t0 = Date.now();
  const joinTicks0 = daemons.map(ticks);
  const perJoin: string[] = [];
  for (const d of daemons.slice(1)) {
    const before = daemons.map(ticks);
    const startMs = Date.now();
    const r = await runCli(mainJs, ['--state-dir', d.stateDir, 'join', '--token', token, '--listen-addr', `${d.ip}:7946`, '--advertise-addr', `${d.ip}:7946`, `${seed.ip}:7946`], limits.commandMs);
    if (r.code !== 0) throw new Error(r.describe());
    const cliMs = Date.now() - startMs;
    if (joinSettleMs > 0) await sleep(joinSettleMs);
    const used = daemons.map((x, i) => (ticks(x) - before[i]!) * (1000 / clockTicksPerS));
    const others = used.reduce((a, b) => a + b, 0) - used[0]! - used[d.index - 1]!;
    perJoin.push(`h${d.index}: cli ${cliMs} ms, cpu ms joiner ${used[d.index - 1]!.toFixed(0)} seed ${used[0]!.toFixed(0)} others ${others.toFixed(0)}`);
  }
  console.log(perJoin.join('\n'));
  const joinedMs = Date.now() - t0;
  const deadline = Date.now() + limits.convergeMs;
  for (;;) {
    const lists = await Promise.all(daemons.map(nodes));
    if (lists.every((rows) => rows?.filter((r) => r.status === 'ready').length === n)) break;
    if (Date.now() > deadline) {
      console.log(`no convergence in ${limits.convergeMs} ms, ready per daemon: ${lists.map((rows) => rows?.filter((r) => r.status === 'ready').length ?? '?').join(' ')}; holding anyway`);
      break;
    }
    await sleep(250);
  }
  const convergedMs = Date.now() - t0;
  const joinCpuS = daemons.reduce((sum, d, i) => sum + (ticks(d) - joinTicks0[i]!) / clockTicksPerS, 0);
  const suspectsBefore = daemons.map((d) => countLines(d.log, /member suspect/));
  const before = daemons.map(ticks);
  await sleep(holdMs);
  const cpu = daemons.map((d, i) => (100 * (ticks(d) - before[i]!)) / clockTicksPerS / (holdMs / 1000));
  const suspects = daemons.map((d, i) => countLines(d.log, /member suspect/) - suspectsBefore[i]!);
  const total = cpu.reduce((a, b) => a + b, 0);
  console.log(`n=${n}: joins done ${joinedMs} ms, all ready ${convergedMs} ms after the first join; the daemons used ${joinCpuS.toFixed(2)} CPU-s meanwhile (${((1000 * joinCpuS) / (n - 1)).toFixed(0)} ms per join)`);
  console.log(`idle over ${holdMs / 1000} s: cluster ${total.toFixed(0)}% of a core, per daemon ${cpu.map((c) => c.toFixed(1)).join(' ')}`);
  console.log(`suspicions logged during the hold: ${suspects.reduce((a, b) => a + b, 0)} (${suspects.join(' ')})`);
  console.log(JSON.stringify({ n, joinCpuMsPerJoin: Math.round((1000 * joinCpuS) / (n - 1)), holdS: holdMs / 1000, clusterCpuPct: Number(total.toFixed(1)), daemonCpuPctMedian: Number(cpu.sort((a, b) => a - b)[Math.floor(n / 2)]!.toFixed(1)), suspects: suspects.reduce((a, b) => a + b, 0) }));
} finally {
  for (const d of daemons) d.child.kill('SIGTERM');
  await Promise.race([Promise.all(daemons.map((d) => d.exited)), sleep(limits.stopGraceMs)]);
  for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  for (const d of daemons) fs.rmSync(d.stateDir, { recursive: true, force: true });
  console.log(`logs in ${logDir}`);
}
