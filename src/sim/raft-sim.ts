import { SeededRandom, type Random } from '../core/random.js';
import { defaultKvClientConfig } from './kv-client.js';
import { checkLinearizable, kvModel } from './linearizability.js';
import { RaftCluster, type RaftClusterConfig } from './raft-cluster.js';
import { injectFault, type FaultRates } from './raft-faults.js';
import type { RaftHost } from './raft-host.js';

/**
 * One randomized run of a raft cluster: the seed picks the network's misbehaviour, the
 * faults and when they strike, and the clients' operations. Safety invariants are checked
 * at every step (raft-invariants.ts); at the end every fault is healed, the cluster must
 * converge (liveness), and the clients' history must be linearizable.
 */

/** The shape of a run. */
export interface RaftSimConfig {
  voters: number;
  /** Fault decisions per run; between two, the cluster runs for 1..stepMsMax virtual ms. */
  steps: number;
  stepMsMax: number;
  /** Chance per step of each fault. */
  faultRates: FaultRates;
  /** After the last step: time the healed cluster gets to converge, virtual ms. */
  settleMs: number;
  /** Receives a line per injected fault: SWARMTS_SIM_TRACE=1 prints them when replaying a seed. */
  trace?: (line: string) => void;
}

/**
 * 200 steps of up to 60 ms (about 6 s of virtual time) with a fault in about 40% of steps,
 * then 4 s to converge: enough for a dozen elections, crashes and snapshots per run while
 * a run stays under 100 ms of CPU.
 */
export function defaultRaftSimConfig(voters = 3): RaftSimConfig {
  return {
    voters,
    steps: 200,
    stepMsMax: 60,
    faultRates: {
      crash: 0.03, bounce: 0.03, crashDuringWrite: 0.02, crashAfterVote: 0.03, campaign: 0.03,
      restart: 0.08, partition: 0.03, isolate: 0.03, linkLoss: 0.02, heal: 0.06, transferLeader: 0.02, reconfigure: 0.03,
    },
    settleMs: 4000,
  };
}

/** What a run did, for reports. */
export interface RaftSimStats {
  operations: number;
  unknownOutcomes: number;
  committed: number;
  crashes: number;
  /** Snapshots nodes took of their own state, and snapshots installed from a leader. */
  snapshotsTaken: number;
  snapshotsInstalled: number;
  readIndexReads: number;
  /** Highest term reached: how many elections the run went through, roughly. */
  termMax: number;
  virtualMs: number;
  linearizability: 'ok' | 'unknown';
}

/** A failed run: the message names the seed, the step and how to replay it. */
export class RaftSimFailure extends Error {
  override readonly name = 'RaftSimFailure';
  readonly replayCommand: string;
  constructor(
    readonly seed: number,
    readonly voters: number,
    readonly step: number,
    readonly reason: string,
  ) {
    const replayCommand = `SWARMTS_SIM_VOTERS=${voters} SWARMTS_SEED=${seed} npx tsx src/sim/raft-sim-run.ts`;
    super(`raft simulation failed: ${voters} voters, seed ${seed}, step ${step}: ${reason}\n  replay: ${replayCommand}`);
    this.replayCommand = replayCommand;
  }
}

/** The cluster a seed builds: network misbehaviour drawn from the seed. */
export function clusterConfigFor(random: Random, voters: number): RaftClusterConfig {
  const lossy = random.chance(0.5);
  return {
    voters,
    spareNodes: 1,
    tickMs: 10,
    raft: { electionTicks: 10, heartbeatTicks: 1, preVote: random.chance(0.7), checkQuorum: random.chance(0.7) },
    network: {
      delayMsMin: 1,
      delayMsMax: random.intBetween(2, 30),
      dropRate: lossy ? random.float() * 0.1 : 0,
      duplicateRate: lossy ? random.float() * 0.05 : 0,
    },
    clients: random.intBetween(2, 4),
    client: defaultKvClientConfig(),
    snapshotEntries: random.intBetween(5, 40),
    compactLagEntries: random.int(10),
    selfCrashRestartMsMax: random.intBetween(0, 100),
    readIndexGets: random.chance(0.5),
  };
}

/** Runs one seed; throws RaftSimFailure on any violation. */
export function runRaftSim(seed: number, config: RaftSimConfig): RaftSimStats {
  const random = new SeededRandom(seed);
  const cluster = new RaftCluster(random.nextUint32(), clusterConfigFor(random, config.voters));
  let step = -1;
  try {
    cluster.start();
    for (step = 0; step < config.steps; step++) {
      const fault = injectFault(cluster, random, config.faultRates);
      if (fault !== undefined) config.trace?.(`${cluster.loop.nowMs()} ms step ${step}: ${fault}`);
      cluster.loop.runUntil(cluster.loop.nowMs() + random.intBetween(1, config.stepMsMax));
    }
    settle(cluster, config.settleMs);
  } catch (err) {
    throw new RaftSimFailure(seed, config.voters, step, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  const result = checkLinearizable(kvModel, cluster.history);
  if (result.verdict === 'illegal') {
    throw new RaftSimFailure(seed, config.voters, step, `linearizability: the history of key part ${result.part} (${result.operations} operations) has no legal order`);
  }
  return {
    operations: cluster.history.length,
    unknownOutcomes: cluster.history.filter((op) => op.output === undefined).length,
    committed: cluster.invariants.commitIndex(),
    crashes: sum(cluster, (c) => c.crashes),
    snapshotsTaken: sum(cluster, (c) => c.snapshotsTaken),
    snapshotsInstalled: sum(cluster, (c) => c.snapshotsInstalled),
    readIndexReads: sum(cluster, (c) => c.readIndexReads),
    termMax: Math.max(...cluster.ids().map((id) => cluster.host(id).node().status().term)),
    virtualMs: cluster.loop.nowMs(),
    linearizability: result.verdict,
  };
}

function sum(cluster: RaftCluster, of: (counters: RaftHost['counters']) => number): number {
  return cluster.ids().reduce((n, id) => n + of(cluster.host(id).counters), 0);
}

/**
 * Heals everything and restarts every node; the cluster then has `settleMs` to elect a
 * leader, finish every client operation and bring every node to the same applied state.
 */
function settle(cluster: RaftCluster, settleMs: number): void {
  cluster.network.heal();
  for (const id of cluster.ids()) {
    cluster.host(id).crashDuringNextWrite(false);
    cluster.restart(id);
  }
  for (const client of cluster.clients.values()) client.stop();
  const deadline = cluster.loop.nowMs() + settleMs;
  while (cluster.loop.nowMs() < deadline) {
    cluster.loop.runUntil(cluster.loop.nowMs() + 100);
    if (converged(cluster)) return;
    restoreMembership(cluster);
  }
  const states = cluster.ids().map((id) => {
    const host = cluster.host(id);
    if (!host.isUp()) return `${id}: down`;
    const status = host.node().status();
    return `${id}: ${status.role} term ${status.term} commit ${status.commit} applied ${host.store().appliedIndex()}`;
  });
  throw new Error(`liveness: no convergence ${settleMs} ms after healing: ${states.join('; ')}; clients busy: ${[...cluster.clients.values()].filter((c) => c.busy()).length}`);
}

/** Proposes making the next node that is not a voter one again, so every node gets the log. */
function restoreMembership(cluster: RaftCluster): void {
  const leader = cluster.leader();
  if (leader === undefined) return;
  const { voters, learners } = cluster.host(leader).node().status().confState;
  const missing = cluster.ids().find((id) => !voters.includes(id));
  if (missing !== undefined) cluster.proposeConfChange({ type: learners.includes(missing) ? 'promoteLearner' : 'addVoter', node: missing });
}

function converged(cluster: RaftCluster): boolean {
  if (cluster.leader() === undefined) return false;
  if ([...cluster.clients.values()].some((c) => c.busy())) return false;
  const hosts = cluster.ids().map((id) => cluster.host(id));
  if (!hosts.every((h) => h.isUp())) return false;
  const applied = hosts.map((h) => h.store().appliedIndex());
  const digests = hosts.map((h) => h.store().digest());
  return applied.every((a) => a === applied[0]) && digests.every((d) => d === digests[0]) && applied[0]! >= cluster.invariants.commitIndex();
}
