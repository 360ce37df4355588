/**
 * Reading an `expect` step's body: who observes (`on`) and one check, named by exactly one
 * of its keys: `node`, `members`, `service`, `leader` or `unchanged`.
 *
 *   expect: {on: all-running, node: h3, status: down, role: worker, availability: drain}
 *   expect: {on: [h1, h2], members: {ready: 2, down: 1}}
 *   expect: {on: all-running, service: web_web, running: 6, spread: {h1: 2, h2: 2, h3: 2}, not-on: [$killed]}
 *   expect: {on: all-running, leader: elected}         # or leader: h2
 *   expect: {on: all-running, unchanged: h2-web}       # what `record ... as: h2-web` saw
 */
import { isScalar, type Node } from 'yaml';
import { availabilities, expectedStatuses, hostCountMax, memberStatuses, roles, type Check, type MemberStatus, type Observers } from './scenario-types.js';
import { readHost, readHostRef, readHosts, required, type StepContext } from './step-reading.js';
import { checkKeys, found, join, readEnum, readInt, readMap, readString, type Entry } from './yaml-reader.js';

/** The most running tasks an expectation may ask for: every task is a container on this machine. */
export const runningTasksMax = 1000;

/** The check kinds, each with the keys that may go beside it. */
const checkKinds = {
  node: ['status', 'role', 'availability'],
  members: [],
  service: ['running', 'spread', 'not-on'],
  leader: [],
  unchanged: [],
} as const satisfies Record<Check['kind'], readonly string[]>;
type CheckKind = keyof typeof checkKinds;
const checkKindNames = Object.keys(checkKinds) as CheckKind[];
const expectKeys = ['on', ...checkKindNames.flatMap((k) => [k, ...checkKinds[k]])];

/** Names a `record` step gives and `unchanged` uses: lowercase words and dashes. */
export const recordNamePattern = /^[a-z0-9][a-z0-9-]*$/;

type Read = (entry: Entry, get: (key: string) => Entry | undefined, path: string, ctx: StepContext) => Check | undefined;

/** The observers and the check of an `expect` step, or undefined after adding its problems. */
export function readExpectBody(value: Node | null, path: string, ctx: StepContext): { on: Observers; check: Check } | undefined {
  const list = readMap(value, path, ctx.problems);
  if (!list) return undefined;
  checkKeys(list, expectKeys, path, ctx.problems, (key) => (key === 'within' || key === 'for' ? ` ("${key}" goes beside expect, not inside it)` : ''));
  const get = (key: string) => list.find((e) => e.key === key);
  const onEntry = required(list, 'on', path, ctx, 'all-running, a host or a list of hosts');
  const on: Observers | undefined = !onEntry ? undefined
    : isScalar(onEntry.value) && onEntry.value.value === 'all-running' ? 'all-running'
    : readHosts(onEntry.value, join(path, 'on'), ctx, { selectors: false });
  const present = checkKindNames.filter((k) => get(k));
  if (present.length !== 1) {
    ctx.problems.add(value, path, `expected exactly one of ${checkKindNames.map((k) => `"${k}"`).join(', ')}, got ${present.length === 0 ? 'none' : present.join(' and ')}`);
    return undefined;
  }
  const kind = present[0]!;
  let ok = true;
  for (const other of checkKindNames.filter((k) => k !== kind)) {
    for (const key of checkKinds[other]) {
      const extra = get(key);
      if (extra && !(checkKinds[kind] as readonly string[]).includes(key)) {
        ctx.problems.add(extra.keyNode, join(path, key), `"${key}" goes with "${other}", not "${kind}"`);
        ok = false;
      }
    }
  }
  const readers: Record<CheckKind, Read> = { node: readNodeCheck, members: readMembersCheck, service: readServiceCheck, leader: readLeaderCheck, unchanged: readUnchangedCheck };
  const check = readers[kind](get(kind)!, get, path, ctx);
  return on && check && ok ? { on, check } : undefined;
}

function readNodeCheck(node: Entry, get: (key: string) => Entry | undefined, path: string, ctx: StepContext): Check | undefined {
  const host = readHost(node.value, join(path, 'node'), ctx);
  const [status, role, availability] = [get('status'), get('role'), get('availability')];
  if (!status && !role && !availability) ctx.problems.add(node.keyNode, path, 'expected "status", "role" and/or "availability" beside "node"');
  const s = status && readEnum(status.value, join(path, 'status'), expectedStatuses, ctx.problems);
  const r = role && readEnum(role.value, join(path, 'role'), roles, ctx.problems);
  const a = availability && readEnum(availability.value, join(path, 'availability'), availabilities, ctx.problems);
  if ((status && !s) || (role && !r) || (availability && !a) || !host || (!status && !role && !availability)) return undefined;
  if (s === 'absent' && (r || a)) {
    ctx.problems.add(status!.value, join(path, 'status'), 'a node that is absent has no role or availability to check');
    return undefined;
  }
  return { kind: 'node', host, ...(s && { status: s }), ...(r && { role: r }), ...(a && { availability: a }) };
}

function readMembersCheck(members: Entry, _get: unknown, path: string, ctx: StepContext): Check | undefined {
  const mpath = join(path, 'members');
  const list = readMap(members.value, mpath, ctx.problems);
  if (!list) return undefined;
  checkKeys(list, memberStatuses, mpath, ctx.problems);
  const counts: Partial<Record<MemberStatus, number>> = {};
  let ok = list.length > 0;
  if (list.length === 0) ctx.problems.add(members.value, mpath, `expected at least one count, e.g. {ready: 5}`);
  for (const { key, value } of list) {
    if (!(memberStatuses as readonly string[]).includes(key)) { ok = false; continue; }
    const n = readInt(value, join(mpath, key), 0, hostCountMax, ctx.problems);
    if (n === undefined) ok = false;
    else counts[key as MemberStatus] = n;
  }
  return ok ? { kind: 'members', counts } : undefined;
}

function readServiceCheck(entry: Entry, get: (key: string) => Entry | undefined, path: string, ctx: StepContext): Check | undefined {
  const service = readServiceName(entry.value, join(path, 'service'), ctx);
  const [runningEntry, spreadEntry, notOnEntry] = [get('running'), get('spread'), get('not-on')];
  if (!runningEntry && !spreadEntry) ctx.problems.add(entry.keyNode, path, 'expected "running" and/or "spread" beside "service"');
  const running = runningEntry && readInt(runningEntry.value, join(path, 'running'), 0, runningTasksMax, ctx.problems);
  const spread = spreadEntry && readSpread(spreadEntry.value, join(path, 'spread'), ctx);
  const notOn = notOnEntry ? readHosts(notOnEntry.value, join(path, 'not-on'), ctx, { selectors: false }) : [];
  if (!service || (runningEntry && running === undefined) || (spreadEntry && !spread) || !notOn || (!runningEntry && !spreadEntry)) return undefined;
  const sum = spread ? Object.values(spread).reduce((a, b) => a + b, 0) : undefined;
  let ok = true;
  if (running !== undefined && sum !== undefined && running !== sum) {
    ctx.problems.add(spreadEntry!.value, join(path, 'spread'), `the counts add up to ${sum}, but running is ${running}`);
    ok = false;
  }
  for (const h of notOn) {
    if (spread?.[h]) {
      ctx.problems.add(notOnEntry!.value, join(path, 'not-on'), `${h} must run ${spread[h]} by spread and none by not-on`);
      ok = false;
    }
  }
  return ok ? { kind: 'service', service, running: running ?? sum!, ...(spread && { spread }), notOn } : undefined;
}

function readSpread(value: Node | null, path: string, ctx: StepContext): Record<string, number> | undefined {
  const list = readMap(value, path, ctx.problems);
  if (!list) return undefined;
  if (list.length === 0) ctx.problems.add(value, path, 'expected at least one count, e.g. {h1: 2, h2: 2}');
  const spread: Record<string, number> = {};
  let ok = list.length > 0;
  for (const { keyNode, value: countNode, key } of list) {
    const host = readHost(keyNode, join(path, key), ctx);
    const n = readInt(countNode, join(path, key), 0, runningTasksMax, ctx.problems);
    if (host === undefined || n === undefined) ok = false;
    else spread[host] = n;
  }
  return ok ? spread : undefined;
}

function readLeaderCheck(entry: Entry, _get: unknown, path: string, ctx: StepContext): Check | undefined {
  if (isScalar(entry.value) && entry.value.value === 'elected') return { kind: 'leader' };
  if (isScalar(entry.value) && typeof entry.value.value === 'string' && /^(h\d+|\$.*)$/.test(entry.value.value)) {
    const host = readHostRef(entry.value, join(path, 'leader'), ctx, false);
    return host === undefined ? undefined : { kind: 'leader', host };
  }
  ctx.problems.add(entry.value, join(path, 'leader'), `expected "elected" or the host that must lead, got ${found(entry.value)}`);
  return undefined;
}

function readUnchangedCheck(entry: Entry, _get: unknown, path: string, ctx: StepContext): Check | undefined {
  const record = readRecordName(entry.value, join(path, 'unchanged'), ctx);
  return record === undefined ? undefined : { kind: 'unchanged', record };
}

/** A service's full name, `stack_service`. */
export function readServiceName(node: Node | null, path: string, ctx: StepContext): string | undefined {
  const name = readString(node, path, ctx.problems);
  if (name === undefined || /^[a-z0-9][a-z0-9-]*_[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return name;
  ctx.problems.add(node, path, `expected a service's full name, stack_service (e.g. web_web), got ${JSON.stringify(name)}`);
  return undefined;
}

/** The name a `record` step gives (`as`) and `unchanged` refers to. */
export function readRecordName(node: Node | null, path: string, ctx: StepContext): string | undefined {
  const name = readString(node, path, ctx.problems);
  if (name === undefined || recordNamePattern.test(name)) return name;
  ctx.problems.add(node, path, `expected a name of lowercase letters, digits and dashes, got ${JSON.stringify(name)}`);
  return undefined;
}
