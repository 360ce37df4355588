import { SwarmError } from '../core/errors.js';
import { raftConfigProblems, defaultRaftConfig, type RaftConfig } from '../raft/config.js';

/** Raft settings the service passes through, beyond the timing it sets itself. */
export type RaftTuning = Partial<Omit<RaftConfig, 'id' | 'electionTicks' | 'heartbeatTicks'>>;

/** How a RaftService runs raft with real time, a real WAL and a network transport. */
export interface RaftServiceConfig {
  /** Milliseconds between raft ticks. Default 100: etcd's heartbeat interval, a LAN round trip many times over. */
  tickMs: number;
  /**
   * Ticks without a leader before a follower campaigns (drawn from [n, 2n)). Default 10,
   * so 1-2 s with tickMs 100: well above a heartbeat so a lost one causes no election.
   */
  electionTicks: number;
  /** Ticks between a leader's heartbeats. Default 1. */
  heartbeatTicks: number;
  /**
   * Take a state machine snapshot once this many entries were applied since the last one,
   * and compact the WAL behind it. Default 10000: etcd's default; bounds replay time.
   */
  snapshotEntries: number;
  /**
   * Entries kept in memory behind a snapshot so a follower slightly behind gets entries,
   * not the whole snapshot. Default 5000 (etcd's SnapshotCatchUpEntries).
   */
  compactLagEntries: number;
  /**
   * Milliseconds a proposal may take until applied on this node before it fails with
   * TIMEOUT (outcome unknown). Default 10000: several elections' worth.
   */
  proposalTimeoutMs: number;
  /** Milliseconds a read() barrier may take before TIMEOUT. Default 5000. */
  readTimeoutMs: number;
  /** Milliseconds a membership change or leader transfer may take before TIMEOUT. Default 10000. */
  membershipTimeoutMs: number;
  /**
   * Largest command a proposal may carry, in bytes. Default 512 KiB: with
   * raft.maxSizePerMsgBytes 256 KiB an append message stays well under the raft
   * transport's message limit, which drops anything larger.
   */
  commandBytesMax: number;
  /** Proposals (local and forwarded) waiting to be applied; beyond, UNAVAILABLE. Default 4096. */
  proposalsPendingMax: number;
  /** read() barriers waiting; beyond, UNAVAILABLE. Default 4096 (raft's maxPendingReads). */
  readsPendingMax: number;
  /**
   * Raft messages queued between two Ready batches; beyond, new ones are dropped (raft
   * retries). Default 4096: 16 peers' worth of the transport's queue.
   */
  inboxMessagesMax: number;
  /**
   * A learner is promoted only when its log is within this many entries of the leader's.
   * Default 1000: promoting a learner far behind would stall commits until it catches up.
   */
  promoteLagEntriesMax: number;
  /** Raft settings passed through. Default: raft's, with maxSizePerMsgBytes 256 KiB (see commandBytesMax). */
  raft: RaftTuning;
}

/** The defaults documented on each field. */
export function defaultRaftServiceConfig(): RaftServiceConfig {
  return {
    tickMs: 100,
    electionTicks: 10,
    heartbeatTicks: 1,
    snapshotEntries: 10_000,
    compactLagEntries: 5_000,
    proposalTimeoutMs: 10_000,
    readTimeoutMs: 5_000,
    membershipTimeoutMs: 10_000,
    commandBytesMax: 512 * 1024,
    proposalsPendingMax: 4096,
    readsPendingMax: 4096,
    inboxMessagesMax: 4096,
    promoteLagEntriesMax: 1000,
    raft: { maxSizePerMsgBytes: 256 * 1024 },
  };
}

/** The RaftConfig a service runs with. */
export function raftConfigFor(id: string, config: RaftServiceConfig): RaftConfig {
  return { ...defaultRaftConfig(id), ...config.raft, id, electionTicks: config.electionTicks, heartbeatTicks: config.heartbeatTicks };
}

/** Every problem with `config`, each naming its field; empty when usable. */
export function raftServiceConfigProblems(config: RaftServiceConfig): string[] {
  const problems: string[] = [];
  const positive: (keyof RaftServiceConfig)[] = [
    'tickMs', 'electionTicks', 'heartbeatTicks', 'snapshotEntries', 'proposalTimeoutMs', 'readTimeoutMs',
    'membershipTimeoutMs', 'commandBytesMax', 'proposalsPendingMax', 'readsPendingMax', 'inboxMessagesMax', 'promoteLagEntriesMax',
  ];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) problems.push(`${key}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  const lag = config.compactLagEntries;
  if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0) problems.push(`compactLagEntries: expected a non-negative integer, got ${JSON.stringify(lag)}`);
  if (problems.length === 0) problems.push(...raftConfigProblems(raftConfigFor('config-check', config)).map((p) => `raft.${p}`));
  return problems;
}

/** Throws INVALID_CONFIG naming every bad field at once. */
export function validateRaftServiceConfig(config: RaftServiceConfig): void {
  const problems = raftServiceConfigProblems(config);
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `raft service config: ${problems.join('; ')}`, { details: { problems } });
}
