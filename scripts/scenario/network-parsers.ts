/**
 * Readers of the service networking steps. Each is a mapping beside a required `within`
 * (retried until it holds, like `expect`) and an optional `for` (then it must keep holding):
 *
 *   - requests: {on: h1, from: net_client, to: web, port: 80, count: 30, service: net_web}
 *   - requests: {to-hosts: all-running, port: 8080, count: 9, service: net_web}   # from the runner
 *   - lookup: {on: h1, from: net_client, name: tasks.web, service: net_web, running: 3}   # expect: tasks
 *   - lookup: {on: h1, from: net_client, name: web, service: net_web}           # expect: vip
 *   - lookup: {on: h1, from: b_client, name: web.a, expect: nxdomain}
 *   - reachable: {on: h1, from: a_client, service: a_web, port: 80}
 *   - unreachable: {on: h1, from: b_client, service: a_web, port: 80}
 *
 * `from` and `service` are full service names; `to` and `name` are put on a shell command
 * line inside the container, so only DNS-name characters are allowed.
 */
import { isScalar, type Node } from 'yaml';
import { readServiceName } from './expect-parsers.js';
import { balances, lookupAnswers, type LookupAnswer, type ProbeContainer, type RequestTarget, type Step } from './scenario-types.js';
import { readHostRef, readHosts, readWithin, required, stepPath, type KindReader, type Modifiers, type StepBody, type StepContext } from './step-reading.js';
import { checkKeys, join, readDurationMs, readEnum, readInt, readMap, readString, type Entry } from './yaml-reader.js';
import { runningTasksMax } from './expect-parsers.js';

/** The most requests one attempt may make: each is an `nc` process in a container, ~10 ms. */
export const requestCountMax = 500;

/** A name or IPv4 address as a container's resolver takes it. */
const namePattern = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?$/;

type NetworkKind = Extract<Step['kind'], 'requests' | 'lookup' | 'reachable' | 'unreachable'>;
type Body = { get(key: string, expected: string): Entry | undefined; optional(key: string): Entry | undefined };

function readBody(value: Node | null, path: string, ctx: StepContext, allowed: readonly string[]): Body | undefined {
  const list = readMap(value, path, ctx.problems);
  if (!list) return undefined;
  checkKeys(list, allowed, path, ctx.problems, (key) => (key === 'within' || key === 'for' ? ` ("${key}" goes beside the step, not inside it)` : ''));
  return {
    get: (key, expected) => required(list, key, path, ctx, expected),
    optional: (key) => list.find((e) => e.key === key),
  };
}

/** `within` (required: every check needs a deadline) and `for`. */
function readTiming(mods: Modifiers, path: string, ctx: StepContext): { withinMs: number; holdMs: number } | undefined {
  if (!mods.has('within')) ctx.problems.add(ctx.stepNode, join(stepPath(path), 'within'), 'missing; every network check needs a deadline such as "within: 10s"');
  const withinMs = readWithin(mods, path, ctx, 0);
  const holdEntry = mods.get('for');
  const holdMs = holdEntry ? readDurationMs(holdEntry.value, join(stepPath(path), 'for'), ctx.problems) : 0;
  return mods.has('within') && withinMs !== undefined && holdMs !== undefined ? { withinMs, holdMs } : undefined;
}

function readName(entry: Entry | undefined, path: string, ctx: StepContext): string | undefined {
  if (!entry) return undefined;
  const name = readString(entry.value, path, ctx.problems);
  if (name === undefined || namePattern.test(name)) return name;
  ctx.problems.add(entry.value, path, `expected a DNS name or IPv4 address (letters, digits, "_", "-" and "."), got ${JSON.stringify(name)}`);
  return undefined;
}

function readPort(body: Body, path: string, ctx: StepContext): number | undefined {
  const entry = body.get('port', 'a TCP port from 1 to 65535');
  return entry && readInt(entry.value, join(path, 'port'), 1, 65535, ctx.problems);
}

/** `running`: how many running tasks an attempt needs before it is judged; undefined: any. */
function readRunning(body: Body, path: string, ctx: StepContext): number | undefined | null {
  const entry = body.optional('running');
  if (!entry) return undefined;
  return readInt(entry.value, join(path, 'running'), 1, runningTasksMax, ctx.problems) ?? null;
}

function readService(body: Body, key: string, path: string, ctx: StepContext, expected: string): string | undefined {
  const entry = body.get(key, expected);
  return entry && readServiceName(entry.value, join(path, key), ctx);
}

/** `on` and `from`: the container the probe runs in. */
function readContainer(body: Body, path: string, ctx: StepContext): ProbeContainer | undefined {
  const onEntry = body.get('on', 'the host whose container runs the probe: h1, leader or follower');
  const on = onEntry && readHostRef(onEntry.value, join(path, 'on'), ctx, true);
  const from = readService(body, 'from', path, ctx, 'the full name of the service whose container runs the probe, e.g. net_client');
  return on && from ? { on, from } : undefined;
}

function readRequestTarget(value: Node | null, body: Body, path: string, ctx: StepContext): RequestTarget | undefined {
  const hostsEntry = body.optional('to-hosts');
  if (!hostsEntry) {
    const container = readContainer(body, path, ctx);
    const to = readName(body.get('to', 'the name or address to send requests to, e.g. web (or "to-hosts" instead of on, from and to)'), join(path, 'to'), ctx);
    return container && to ? { kind: 'container', ...container, to } : undefined;
  }
  const extra = ['on', 'from', 'to'].filter((k) => body.optional(k));
  if (extra.length) {
    ctx.problems.add(value, path, `expected either "to-hosts" (requests from the runner to the hosts' addresses) or "on", "from" and "to" (from a container), got both (${['to-hosts', ...extra].join(', ')})`);
    return undefined;
  }
  const hosts = isScalar(hostsEntry.value) && hostsEntry.value.value === 'all-running' ? 'all-running' as const : readHosts(hostsEntry.value, join(path, 'to-hosts'), ctx);
  return hosts && { kind: 'hosts', hosts };
}

const requests: KindReader = {
  modifiers: ['within', 'for'],
  read: (value, path, mods, ctx) => {
    const body = readBody(value, path, ctx, ['on', 'from', 'to', 'to-hosts', 'port', 'count', 'service', 'running', 'balance']);
    const timing = readTiming(mods, path, ctx);
    if (!body) return undefined;
    const target = readRequestTarget(value, body, path, ctx);
    const port = readPort(body, path, ctx);
    const countEntry = body.get('count', `the number of requests per attempt (per host with to-hosts), 1 to ${requestCountMax}`);
    const count = countEntry && readInt(countEntry.value, join(path, 'count'), 1, requestCountMax, ctx.problems);
    const service = readService(body, 'service', path, ctx, 'the full name of the service whose tasks must answer, e.g. net_web');
    const running = readRunning(body, path, ctx);
    const balanceEntry = body.optional('balance');
    const balance = balanceEntry ? readEnum(balanceEntry.value, join(path, 'balance'), balances, ctx.problems) : 'round-robin';
    if (!target || port === undefined || count === undefined || !service || running === null || !balance || !timing) return undefined;
    return { kind: 'requests', target, port, count, service, running, balance, ...timing };
  },
};

const lookup: KindReader = {
  modifiers: ['within', 'for'],
  read: (value, path, mods, ctx) => {
    const body = readBody(value, path, ctx, ['on', 'from', 'name', 'service', 'running', 'expect']);
    const timing = readTiming(mods, path, ctx);
    if (!body) return undefined;
    const container = readContainer(body, path, ctx);
    const name = readName(body.get('name', 'the name to look up, e.g. tasks.web'), join(path, 'name'), ctx);
    const expectEntry = body.optional('expect');
    const answer: LookupAnswer | undefined = expectEntry ? readEnum(expectEntry.value, join(path, 'expect'), lookupAnswers, ctx.problems)
      : name?.toLowerCase().startsWith('tasks.') ? 'tasks' : 'vip';
    const serviceEntry = body.optional('service');
    const service = serviceEntry && readServiceName(serviceEntry.value, join(path, 'service'), ctx);
    if (!serviceEntry && answer && answer !== 'nxdomain') {
      ctx.problems.add(ctx.stepNode, join(path, 'service'), `missing; expected the full name of the service whose ${answer === 'vip' ? 'VIP' : 'task addresses'} ${name ?? 'the name'} must answer (or "expect: nxdomain")`);
      return undefined;
    }
    const running = readRunning(body, path, ctx);
    if (running !== undefined && answer === 'nxdomain') ctx.problems.add(body.optional('running')!.keyNode, join(path, 'running'), '"running" goes with expect: tasks or vip, not nxdomain');
    if (!container || !name || !answer || (serviceEntry && !service) || running === null || (running !== undefined && answer === 'nxdomain') || !timing) return undefined;
    return { kind: 'lookup', ...container, name, service, running, answer, ...timing };
  },
};

const reach = (kind: 'reachable' | 'unreachable'): KindReader => ({
  modifiers: ['within', 'for'],
  read: (value, path, mods, ctx): StepBody | undefined => {
    const body = readBody(value, path, ctx, ['on', 'from', 'service', 'port']);
    const timing = readTiming(mods, path, ctx);
    if (!body) return undefined;
    const container = readContainer(body, path, ctx);
    const service = readService(body, 'service', path, ctx, `the full name of the service whose task addresses and VIP must be ${kind}, e.g. a_web`);
    const port = readPort(body, path, ctx);
    return container && service && port !== undefined && timing ? { kind, ...container, service, port, ...timing } : undefined;
  },
});

/** The readers of the network step kinds, merged into step-parsers.ts's table. */
export const networkKinds: Record<NetworkKind, KindReader> = {
  requests,
  lookup,
  reachable: reach('reachable'),
  unreachable: reach('unreachable'),
};
