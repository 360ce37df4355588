import { defaultMembershipConfig, type MembershipConfig } from '../membership/config.js';
import { MembershipCluster } from './membership-cluster.js';
import { defaultSimNetworkConfig, type SimNetworkConfig } from './network.js';

/**
 * The membership simulation scenarios, each returning what it measured (virtual ms per
 * observer, false deaths, ...) and asserting nothing: membership-cluster.test.ts holds
 * them to deadlines for one seed, membership-soak.ts runs them over many seeds.
 */

/** How to build one scenario's cluster. */
export interface ScenarioOptions {
  seed: number;
  network?: Partial<SimNetworkConfig>;
  membership?: Partial<MembershipConfig>;
  /** Model the gossipsub topic (see MembershipClusterConfig.gossipsub). Default false. */
  gossipsub?: boolean;
}

/** Per-observer virtual ms to reach a state; observers that never did are missing. */
export type Times = Map<string, number>;

/**
 * The seed of scenario `index` in a run started from `baseSeed`: each scenario gets its
 * own stream, and the base seed alone replays them all.
 */
export function scenarioSeed(baseSeed: number, index: number): number {
  return (baseSeed + Math.imul(index, 0x9e3779b9)) >>> 0;
}

export function newCluster(options: ScenarioOptions): MembershipCluster {
  return new MembershipCluster({
    seed: options.seed,
    membership: { ...defaultMembershipConfig(), ...options.membership },
    network: { ...defaultSimNetworkConfig(), ...options.network },
    gossipsub: options.gossipsub ?? false,
  });
}

/** Starts `count` nodes at the same instant, every one joining through the first. */
export function startAll(c: MembershipCluster, count: number): string[] {
  const ids = Array.from({ length: count }, (_, i) => `n${String(i).padStart(3, '0')}`);
  for (const id of ids) c.start(id, [ids[0] as string]);
  return ids;
}

/** Every `dead` event about one of `subjects`, as `observer>subject`. */
export function deathsOf(c: MembershipCluster, subjects: readonly string[]): string[] {
  return c.events
    .filter((e) => e.event.type === 'dead' && subjects.includes(e.event.member.meta.id))
    .map((e) => `${e.observer}>${e.event.member.meta.id}`);
}

/** `count` nodes join through one seed node: time until each sees all alive. */
export function joinScenario(options: ScenarioOptions, count: number, limitMs: number, checkEveryMs = 50) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  return { ids, join: c.timesUntilEachSees(ids, ids, 'alive', limitMs, checkEveryMs) };
}

/** After joining, the last node crashes: time until each other sees it dead. */
/** How long the crash scenario's cluster runs after everyone sees everyone, before the crash. */
export const crashAfterJoinMs = 5000;

export function crashScenario(options: ScenarioOptions, count: number, limitMs: number) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  const join = c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  // An established member crashes, as in the benchmark (5 s after convergence): one that
  // dies within newMemberGraceMs of joining is found that much later, by design.
  c.runUntil(c.nowMs() + crashAfterJoinMs);
  const victim = ids[count - 1] as string;
  c.crash(victim);
  const rest = c.ids();
  const detect = c.timesUntilEachSees(rest, [victim], 'dead', limitMs);
  return { ids, rest, join, detect, othersAlive: c.allSee(rest, rest, 'alive') };
}

/**
 * A node crashes, is seen dead, and restarts: at its old incarnation + 1 when it
 * `remembers`, at 0 otherwise. Time until everyone sees everyone alive again.
 */
export function restartScenario(options: ScenarioOptions, count: number, remembers: boolean, limitMs: number) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  const victim = ids[Math.floor(count / 2)] as string;
  const before = c.node(victim).incarnation();
  c.crash(victim);
  const rest = c.ids();
  const detect = c.timesUntilEachSees(rest, [victim], 'dead', limitMs);
  c.start(victim, [ids[0] as string], remembers ? before + 1 : 0);
  const back = c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  const aliveAgain = c.events.filter((e) => e.event.type === 'alive-again' && e.event.member.meta.id === victim).length;
  return { ids, rest, detect, back, aliveAgain, incarnation: c.node(victim).incarnation() };
}

/**
 * The first `sideA` of `count` nodes are cut off from the rest: time until each sees the
 * other side dead; then the network heals: time until everyone sees everyone alive.
 */
export function partitionScenario(options: ScenarioOptions, count: number, sideA: number, limitMs: number) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  const a = ids.slice(0, sideA);
  const b = ids.slice(sideA);
  c.network.partition([a, b]);
  const otherSideDead = (o: string) => (a.includes(o) ? c.allSee([o], b, 'dead') : c.allSee([o], a, 'dead'));
  const detect = c.timesUntil(ids, otherSideDead, limitMs);
  const sidesKeptOwnAlive = c.allSee(a, a, 'alive') && c.allSee(b, b, 'alive');
  c.network.heal();
  const heal = c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  return { ids, detect, heal, sidesKeptOwnAlive };
}

/** `count` nodes run for `durationMs` at uniform loss `dropRate`: nobody may die. */
export function lossScenario(options: ScenarioOptions, count: number, dropRate: number, durationMs: number) {
  const c = newCluster({ ...options, network: { ...options.network, dropRate } });
  const ids = startAll(c, count);
  const join = c.timesUntilEachSees(ids, ids, 'alive', durationMs);
  c.runUntil(c.nowMs() + durationMs);
  return {
    ids,
    join,
    falseDeaths: deathsOf(c, ids),
    suspicions: c.events.filter((e) => e.event.type === 'suspect').length,
    refutations: c.events.filter((e) => e.event.type === 'alive-again').length,
    allAliveAtEnd: c.allSee(ids, ids, 'alive'),
  };
}

/** One node leaves gracefully: time until each other sees it left; then a quiet minute. */
export function leaveScenario(options: ScenarioOptions, count: number, limitMs: number) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  c.timesUntilEachSees(ids, ids, 'alive', limitMs);
  const leaver = ids[Math.floor(count / 2)] as string;
  c.leave(leaver);
  const rest = ids.filter((id) => id !== leaver);
  const left = c.timesUntilEachSees(rest, [leaver], 'left', limitMs);
  c.crash(leaver);
  c.runUntil(c.nowMs() + 60_000);
  return { rest, left, stillLeft: c.allSee(rest, [leaver], 'left'), deaths: deathsOf(c, [leaver]) };
}

/**
 * Lifeguard's case: one node of `count` loses `dropRate` of what is sent to it, for
 * `durationMs`. Its health score should rise, so it probes and suspects more slowly, and
 * no healthy node should ever see another healthy node dead.
 */
export function degradedScenario(options: ScenarioOptions, count: number, dropRate: number, durationMs: number) {
  const c = newCluster(options);
  const ids = startAll(c, count);
  const join = c.timesUntilEachSees(ids, ids, 'alive', durationMs);
  const degraded = ids[Math.floor(count / 2)] as string;
  const healthy = ids.filter((id) => id !== degraded);
  for (const id of healthy) c.network.setLinkLoss(id, degraded, dropRate);
  const eventsBefore = c.events.length;
  let healthMax = 0;
  let healthSumMs = 0;
  const sampleEveryMs = 1000;
  for (let t = 0; t < durationMs; t += sampleEveryMs) {
    c.runUntil(c.nowMs() + sampleEveryMs);
    healthMax = Math.max(healthMax, c.node(degraded).health());
    healthSumMs += c.node(degraded).health() * sampleEveryMs;
  }
  const healthyDeaths = c.events
    .slice(eventsBefore)
    .filter((e) => e.event.type === 'dead' && e.observer !== degraded && e.event.member.meta.id !== degraded)
    .map((e) => `${e.observer}>${e.event.member.meta.id}`);
  const healthyHealthMax = Math.max(...healthy.map((id) => c.node(id).health()));
  return { join, degraded, healthMax, healthMean: healthSumMs / durationMs, healthyHealthMax, healthyDeaths };
}
