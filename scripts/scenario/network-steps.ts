/**
 * Carrying out the service networking steps: `requests`, `lookup`, `reachable` and
 * `unreachable`. Each attempt runs one probe (network-probes.ts) and judges it against what
 * the cluster says at that moment (network-judge.ts): the running tasks of the service on
 * hosts whose daemon runs, with their addresses, and the service's VIP. Attempts repeat
 * until one holds or `within` passes; an attempt that began before the deadline runs to
 * its end, so that no probe is left sending requests into a later step.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { apiErrorText, apiGet } from './daemon-api.js';
import { formatMs } from './duration.js';
import { containersOn, hostOfTaskIn, learnNodeIds, resolveHost, tasksOf, apiReadTimeoutMs } from './cluster-views.js';
import { judgeLookup, judgeReach, judgeRequests, parseLookup, parseReachLines, parseRequestLines, type AttemptVerdict, type ExpectedTask, type RequestOutcome } from './network-judge.js';
import { execScript, lookupScript, reachScript, requestFromRunner, requestsScript } from './network-probes.js';
import { isRunning, runningContainersOf } from './orchestration-lists.js';
import type { NetworkStep, ProbeContainer } from './scenario-types.js';
import type { ScenarioWorld } from './scenario-world.js';
import { StepFailed } from './step-failed.js';

/** Pause between attempts: an attempt is one exec (~20-60 ms) plus the probe itself. */
const attemptPauseMs = 100;

/** What the cluster says when an attempt is judged. */
interface Truth {
  tasks: ExpectedTask[];
  /** Set for a lookup of the VIP and for reach checks; undefined when the service has none. */
  vip?: string | undefined;
}

/** An attempt: its verdict, and the cluster's answer it was judged against (for timings). */
interface Attempt {
  verdict: AttemptVerdict;
  /** Identifies what was expected: the first time it was seen is reported. */
  expectedKey: string;
}

/** Resolves with the detail for the step's line; throws StepFailed. */
export async function executeNetworkStep(step: NetworkStep, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const attempt = await attemptFor(step, world, signal);
  return untilHolds(step, attempt, world, signal);
}

async function attemptFor(step: NetworkStep, world: ScenarioWorld, signal: AbortSignal): Promise<() => Promise<Attempt>> {
  switch (step.kind) {
    case 'requests': {
      const t = step.target;
      if (t.kind === 'hosts') return () => requestsFromRunner(step, t.hosts, world, signal);
      const on = await resolveHost(t.on, world, signal);
      return async () => {
        const truth = await truthOf(world, on, step.service, false, signal);
        const short = tooFew(truth, step.running);
        if (short) return short;
        const { script, timeoutMs } = requestsScript(t.to, step.port, step.count);
        const result = await execIn(world, on, t, script, timeoutMs, signal);
        const names = truth.tasks.map((x) => x.name);
        return { verdict: withExecError(judgeRequests(parseRequestLines(result.output), names, step.balance, step.count), result), expectedKey: keyOf(truth) };
      };
    }
    case 'lookup': {
      const on = await resolveHost(step.on, world, signal);
      return async () => {
        const truth = step.service ? await truthOf(world, on, step.service, step.answer === 'vip', signal) : { tasks: [] };
        const short = tooFew(truth, step.running);
        if (short) return short;
        const addresses = step.answer === 'vip' ? (truth.vip ? [truth.vip] : []) : truth.tasks.map((x) => x.address);
        const { script, timeoutMs } = lookupScript(step.name);
        const result = await execIn(world, on, step, script, timeoutMs, signal);
        const verdict = result.error ? failed(`exec: ${result.error}`) : judgeLookup(parseLookup(result.output, result.code ?? -1), step.answer, addresses);
        return { verdict, expectedKey: keyOf(truth) };
      };
    }
    case 'reachable':
    case 'unreachable': {
      const on = await resolveHost(step.on, world, signal);
      return async () => {
        const truth = await truthOf(world, on, step.service, true, signal);
        const names = truth.tasks.map((x) => x.name);
        const targets = new Map<string, string[]>(truth.tasks.map((x) => [x.address, [x.name]]));
        if (truth.vip) targets.set(truth.vip, names);
        if (targets.size === 0) return { verdict: judgeReach([], targets, step.kind === 'reachable'), expectedKey: keyOf(truth) };
        const { script, timeoutMs } = reachScript([...targets.keys()], step.port);
        const result = await execIn(world, on, step, script, timeoutMs, signal);
        return { verdict: withExecError(judgeReach(parseReachLines(result.output), targets, step.kind === 'reachable'), result), expectedKey: keyOf(truth) };
      };
    }
  }
}

/**
 * Attempts until one holds (and, with `for`, every later one until that long has passed).
 * The detail says how long after the step began it first held, and since when the cluster
 * listed what it was judged against, when that changed during the step.
 */
async function untilHolds(step: NetworkStep, attempt: () => Promise<Attempt>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const started = Date.now();
  let heldSince: number | undefined;
  let heldAtFirst = false;
  let attempts = 0;
  let expectedKey: string | undefined;
  let expectedSince = started;
  for (;;) {
    // The attempt asks the cluster first thing: when it began is when that answer was true.
    const attemptStarted = Date.now();
    // A daemon that cannot answer this once (its API busy) fails the attempt, not the step.
    const { verdict, expectedKey: key } = await attempt().catch((err: unknown) => {
      if (!(err instanceof StepFailed)) throw err;
      return { verdict: failed(err.message), expectedKey: expectedKey ?? '' };
    });
    signal.throwIfAborted();
    attempts++;
    const now = Date.now();
    if (expectedKey !== undefined && key !== expectedKey) expectedSince = attemptStarted;
    expectedKey = key;
    if (verdict.pass) {
      if (heldSince === undefined) [heldSince, heldAtFirst] = [now, attempts === 1];
      if (now - heldSince >= step.holdMs) {
        const listed = expectedSince > started ? `; the cluster listed that from ${formatMs(expectedSince - started)}` : '';
        const change = world.lastChange;
        // Held at the first attempt: it may have held earlier, the figure is only a bound.
        const since = change ? `, ${heldAtFirst ? '<= ' : ''}${preciseMs(heldSince - change.atMs)} after "${change.what}"` : '';
        return `${verdict.summary}; held after ${formatMs(heldSince - started)} (${attempts} attempt${attempts === 1 ? '' : 's'})${since}${step.holdMs ? `, and for ${formatMs(now - heldSince)}` : ''}${listed}`;
      }
    } else if (heldSince !== undefined) {
      throw new StepFailed(report(`held from ${formatMs(heldSince - started)} but stopped holding after ${formatMs(now - heldSince)}, before ${formatMs(step.holdMs)}`, verdict));
    } else if (now - started >= step.withinMs) {
      throw new StepFailed(report(`not met within ${formatMs(step.withinMs)} (${attempts} attempt${attempts === 1 ? '' : 's'}); last attempt`, verdict));
    }
    await delay(attemptPauseMs, undefined, { signal });
  }
}

/** `1.23 s`: the DNS and LB update times are compared with a one-second goal. */
function preciseMs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function report(what: string, verdict: AttemptVerdict): string {
  return [`${what}: ${verdict.summary}`, ...verdict.lines.map((l) => `  ${l}`)].join('\n');
}

/** What an attempt was judged against, as one comparable string. */
function keyOf(truth: Truth): string {
  return [...truth.tasks.map((t) => `${t.name}@${t.address}`).sort(), truth.vip ?? ''].join(' ');
}

/** A failed attempt, judged without a probe, while not exactly `running` tasks run. */
function tooFew(truth: Truth, running: number | undefined): Attempt | undefined {
  if (running === undefined || truth.tasks.length === running) return undefined;
  const names = truth.tasks.map((t) => t.name).sort();
  return { verdict: failed(`${truth.tasks.length} running task${truth.tasks.length === 1 ? '' : 's'} (${names.join(' ') || 'none'}), waiting for ${running}`), expectedKey: keyOf(truth) };
}

function failed(line: string): AttemptVerdict {
  return { pass: false, summary: line, lines: [line] };
}

/** An exec that broke fails the attempt whatever its partial output showed. */
function withExecError(verdict: AttemptVerdict, result: { error?: string }): AttemptVerdict {
  return result.error ? { pass: false, summary: verdict.summary, lines: [`exec: ${result.error}`, ...verdict.lines] } : verdict;
}

/** Runs the script in a running container of `from` on `on`; an attempt with none fails. */
async function execIn(world: ScenarioWorld, on: string, c: ProbeContainer, script: string, timeoutMs: number, signal: AbortSignal) {
  const seen = (await containersOn(world, [on], signal)).get(on)!;
  if ('error' in seen) return { code: null, output: '', error: `cannot list the containers of ${on}: ${seen.error}` };
  const [id] = runningContainersOf(seen.containers, c.from);
  if (!id) return { code: null, output: '', error: `no container of ${c.from} runs on ${on}` };
  return execScript(world.stateDir(on), id, script, timeoutMs, signal);
}

/**
 * The service's running tasks (state and desired state running) on hosts whose daemon runs,
 * as `observer` lists them, and with `withVip` its VIP (`GET /v1/services/:ref`).
 */
async function truthOf(world: ScenarioWorld, observer: string, service: string, withVip: boolean, signal: AbortSignal): Promise<Truth> {
  const [seen, detail] = await Promise.all([
    tasksOf(world, [observer], service, signal),
    withVip ? apiGet(world.stateDir(observer), `/v1/services/${encodeURIComponent(service)}`, apiReadTimeoutMs, signal) : undefined,
  ]);
  await learnNodeIds(world, signal);
  const view = seen.get(observer)!;
  if ('error' in view) throw new StepFailed(`${observer} cannot list the tasks of ${service}: ${view.error}`);
  if ('absent' in view) throw new StepFailed(`${observer} knows no service ${service}`);
  const hostOf = hostOfTaskIn(world);
  const tasks = view.tasks
    .filter((t) => isRunning(t) && t.address !== undefined)
    .filter((t) => world.names.includes(hostOf(t)) && world.daemon(hostOf(t)).running)
    .map((t) => ({ name: t.name, address: t.address! }));
  if (!detail) return { tasks };
  if (!detail.ok) throw new StepFailed(`${observer} cannot describe ${service}: ${detail.error}`);
  if (detail.status !== 200) throw new StepFailed(`${observer} cannot describe ${service}: ${apiErrorText(detail)}`);
  const vip = (detail.body as { endpoint?: { vip?: unknown } }).endpoint?.vip;
  return { tasks, vip: typeof vip === 'string' && vip !== '' ? vip : undefined };
}

/**
 * `count` requests to each host's address, one host after another, from this process:
 * every host's answers must be balanced on their own (each host balances with its own rules).
 */
async function requestsFromRunner(step: Extract<NetworkStep, { kind: 'requests' }>, hosts: 'all-running' | string[], world: ScenarioWorld, signal: AbortSignal): Promise<Attempt> {
  const targets = world.observers(hosts);
  const observer = world.observers('all-running')[0];
  if (!observer || targets.length === 0) return { verdict: failed('no running member to ask or to send requests to'), expectedKey: '-' };
  const truth = await truthOf(world, observer, step.service, false, signal);
  const short = tooFew(truth, step.running);
  if (short) return short;
  const names = truth.tasks.map((x) => x.name);
  const summaries: string[] = [];
  const lines: string[] = [];
  const answered = new Set<string>();
  for (const h of targets) {
    const outcomes: RequestOutcome[] = [];
    for (let i = 0; i < step.count; i++) outcomes.push(await requestFromRunner(world.host(h).ip, step.port, signal));
    for (const o of outcomes) if (o.code === 0) answered.add(o.body);
    const verdict = judgeRequests(outcomes, names, step.balance, step.count);
    summaries.push(`${h} ${verdict.summary}`);
    lines.push(...verdict.lines.map((l) => `${h} (${world.host(h).ip}:${step.port}): ${l}`));
  }
  const silent = names.filter((n) => !answered.has(n));
  if (silent.length && lines.length === 0) lines.push(`over all hosts, never answered by ${silent.join(', ')}`);
  return { verdict: { pass: lines.length === 0, summary: summaries.join('; '), lines }, expectedKey: keyOf(truth) };
}
