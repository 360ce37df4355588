/**
 * What every step reader shares: the context problems go to, where a step's own keys are
 * reported, its deadline, and host names, plain (`h3`) or resolved when the step runs
 * (`leader`, `follower`, `$killed`).
 */
import { isScalar, type Node } from 'yaml';
import { hostSelectors, killedRef, type Step } from './scenario-types.js';
import { found, join, readDurationMs, readList, type Entry, type Problems } from './yaml-reader.js';

/** What step readers need: where problems go and how many hosts `hN` may name. */
export interface StepContext {
  problems: Problems;
  /** Undefined when the file's `hosts` is itself wrong: then only the `hN` shape is checked. */
  hostCount: number | undefined;
  /** The step being read: where a missing key is reported. */
  stepNode?: Node | null;
  /** The scenario file's folder: files a step names (stack files, images) are relative to it. */
  baseDir?: string;
}

/** A step as a kind reader returns it: everything but `where`, which readStep adds. */
export type StepBody = Step extends infer S ? (S extends Step ? Omit<S, 'where'> : never) : never;
/** The keys beside a step's kind key, by name. */
export type Modifiers = Map<string, Entry>;

/** How one step kind is read: the keys allowed beside it, and its reader. */
export interface KindReader {
  modifiers: readonly string[];
  read(value: Node | null, path: string, mods: Modifiers, ctx: StepContext): StepBody | undefined;
}

/** The step's own path from a kind's path (`steps[3].expect` -> `steps[3]`). */
export function stepPath(kindPath: string): string {
  return kindPath.replace(/\.[^.[\]]+$/, '');
}

/** The entry `key` of a mapping, or a problem (at the step) saying what was expected. */
export function required(list: Entry[], key: string, path: string, ctx: StepContext, expected: string): Entry | undefined {
  const entry = list.find((e) => e.key === key);
  if (!entry) ctx.problems.add(ctx.stepNode, join(path, key), `missing; expected ${expected}`);
  return entry;
}

/** The step's `within`, or `fallbackMs` when it has none. */
export function readWithin(mods: Modifiers, kindPath: string, ctx: StepContext, fallbackMs: number): number | undefined {
  const entry = mods.get('within');
  return entry ? readDurationMs(entry.value, join(stepPath(kindPath), 'within'), ctx.problems) : fallbackMs;
}

function hostRange(ctx: StepContext): string {
  const count = ctx.hostCount;
  return count === undefined ? 'h1, h2, ...' : count === 1 ? 'h1' : `h1 to h${count}`;
}

/** One host name, `h1`..`hN`. */
export function readHost(node: Node | null, path: string, ctx: StepContext): string | undefined {
  const name = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  const index = name && /^h[1-9]\d*$/.test(name) ? Number(name.slice(1)) : undefined;
  if (index !== undefined && (ctx.hostCount === undefined || index <= ctx.hostCount)) return name;
  ctx.problems.add(node, path, `expected a host name (${hostRange(ctx)}), got ${found(node)}`);
  return undefined;
}

/**
 * One host as a step may name it: `hN`, `$killed`, and, where `selectors` allows them,
 * `leader` or `follower`.
 */
export function readHostRef(node: Node | null, path: string, ctx: StepContext, selectors: boolean): string | undefined {
  const name = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  if (name === killedRef || (selectors && (hostSelectors as readonly string[]).includes(name ?? ''))) return name;
  if (name && /^h[1-9]\d*$/.test(name)) return readHost(node, path, ctx);
  const words = [hostRange(ctx), killedRef, ...(selectors ? hostSelectors : [])].join(', ');
  ctx.problems.add(node, path, `expected a host (${words}), got ${found(node)}`);
  return undefined;
}

/** A host, or a non-empty list of distinct hosts; `refs` also allows `$killed` and, with `selectors`, `leader`/`follower`. */
export function readHosts(node: Node | null, path: string, ctx: StepContext, refs: { selectors: boolean } | undefined = undefined): string[] | undefined {
  const one = (n: Node | null, p: string) => (refs ? readHostRef(n, p, ctx, refs.selectors) : readHost(n, p, ctx));
  if (isScalar(node)) {
    const host = one(node, path);
    return host === undefined ? undefined : [host];
  }
  const items = readList(node, path, ctx.problems);
  if (!items) return undefined;
  if (items.length === 0) ctx.problems.add(node, path, 'expected at least one host, got an empty list');
  const hosts = items.map((item, i) => one(item, join(path, i)));
  const seen = new Set<string>();
  hosts.forEach((h, i) => {
    if (h && seen.has(h)) ctx.problems.add(items[i], join(path, i), `${h} is listed twice`);
    if (h) seen.add(h);
  });
  return items.length > 0 && hosts.every(Boolean) && seen.size === hosts.length ? (hosts as string[]) : undefined;
}
