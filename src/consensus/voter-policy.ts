import { SwarmError } from '../core/errors.js';

/**
 * Which managers vote in raft: a pure function of what membership (gossip) knows about the
 * managers and what raft's configuration holds now. It returns the next single change; the
 * daemon applies it on the leader (RaftService.addLearner / addVoter / removeMember), waits
 * for it, and asks again. Voters grow 1, 3, 5 as managers become available; a voter dead
 * for longer than voterDeadReplaceAfterMs is replaced by an alive manager, but only while a
 * quorum of voters is alive (without one, raft cannot commit a change anyway, and removing
 * voters then could hand the cluster to a minority).
 *
 * A new voter always goes through learner first ("addLearner", then "promote" once the
 * daemon sees it caught up), so adding one never stalls commits while it catches up.
 * Ties are broken by id, so every manager computes the same answer.
 */

/** A manager node as membership sees it. */
export interface ManagerNode {
  id: string;
  state: 'alive' | 'suspect' | 'dead';
  /** When it was declared dead, ms on the same clock as `nowMs`; required for dead nodes. */
  deadSinceMs?: number;
  /**
   * Demoted: it still runs raft and counts towards the quorum while alive, but gives up its
   * place, as if gone; a spare takes its seat first where there is one.
   */
  leaving?: boolean;
}

/** How voters are chosen. */
export interface VoterPolicyConfig {
  /**
   * A voter dead this long is replaced, ms. Default 60000: long enough that a reboot or a
   * short partition does not churn the configuration, short enough that a lost machine
   * does not leave the cluster one failure from unavailability for long.
   */
  voterDeadReplaceAfterMs: number;
  /** Most voters, odd. Default 5: tolerates two failures; more only slows commits. */
  votersMax: number;
}

export function defaultVoterPolicyConfig(): VoterPolicyConfig {
  return { voterDeadReplaceAfterMs: 60_000, votersMax: 5 };
}

/** Every problem with `config`; empty when usable. */
export function voterPolicyConfigProblems(config: VoterPolicyConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(config.voterDeadReplaceAfterMs) || config.voterDeadReplaceAfterMs < 0) {
    problems.push(`voterDeadReplaceAfterMs: expected a non-negative integer, got ${config.voterDeadReplaceAfterMs}`);
  }
  if (!Number.isInteger(config.votersMax) || config.votersMax < 1 || config.votersMax % 2 === 0) {
    problems.push(`votersMax: expected a positive odd integer, got ${config.votersMax}`);
  }
  return problems;
}

/** Throws INVALID_CONFIG naming every bad field. */
export function validateVoterPolicyConfig(config: VoterPolicyConfig): void {
  const problems = voterPolicyConfigProblems(config);
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `voter policy config: ${problems.join('; ')}`, { details: { problems } });
}

/** What the policy looks at. */
export interface VoterPolicyInput {
  managers: readonly ManagerNode[];
  voters: readonly string[];
  learners: readonly string[];
  nowMs: number;
  config: VoterPolicyConfig;
}

/** The next membership change, or none, with the reason (for the log). */
export type VoterChange =
  | { kind: 'none'; reason: string }
  | { kind: 'addLearner' | 'promote' | 'remove'; node: string; reason: string };

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The largest odd number <= n, at least 1. */
function oddAtMost(n: number): number {
  return Math.max(1, n % 2 === 1 ? n : n - 1);
}

function quorum(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The next single change that moves raft's configuration towards the policy; see the file comment. */
export function nextVoterChange(input: VoterPolicyInput): VoterChange {
  const { nowMs, config } = input;
  const managers = new Map(input.managers.map((m) => [m.id, m]));
  const isAlive = (id: string): boolean => managers.get(id)?.state === 'alive';
  // Gone: not a manager any more, or dead for long enough to give up on.
  const isGone = (id: string): boolean => {
    const m = managers.get(id);
    if (m === undefined || m.leaving === true) return true;
    return m.state === 'dead' && nowMs - (m.deadSinceMs ?? nowMs) >= config.voterDeadReplaceAfterMs;
  };
  const voters = [...input.voters].sort(byId);
  const learners = [...input.learners].sort(byId).filter((id) => !voters.includes(id));
  const aliveVoters = voters.filter(isAlive).length;
  const goneVoters = voters.filter(isGone);
  const keptVoters = voters.length - goneVoters.length;
  const spares = [...managers.values()].filter((m) => m.state === 'alive' && m.leaving !== true && !voters.includes(m.id)).map((m) => m.id).sort(byId);
  const target = Math.min(config.votersMax, oddAtMost(keptVoters + spares.length));
  const hasQuorum = aliveVoters >= quorum(voters.length);

  if (!hasQuorum) {
    return { kind: 'none', reason: `only ${aliveVoters} of ${voters.length} voters are alive, below a quorum of ${quorum(voters.length)}: no change until they return` };
  }
  // 1. Start catching up the managers that will vote, before anything changes the quorum.
  const needed = Math.max(0, target - keptVoters);
  const readyLearners = spares.filter((id) => learners.includes(id));
  const nextLearner = spares.find((id) => !learners.includes(id));
  if (readyLearners.length < needed && nextLearner !== undefined) {
    return { kind: 'addLearner', node: nextLearner, reason: `${keptVoters} voters stay, ${target} wanted: ${nextLearner} starts catching up as a learner` };
  }
  // 2. Drop a voter that is gone (never the last one). With a quorum alive, the alive voters
  //    are a quorum of the smaller set too, unless the one dropped is alive (demoted): keep
  //    it then until they are.
  const keepsQuorum = (id: string): boolean => aliveVoters - (isAlive(id) ? 1 : 0) >= quorum(voters.length - 1);
  const droppable = goneVoters.find(keepsQuorum);
  if (droppable !== undefined && voters.length > 1) {
    const node = droppable;
    const why = managers.get(node)?.leaving === true ? `voter ${node} was demoted` : managers.has(node) ? `voter ${node} is dead for ${config.voterDeadReplaceAfterMs} ms or more` : `voter ${node} is no longer a manager`;
    return { kind: 'remove', node, reason: why };
  }
  // 3. Promote learners up to the target (each one is caught up first: the daemon's check).
  if (needed > 0 && readyLearners.length > 0) {
    const node = readyLearners[0]!;
    return { kind: 'promote', node, reason: `${voters.length} voters, ${target} wanted` };
  }
  // 4. Too many voters (an even count left by an outside change): drop the least useful one.
  if (voters.length > target) {
    const rank = (id: string): number => (isAlive(id) ? 2 : managers.get(id)?.state === 'suspect' ? 1 : 0);
    const node = [...voters].sort((a, b) => rank(a) - rank(b) || byId(b, a))[0]!;
    if (aliveVoters - (isAlive(node) ? 1 : 0) >= quorum(voters.length - 1)) {
      return { kind: 'remove', node, reason: `${voters.length} voters, ${target} wanted` };
    }
  }
  // 5. Learners that are gone only cost the leader replication.
  const goneLearner = learners.find(isGone);
  if (goneLearner !== undefined) return { kind: 'remove', node: goneLearner, reason: `learner ${goneLearner} is gone` };
  return { kind: 'none', reason: `${voters.length} voters, as wanted` };
}

/** What `voterRemovalProblem` looks at. */
export interface VoterRemovalInput {
  /** The manager to be taken out of raft (a demotion). */
  node: string;
  voters: readonly string[];
  /** Managers membership sees alive, `node` included when it is. */
  aliveManagers: readonly string[];
  /** How the message names a node (a hostname); the id by default. */
  nameOf?: (id: string) => string;
}

/**
 * Why taking `node` out of raft now would cost the cluster its quorum, or undefined when it
 * is safe; a demotion is refused then, as Docker refuses it. The voters left must keep a
 * quorum alive; the last voter may go only when another alive manager can take its place.
 */
export function voterRemovalProblem({ node, voters, aliveManagers, nameOf = (id) => id }: VoterRemovalInput): string | undefined {
  if (!voters.includes(node)) return undefined;
  const rest = voters.filter((id) => id !== node);
  if (rest.length === 0) {
    return aliveManagers.some((id) => id !== node) ? undefined : `${nameOf(node)} is the only raft voter and no other manager is alive to take its place`;
  }
  const alive = new Set(aliveManagers);
  const aliveRest = rest.filter((id) => alive.has(id)).length;
  if (aliveRest >= quorum(rest.length)) return undefined;
  const down = rest.filter((id) => !alive.has(id));
  return `without it, ${aliveRest} of the ${rest.length} raft voters left would be alive, below a quorum of ${quorum(rest.length)} (down: ${down.map(nameOf).join(', ')})`;
}
