import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import type { Transport } from '../p2p/transport.js';
import type { Role } from '../raft/types.js';
import type { RaftServiceConfig } from './config.js';
import type { ProposalForwarder } from './forwarder.js';
import type { StateMachine } from './state-machine.js';
import type { RaftWireMessage } from './wire.js';

/** Who a RaftService is and where it keeps its disk. */
export interface RaftServiceOptions {
  /** This node's id: its libp2p peer id in the daemon. */
  id: string;
  /** The service directory: the WAL in `<dir>/wal`, the bootstrap membership in `<dir>/bootstrap.json`. */
  dir: string;
  /**
   * Voters of a brand-new cluster, used only when `dir` is empty: `[id]` on `swarmts init`,
   * `[]` on a node that joins (the leader's snapshot tells it the membership). Ignored once
   * the directory holds a log, so a restart may pass anything.
   */
  bootstrapVoters: string[];
  config: RaftServiceConfig;
}

/** What a RaftService works with; it starts and stops the transport itself. */
export interface RaftServiceComponents {
  transport: Transport<RaftWireMessage>;
  forwarder: ProposalForwarder;
  stateMachine: StateMachine;
  logger: Logger;
  /** Election timeouts. Default: a SeededRandom from a random seed. */
  random?: Random;
}

/** A proposal applied on this node. */
export interface Proposed {
  index: number;
  /** What the state machine's apply returned. */
  result: unknown;
}

/** A node's consensus state at a glance. */
export interface ConsensusStatus {
  id: string;
  role: Role;
  term: number;
  leader: string | undefined;
  commit: number;
  /** Highest index applied to the state machine (or restored from a snapshot). */
  applied: number;
  lastIndex: number;
  /** Index of the newest snapshot on disk (0 before the first). */
  snapshotIndex: number;
  voters: string[];
  learners: string[];
}

/** What a RaftService tells its listeners, after each Ready batch is handled. */
export type RaftServiceEvent =
  | { type: 'leaderChanged'; leader: string | undefined; term: number; isLeader: boolean }
  /** A command was applied; `error` when the state machine threw. */
  | { type: 'applied'; index: number; result?: unknown; error?: unknown }
  | { type: 'membershipChanged'; index: number; voters: string[]; learners: string[] }
  /** The state machine was replaced by a snapshot from the leader: re-read everything. */
  | { type: 'snapshotRestored'; index: number }
  /** The WAL failed; the service stopped itself and must be restarted from disk. */
  | { type: 'failed'; error: unknown };
