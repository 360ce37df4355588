/**
 * The data raft reads, writes and sends. Everything here is a plain object with
 * Uint8Array payloads, so a message can be msgpackr-encoded for the wire as it is.
 */

/** A node's stable name: its libp2p peer id in the daemon, `n1`, `1`, ... in tests. */
export type NodeId = string;

/** What an entry carries: application data, or a JSON-encoded ConfChange (conf-change.ts). */
export type EntryType = 'normal' | 'confChange';

/** One log entry. `data` is empty for the no-op a new leader appends. */
export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  data: Uint8Array;
}

/** What must be durable before any message of the same Ready leaves the node. */
export interface HardState {
  term: number;
  /** Whom this node voted for in `term`. */
  vote: NodeId | undefined;
  commit: number;
}

/** The cluster's membership: voters count towards quorums, learners only receive the log. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

/** Which log prefix a snapshot replaces, and the membership in force at its index. */
export interface SnapshotMeta {
  index: number;
  term: number;
  confState: ConfState;
}

/** The state machine's image at `meta.index`; `data` is opaque to raft. */
export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

/** One membership change, applied when its entry is applied (one at a time, never joint). */
export type ConfChange = { type: 'addVoter' | 'removeNode' | 'addLearner' | 'promoteLearner'; node: NodeId };

/** What every message carries: sender, recipient and the sender's term. */
interface MessageBase {
  from: NodeId;
  to: NodeId;
  term: number;
}

/** Leader to follower: entries after (`index`, `logTerm`), and the leader's commit index. */
export interface AppendMessage extends MessageBase {
  type: 'append';
  /** Index of the entry just before `entries`. */
  index: number;
  /** Term of the entry at `index`: the follower accepts only when its own matches. */
  logTerm: number;
  entries: Entry[];
  commit: number;
}

/**
 * Follower to leader. Accepted: `index` is the follower's last matching index. Rejected:
 * `index` is the rejected append's index, and (`rejectHint`, `logTerm`) is the follower's
 * guess of the last entry that could match, so the leader skips a whole term at a time.
 */
export interface AppendResponseMessage extends MessageBase {
  type: 'appendResponse';
  index: number;
  reject: boolean;
  rejectHint: number;
  logTerm: number;
}

/** A (pre-)candidate asks for a vote. A pre-vote carries the term it would campaign in. */
export interface VoteMessage extends MessageBase {
  type: 'vote' | 'preVote';
  lastLogIndex: number;
  lastLogTerm: number;
  /** Set when the campaign follows a leader transfer: it overrides the voter's leader lease. */
  transfer: boolean;
}

/** The answer to a (pre-)vote; a granted pre-vote carries the term it was asked in. */
export interface VoteResponseMessage extends MessageBase {
  type: 'voteResponse' | 'preVoteResponse';
  reject: boolean;
}

/**
 * Leader to follower: "I am still leader". `commit` is capped at what the follower is
 * known to hold. `context` is set when the heartbeat confirms leadership for a ReadIndex.
 */
export interface HeartbeatMessage extends MessageBase {
  type: 'heartbeat';
  commit: number;
  context?: Uint8Array;
}

/** Follower to leader, echoing the heartbeat's `context`. */
export interface HeartbeatResponseMessage extends MessageBase {
  type: 'heartbeatResponse';
  context?: Uint8Array;
}

/** Leader to a follower whose next entry was compacted away: the whole state instead. */
export interface SnapshotMessage extends MessageBase {
  type: 'snapshot';
  snapshot: Snapshot;
}

/** Leader to its chosen successor during a transfer: campaign now, skipping pre-vote. */
export interface TimeoutNowMessage extends MessageBase {
  type: 'timeoutNow';
}

/** Follower to leader: a linearizable read request, forwarded. */
export interface ReadIndexMessage extends MessageBase {
  type: 'readIndex';
  context: Uint8Array;
}

/** Leader to follower: the read with `context` may be served once `index` is applied. */
export interface ReadIndexResponseMessage extends MessageBase {
  type: 'readIndexResponse';
  index: number;
  context: Uint8Array;
}

/** Every message raft exchanges, discriminated on `type`. */
export type Message =
  | AppendMessage
  | AppendResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

/** The four roles; a preCandidate is polling for a pre-vote and has not raised its term. */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state worth telling the application about when it changes. */
export interface SoftState {
  leader: NodeId | undefined;
  role: Role;
}

/** A linearizable read that may be served once the state machine has applied `index`. */
export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

/**
 * One batch of work for the caller, handled strictly in this order:
 *  1. persist `snapshot` (when present), then `entries` (replacing any conflicting suffix)
 *     and `hardState` (when present), durably;
 *  2. only then send `messages` (persist-before-send is what makes votes and
 *     acknowledgements safe across a crash);
 *  3. install `snapshot` in the state machine, then apply `committedEntries` in order,
 *     calling RaftNode.applyConfChange for each confChange entry;
 *  4. call RaftNode.advance().
 */
export interface Ready {
  /** Present when the leader or role changed since the last Ready. */
  softState?: SoftState;
  /** Present when term, vote or commit changed: persist it. */
  hardState?: HardState;
  /** Append to stable storage, replacing any conflicting suffix, BEFORE sending messages. */
  entries: Entry[];
  /** Persist, then install in the state machine. */
  snapshot?: Snapshot;
  /** Send only after the above is durable. */
  messages: Message[];
  /** Apply in order. */
  committedEntries: Entry[];
  /** Reads that became safe to serve, in request order. */
  readStates: ReadState[];
}

/** A node's state at a glance, for logs, the dashboard and tests. */
export interface RaftStatus {
  id: NodeId;
  term: number;
  role: Role;
  leader: NodeId | undefined;
  commit: number;
  applied: number;
  lastIndex: number;
  confState: ConfState;
}
