import type { Random } from '../core/random.js';
import type { ConfChange } from '../raft/types.js';
import type { RaftCluster } from './raft-cluster.js';

/**
 * The faults a randomized raft run injects: crashes (plain, mid-write, right after a vote,
 * quick reboots), partitions, isolation, lossy links, forced elections, leadership
 * transfers and membership changes. One call draws at most one fault from the seeded Random.
 */

/** Chance per step of each fault; they are exclusive, so the sum must stay below 1. */
export interface FaultRates {
  crash: number;
  /** Crash and restart within 50 ms: a reboot that old messages outlive. */
  bounce: number;
  /** Crash in the middle of a WAL write (between write and fsync), restart soon after. */
  crashDuringWrite: number;
  /** Crash right after granting a vote, restart soon after. */
  crashAfterVote: number;
  /** One or two nodes time out at once and campaign: split votes. */
  campaign: number;
  restart: number;
  partition: number;
  isolate: number;
  linkLoss: number;
  heal: number;
  transferLeader: number;
  /** The leader proposes a membership change: add, remove, add a learner, promote it. */
  reconfigure: number;
}

/** A fault: does it (when it applies) and says what it did, for the trace. */
type Fault = (cluster: RaftCluster, random: Random) => string | undefined;

/** Maybe injects one fault, as `rates` say; returns what it did, for the trace. */
export function injectFault(cluster: RaftCluster, random: Random, rates: FaultRates): string | undefined {
  const roll = random.float();
  let threshold = 0;
  for (const [name, fault] of Object.entries(faults) as [keyof FaultRates, Fault][]) {
    threshold += rates[name];
    if (roll < threshold) return fault(cluster, random);
  }
  return undefined;
}

const downIds = (cluster: RaftCluster): string[] => cluster.ids().filter((id) => !cluster.host(id).isUp());

/** One or two random up nodes. */
const someUp = (cluster: RaftCluster, random: Random): string[] => random.shuffle(cluster.upIds()).slice(0, random.intBetween(1, 2));

const faults: Record<keyof FaultRates, Fault> = {
  crash(cluster, random) {
    const up = cluster.upIds();
    // Now and then take the cluster below quorum, but mostly leave a majority up.
    const quorumLoss = cluster.ids().length - Math.floor(cluster.ids().length / 2);
    if (up.length === 0 || (downIds(cluster).length + 1 >= quorumLoss && !random.chance(0.2))) return undefined;
    const id = random.pick(up);
    cluster.crash(id);
    return `crash ${id}`;
  },
  bounce(cluster, random) {
    const up = cluster.upIds();
    if (up.length === 0) return undefined;
    const id = random.pick(up);
    const downMs = random.int(51);
    cluster.crash(id);
    cluster.loop.after(downMs, () => cluster.restart(id));
    return `bounce ${id} for ${downMs} ms`;
  },
  crashDuringWrite(cluster, random) {
    const up = cluster.upIds();
    if (up.length === 0) return undefined;
    const id = random.pick(up);
    cluster.host(id).crashDuringNextWrite();
    return `crash during next write: ${id}`;
  },
  crashAfterVote(cluster, random) {
    const ids = someUp(cluster, random);
    for (const id of ids) cluster.host(id).crashAfterNextVote();
    return `crash after next vote: ${ids.join(' ')}`;
  },
  campaign(cluster, random) {
    const ids = someUp(cluster, random);
    for (const id of ids) {
      cluster.host(id).campaign();
      cluster.host(id).processReady();
    }
    return `campaign: ${ids.join(' ')}`;
  },
  restart(cluster, random) {
    const down = downIds(cluster);
    if (down.length === 0) return undefined;
    const id = random.pick(down);
    cluster.restart(id);
    return `restart ${id}`;
  },
  partition(cluster, random) {
    const ids = random.shuffle(cluster.ids());
    const cut = random.intBetween(1, ids.length - 1);
    const groups = [ids.slice(0, cut), ids.slice(cut)];
    for (const client of cluster.clients.keys()) random.pick(groups).push(client);
    cluster.network.partition(groups);
    return `partition ${groups.map((g) => g.join(',')).join(' | ')}`;
  },
  isolate(cluster, random) {
    const leader = cluster.leader();
    const id = leader !== undefined && random.chance(0.7) ? leader : random.pick(cluster.ids());
    cluster.network.isolate(id);
    return `isolate ${id}`;
  },
  linkLoss(cluster, random) {
    const from = random.pick(cluster.ids());
    const to = random.pick(cluster.ids().filter((id) => id !== from));
    const rate = random.chance(0.5) ? 1 : random.float();
    cluster.network.setLinkLoss(from, to, rate);
    return `link loss ${from}->${to} ${rate.toFixed(2)}`;
  },
  heal(cluster) {
    cluster.network.heal();
    return 'heal';
  },
  transferLeader(cluster, random) {
    const leader = cluster.leader();
    if (leader === undefined) return undefined;
    const to = random.pick(cluster.ids().filter((id) => id !== leader));
    cluster.host(leader).transferLeadership(to);
    cluster.host(leader).processReady();
    return `transfer leadership ${leader} -> ${to}`;
  },
  reconfigure(cluster, random) {
    const leader = cluster.leader();
    if (leader === undefined) return undefined;
    const { voters, learners } = cluster.host(leader).node().status().confState;
    const outside = cluster.ids().filter((id) => !voters.includes(id) && !learners.includes(id));
    // Keep at least three voters, so one crash never leaves a configuration without quorum.
    const choices: ConfChange[] = [
      ...outside.flatMap((node): ConfChange[] => [{ type: 'addVoter', node }, { type: 'addLearner', node }]),
      ...learners.map((node): ConfChange => ({ type: 'promoteLearner', node })),
      ...(voters.length > 3 ? voters.map((node): ConfChange => ({ type: 'removeNode', node })) : []),
    ];
    if (choices.length === 0) return undefined;
    const change = random.pick(choices);
    const refused = cluster.proposeConfChange(change);
    return `${change.type} ${change.node}${refused === undefined ? '' : ` refused: ${refused}`}`;
  },
};
