import { SwarmError } from '../core/errors.js';
import type { NodeId } from './types.js';

/** How one raft node behaves. Times are in ticks: the shell calls RaftNode.tick() every tickMs. */
export interface RaftConfig {
  /** This node's id; must be unique in the cluster. */
  id: NodeId;
  /**
   * Ticks without hearing from a leader before a follower campaigns. Each node draws its
   * actual timeout from [electionTicks, 2*electionTicks) so that split votes are rare.
   * Default 10. Must be well above heartbeatTicks (etcd uses 10x) so one lost heartbeat
   * does not cause an election.
   */
  electionTicks: number;
  /** Ticks between a leader's heartbeats. Default 1: the cheapest failure detection. */
  heartbeatTicks: number;
  /**
   * Poll a majority before raising the term (Raft thesis 9.6), so a node rejoining after a
   * partition cannot force the cluster into a new election. Default true.
   */
  preVote: boolean;
  /**
   * A leader that has not heard from a majority within electionTicks steps down, and a
   * node that heard from a leader within electionTicks ignores votes (the leader lease).
   * Default true: an isolated leader stops serving, and removed or partitioned nodes
   * cannot depose a healthy leader.
   */
  checkQuorum: boolean;
  /**
   * Append messages a leader keeps in flight to one follower before waiting for acks
   * (pipelining). Default 256: enough to fill a LAN link, bounded so a slow follower
   * does not make the leader queue without limit.
   */
  maxInflightMsgs: number;
  /**
   * Entry bytes per append message (at least one entry is always sent). Default 1 MiB:
   * large batches amortise per-message cost; smaller keeps frames far below the 4 MiB
   * frame limit and probes cheap.
   */
  maxSizePerMsgBytes: number;
  /**
   * Bytes of proposed entries a leader holds uncommitted before refusing new proposals
   * with UNAVAILABLE. Default 64 MiB: bounds the leader's memory when a quorum is slow.
   */
  maxUncommittedEntriesBytes: number;
  /**
   * Committed entry bytes handed out in one Ready (at least one entry). Default 8 MiB, so
   * that a node catching up applies in bounded steps instead of one huge batch.
   */
  maxCommittedSizePerReadyBytes: number;
  /**
   * Ticks a leader waits for a follower to acknowledge a snapshot before sending it again.
   * Default 20 (two election timeouts): a snapshot lost on the network is retried.
   */
  snapshotTimeoutTicks: number;
  /**
   * ReadIndex requests a leader holds while confirming its leadership, and a node holds
   * before a leader is known. Default 4096; beyond, readIndex() throws UNAVAILABLE.
   */
  maxPendingReads: number;
}

/** The defaults documented on each field. */
export function defaultRaftConfig(id: NodeId): RaftConfig {
  return {
    id,
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: true,
    checkQuorum: true,
    maxInflightMsgs: 256,
    maxSizePerMsgBytes: 1024 * 1024,
    maxUncommittedEntriesBytes: 64 * 1024 * 1024,
    maxCommittedSizePerReadyBytes: 8 * 1024 * 1024,
    snapshotTimeoutTicks: 20,
    maxPendingReads: 4096,
  };
}

/** Every problem with `config`, or an empty list. */
export function raftConfigProblems(config: RaftConfig): string[] {
  const problems: string[] = [];
  const positiveInts: (keyof RaftConfig)[] = [
    'electionTicks', 'heartbeatTicks', 'maxInflightMsgs', 'maxSizePerMsgBytes',
    'maxUncommittedEntriesBytes', 'maxCommittedSizePerReadyBytes', 'snapshotTimeoutTicks', 'maxPendingReads',
  ];
  if (typeof config.id !== 'string' || config.id === '') problems.push(`id: expected a non-empty string, got ${JSON.stringify(config.id)}`);
  for (const key of positiveInts) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      problems.push(`${key}: expected a positive integer, got ${JSON.stringify(value)}`);
    }
  }
  if (problems.length === 0 && config.electionTicks <= config.heartbeatTicks) {
    problems.push(`electionTicks: expected more than heartbeatTicks (${config.heartbeatTicks}), got ${config.electionTicks}`);
  }
  return problems;
}

/** Throws INVALID_CONFIG naming every bad field at once. */
export function validateRaftConfig(config: RaftConfig): void {
  const problems = raftConfigProblems(config);
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `raft config: ${problems.join('; ')}`, { details: { problems } });
}
