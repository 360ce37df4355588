/**
 * One reader per step kind. A step is the word `heal`, or a mapping with exactly one kind
 * key (`join: [h2, h3]`) beside that kind's modifiers (`via: h1`, `as: worker`). The
 * orchestration steps are read in `orchestration-parsers.ts`, the network steps in
 * `network-parsers.ts`, `expect` in `expect-parsers.ts`.
 */
import { isScalar, type Node } from 'yaml';
import { readExpectBody } from './expect-parsers.js';
import { networkKinds } from './network-parsers.js';
import { orchestrationKinds } from './orchestration-parsers.js';
import { badTokens, defaultCommandWithinMs, roles, type Step } from './scenario-types.js';
import { readHost, readHosts, readWithin, required, stepPath, type KindReader, type Modifiers, type StepBody, type StepContext } from './step-reading.js';
import { checkKeys, found, join, readBool, readDurationMs, readEnum, readInt, readMap, readList } from './yaml-reader.js';

export type { StepContext } from './step-reading.js';

/** `kill`, `crash` and `stop` may name `leader` or `follower`; all may name `$killed`. */
const hostsOf = (kind: 'kill' | 'crash' | 'stop' | 'restart'): KindReader => ({
  modifiers: [],
  read: (value, path, _mods, ctx) => {
    const hosts = readHosts(value, path, ctx, { selectors: kind !== 'restart' });
    return hosts && { kind, hosts };
  },
});

const kinds: Record<Step['kind'], KindReader> = {
  init: {
    modifiers: ['labels', 'within'],
    read: (value, path, mods, ctx) => {
      const host = readHost(value, path, ctx);
      const labels = readLabels(mods, path, ctx);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return host && labels && withinMs !== undefined ? { kind: 'init', host, labels, withinMs } : undefined;
    },
  },
  join: {
    modifiers: ['via', 'as', 'labels', 'within'],
    read: (value, path, mods, ctx) => {
      const hosts = readHosts(value, path, ctx);
      const via = readVia(mods, path, ctx);
      const role = readRole(mods, path, ctx);
      const labels = readLabels(mods, path, ctx);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return hosts && via && role && labels && withinMs !== undefined ? { kind: 'join', hosts, via, role, labels, withinMs } : undefined;
    },
  },
  'join-expect-failure': {
    modifiers: ['via', 'as', 'token', 'within'],
    read: (value, path, mods, ctx) => {
      const host = readHost(value, path, ctx);
      const via = readVia(mods, path, ctx);
      const role = readRole(mods, path, ctx);
      const tokenEntry = mods.get('token');
      const tokenPath = join(stepPath(path), 'token');
      if (!tokenEntry) ctx.problems.add(ctx.stepNode, tokenPath, `missing; expected one of ${badTokens.join(', ')}`);
      const token = tokenEntry && readEnum(tokenEntry.value, tokenPath, badTokens, ctx.problems);
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return host && via && role && token && withinMs !== undefined ? { kind: 'join-expect-failure', host, via, role, token, withinMs } : undefined;
    },
  },
  kill: hostsOf('kill'),
  crash: hostsOf('crash'),
  stop: hostsOf('stop'),
  restart: hostsOf('restart'),
  leave: {
    modifiers: ['force', 'within'],
    read: (value, path, mods, ctx) => {
      const hosts = readHosts(value, path, ctx);
      const forceEntry = mods.get('force');
      const force = forceEntry ? readBool(forceEntry.value, join(path, 'force'), ctx.problems) : false;
      const withinMs = readWithin(mods, path, ctx, defaultCommandWithinMs);
      return hosts && force !== undefined && withinMs !== undefined ? { kind: 'leave', hosts, force, withinMs } : undefined;
    },
  },
  partition: {
    modifiers: [],
    read: (value, path, _mods, ctx) => readPartition(value, path, ctx),
  },
  'packet-loss': {
    modifiers: [],
    read: (value, path, _mods, ctx) => {
      const list = readMap(value, path, ctx.problems);
      if (!list) return undefined;
      checkKeys(list, ['hosts', 'percent'], path, ctx.problems);
      const hostsEntry = required(list, 'hosts', path, ctx, 'a host or a list of hosts');
      const percentEntry = required(list, 'percent', path, ctx, 'an integer from 0 to 100');
      const hosts = hostsEntry && readHosts(hostsEntry.value, join(path, 'hosts'), ctx);
      const percent = percentEntry && readInt(percentEntry.value, join(path, 'percent'), 0, 100, ctx.problems);
      return hosts && percent !== undefined ? { kind: 'packet-loss', hosts, percent } : undefined;
    },
  },
  heal: {
    modifiers: [],
    read: (value, path, _mods, ctx) => {
      if (value == null || (isScalar(value) && value.value == null)) return { kind: 'heal' };
      ctx.problems.add(value, path, `expected nothing (write the step as "- heal"), got ${found(value)}`);
      return undefined;
    },
  },
  sleep: {
    modifiers: [],
    read: (value, path, _mods, ctx) => {
      const ms = readDurationMs(value, path, ctx.problems);
      return ms !== undefined ? { kind: 'sleep', ms } : undefined;
    },
  },
  expect: {
    modifiers: ['within', 'for'],
    read: (value, path, mods, ctx) => {
      const body = readExpectBody(value, path, ctx);
      if (!mods.has('within')) ctx.problems.add(ctx.stepNode, join(stepPath(path), 'within'), 'missing; every expect needs a deadline such as "within: 30s"');
      const withinMs = readWithin(mods, path, ctx, 0);
      const holdEntry = mods.get('for');
      const holdMs = holdEntry ? readDurationMs(holdEntry.value, join(stepPath(path), 'for'), ctx.problems) : 0;
      return body && withinMs !== undefined && holdMs !== undefined ? { kind: 'expect', ...body, withinMs, holdMs } : undefined;
    },
  },
  ...orchestrationKinds,
  ...networkKinds,
};

/** Every kind key a step may have. */
export const stepKinds = Object.keys(kinds) as Array<Step['kind']>;

/** Reads one step; undefined (with problems added) when it is wrong. */
export function readStep(node: Node | null, path: string, ctx: StepContext): Step | undefined {
  const where = ctx.problems.where(node);
  if (isScalar(node) && node.value === 'heal') return { where, kind: 'heal' };
  const list = readMap(node, path, ctx.problems);
  if (!list) return undefined;
  const present = list.filter((e) => (stepKinds as string[]).includes(e.key));
  if (present.length !== 1) {
    const what = present.length === 0 ? 'no step kind' : `${present.length} step kinds (${present.map((e) => e.key).join(', ')})`;
    ctx.problems.add(node, path, `expected exactly one of ${stepKinds.join(', ')}; found ${what}`);
    if (present.length === 0) checkKeys(list, stepKinds, path, ctx.problems);
    return undefined;
  }
  const kindEntry = present[0]!;
  const reader = kinds[kindEntry.key as Step['kind']];
  const others = list.filter((e) => e !== kindEntry);
  checkKeys(others, reader.modifiers, path, ctx.problems, (key) => modifierHint(kindEntry.key, key));
  const mods: Modifiers = new Map(others.map((e) => [e.key, e]));
  const body = reader.read(kindEntry.value, join(path, kindEntry.key), mods, { ...ctx, stepNode: node });
  return body && ({ where, ...body } as Step);
}

function modifierHint(kind: string, key: string): string {
  const owners = stepKinds.filter((k) => kinds[k].modifiers.includes(key));
  return owners.length ? ` ("${key}" goes with ${owners.join(', ')}, not ${kind})` : '';
}

function readVia(mods: Modifiers, kindPath: string, ctx: StepContext): string | undefined {
  const entry = mods.get('via');
  if (!entry) {
    ctx.problems.add(ctx.stepNode, join(stepPath(kindPath), 'via'), 'missing; expected the member host to join through, e.g. "via: h1"');
    return undefined;
  }
  return readHost(entry.value, join(stepPath(kindPath), 'via'), ctx);
}

function readRole(mods: Modifiers, kindPath: string, ctx: StepContext) {
  const entry = mods.get('as');
  return entry ? readEnum(entry.value, join(stepPath(kindPath), 'as'), roles, ctx.problems) : 'worker';
}

function readLabels(mods: Modifiers, kindPath: string, ctx: StepContext): Record<string, string> | undefined {
  const entry = mods.get('labels');
  if (!entry) return {};
  const path = join(stepPath(kindPath), 'labels');
  const list = readMap(entry.value, path, ctx.problems);
  if (!list) return undefined;
  const labels: Record<string, string> = {};
  let ok = true;
  for (const { key, value } of list) {
    if (isScalar(value) && ['string', 'number', 'boolean'].includes(typeof value.value)) labels[key] = String(value.value);
    else {
      ctx.problems.add(value, join(path, key), `expected a label value (a string), got ${found(value)}`);
      ok = false;
    }
  }
  return ok ? labels : undefined;
}

function readPartition(value: Node | null, path: string, ctx: StepContext): StepBody | undefined {
  const items = readList(value, path, ctx.problems);
  if (!items) return undefined;
  if (items.length < 2) ctx.problems.add(value, path, `expected at least two groups of hosts, e.g. [[h1, h2], [h3]], got ${items.length}`);
  const groups = items.map((item, i) => readHosts(item, join(path, i), ctx));
  const seen = new Map<string, number>();
  groups.forEach((group, i) => group?.forEach((h) => {
    if (seen.has(h)) ctx.problems.add(items[i], join(path, i), `${h} is already in group ${seen.get(h)}; the groups must not overlap`);
    else seen.set(h, i);
  }));
  const ok = items.length >= 2 && groups.every(Boolean) && seen.size === groups.reduce((n, g) => n + (g?.length ?? 0), 0);
  return ok ? { kind: 'partition', groups: groups as string[][] } : undefined;
}
