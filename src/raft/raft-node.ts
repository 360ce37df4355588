import { assert } from '../core/assert.js';
import { SwarmError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { applyToConfState, confChangeProblem, encodeConfChange } from './conf-change.js';
import { validateRaftConfig, type RaftConfig } from './config.js';
import { cloneConfState, type LogStorage } from './log-storage.js';
import { Progress, type ProgressState } from './progress.js';
import { RaftLog } from './raft-log.js';
import { ReadOnly } from './read-only.js';
import type {
  AppendMessage, AppendResponseMessage, ConfChange, ConfState, Entry, HardState, HeartbeatMessage,
  HeartbeatResponseMessage, Message, NodeId, RaftStatus, ReadState, Ready, Role, SnapshotMessage, SoftState,
  VoteMessage, VoteResponseMessage,
} from './types.js';

/** Messages without the fields send() fills in. */
type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never) : never;

/** How far the leader believes one member's log matches its own. */
export interface FollowerProgress {
  match: number;
  next: number;
  state: ProgressState;
  /** Append messages sent and not yet acknowledged. */
  inflight: number;
  learner: boolean;
}

/** What the last Ready handed out, so advance() knows what became durable and applied. */
interface Handed {
  lastEntry: { index: number; term: number } | undefined;
  snapshotIndex: number | undefined;
  appliedTo: number;
  hardState: HardState;
}

/**
 * Raft as a pure state machine, in the shape of etcd-io/raft: no I/O, timers or clock.
 * The caller drives it with tick() (logical time) and step() (messages from peers), then
 * drains work with hasReady()/ready(), handles each Ready in the order its doc gives
 * (persist, THEN send, then apply) and calls advance(). Nothing is ever sent before the
 * state that justifies it is durable: that is the caller's half of the contract.
 *
 * Randomness (the election timeout) comes from the injected Random, so one seed replays
 * a cluster exactly. Methods called by the application throw SwarmError for expected
 * refusals; step() never throws on a stale, unknown or misdirected message, it drops it.
 */
export class RaftNode {
  readonly id: NodeId;
  private term = 0;
  private vote: NodeId | undefined;
  private role: Role = 'follower';
  private leader: NodeId | undefined;
  private readonly log: RaftLog;
  private conf: ConfState = { voters: [], learners: [] };
  /** Progress of every voter and learner, self included; insertion order is conf order. */
  private prs = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId | undefined;
  /** Index of the newest conf change this leader may have appended; a new one waits until it is applied. */
  private pendingConfIndex = 0;
  /** Bytes of entries appended by this leader and not yet handed out as committed. */
  private uncommittedBytes = 0;
  private readOnly = new ReadOnly();
  /** Reads that arrived before this leader committed an entry of its own term. */
  private readsBeforeCommit: { from: NodeId; context: Uint8Array }[] = [];
  private prevSoft: SoftState;
  private prevHard: HardState;
  private handed: Handed | undefined;

  constructor(
    private readonly config: RaftConfig,
    storage: LogStorage,
    private readonly random: Random,
  ) {
    validateRaftConfig(config);
    this.id = config.id;
    this.log = new RaftLog(storage, config.maxCommittedSizePerReadyBytes);
    const { hardState, confState } = storage.initialState();
    this.setConf(confState);
    // A snapshot newer than the persisted commit index is committed all the same: the
    // application snapshots only applied, hence committed, state.
    assert(hardState.commit <= this.log.lastIndex(), `hard state commit ${hardState.commit} is past the last index ${this.log.lastIndex()}`);
    this.log.committed = Math.max(this.log.committed, hardState.commit);
    this.becomeFollower(hardState.term, undefined);
    this.vote = hardState.vote;
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  // ---- the application's calls ----

  /** One logical tick; the shell calls it every tickMs. */
  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Starts an election now (a pre-vote first when preVote is on), as if the timeout fired. */
  campaign(): void {
    this.hup(false);
  }

  /**
   * The shell learned the leader is gone (its connection closed, or failure detection
   * declared it dead): a follower forgets it, so it grants pre-votes at once instead of
   * honouring the leader's lease; the shell may then `campaign()` without waiting out an
   * election timeout. Safe when the leader is in fact alive: peers that still hear it refuse
   * the pre-vote, and the leader's next heartbeat is followed again.
   */
  forgetLeader(): void {
    if (this.role !== 'follower' || this.leader === undefined) return;
    this.leader = undefined;
  }

  /** Appends `data` to the log. NOT_LEADER (details.leader) when not leader or handing over. */
  propose(data: Uint8Array): void {
    this.checkCanPropose();
    const bytes = data.byteLength;
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.config.maxUncommittedEntriesBytes) {
      throw new SwarmError('UNAVAILABLE', `${this.uncommittedBytes} bytes of proposals are uncommitted, over maxUncommittedEntriesBytes ${this.config.maxUncommittedEntriesBytes}; retry when the cluster catches up`);
    }
    this.appendEntry('normal', data);
    this.uncommittedBytes += bytes;
    this.bcastAppend();
  }

  /**
   * Proposes one membership change. CONFLICT while an earlier change is not yet applied,
   * INVALID_ARGUMENT when it cannot apply to the current membership.
   */
  proposeConfChange(change: ConfChange): void {
    this.checkCanPropose();
    if (this.pendingConfIndex > this.log.applied) {
      throw new SwarmError('CONFLICT', `a membership change at index ${this.pendingConfIndex} is not applied yet (applied ${this.log.applied}); propose one change at a time`);
    }
    const problem = confChangeProblem(this.conf, change);
    if (problem !== undefined) throw new SwarmError('INVALID_ARGUMENT', `conf change ${change.type} ${change.node}: ${problem}`);
    this.pendingConfIndex = this.appendEntry('confChange', encodeConfChange(change));
    this.bcastAppend();
  }

  /**
   * Applies a committed conf change entry (call it while applying that entry) and returns
   * the new membership, which the application stores with its next snapshot.
   */
  applyConfChange(change: ConfChange): ConfState {
    this.setConf(applyToConfState(this.conf, change));
    if (this.role === 'leader') this.afterLeaderConfChange();
    return cloneConfState(this.conf);
  }

  /**
   * Requests a linearizable read: a ReadState with `requestCtx` appears in a later Ready
   * once leadership is confirmed; serve the read when its index is applied. A follower
   * forwards to the leader. NOT_LEADER when no leader is known; the caller retries.
   */
  readIndex(requestCtx: Uint8Array): void {
    if (this.role === 'leader') {
      this.handleReadIndex(this.id, requestCtx);
      return;
    }
    if (this.leader === undefined) throw new SwarmError('NOT_LEADER', 'no leader is known; retry the read later', { details: { leader: undefined } });
    this.send({ type: 'readIndex', to: this.leader, context: requestCtx });
  }

  /**
   * Hands leadership to voter `to`: it is brought up to date, then told to campaign at
   * once. Proposals are refused meanwhile; the attempt is abandoned after electionTicks.
   * Ignored on a non-leader, for a non-voter, or for this node.
   */
  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader' || to === this.id || !this.conf.voters.includes(to)) return;
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.prs.get(to)!;
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to });
    else this.sendAppend(to, true);
  }

  status(): RaftStatus {
    return {
      id: this.id,
      term: this.term,
      role: this.role,
      leader: this.leader,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      confState: cloneConfState(this.conf),
    };
  }

  /** Progress of each member as the leader sees it; empty on a non-leader. For tests and the dashboard. */
  progress(): Map<NodeId, FollowerProgress> {
    const out = new Map<NodeId, FollowerProgress>();
    if (this.role !== 'leader') return out;
    for (const [id, pr] of this.prs) out.set(id, { match: pr.match, next: pr.next, state: pr.state, inflight: pr.inflights.length(), learner: pr.isLearner });
    return out;
  }

  // ---- Ready ----

  hasReady(): boolean {
    if (this.handed !== undefined) return false;
    const soft = this.softState();
    if (soft.role !== this.prevSoft.role || soft.leader !== this.prevSoft.leader) return true;
    if (!sameHardState(this.hardState(), this.prevHard)) return true;
    return this.log.hasUnstable() || this.msgs.length > 0 || this.readStates.length > 0 || this.log.hasNextCommitted();
  }

  /** The next batch of work; the caller handles it (see Ready) and then calls advance(). */
  ready(): Ready {
    assert(this.handed === undefined, 'ready() called again before advance()');
    const entries = this.log.unstable();
    const snapshot = this.log.pendingSnapshot();
    const committedEntries = this.log.nextCommitted();
    const rd: Ready = { entries, messages: this.msgs, committedEntries, readStates: this.readStates };
    const soft = this.softState();
    if (soft.role !== this.prevSoft.role || soft.leader !== this.prevSoft.leader) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hard = this.hardState();
    if (!sameHardState(hard, this.prevHard)) rd.hardState = hard;
    if (snapshot !== undefined) rd.snapshot = snapshot;
    this.msgs = [];
    this.readStates = [];
    const last = entries[entries.length - 1];
    const lastCommitted = committedEntries[committedEntries.length - 1];
    this.handed = {
      lastEntry: last === undefined ? undefined : { index: last.index, term: last.term },
      snapshotIndex: snapshot?.meta.index,
      appliedTo: lastCommitted?.index ?? snapshot?.meta.index ?? 0,
      hardState: hard,
    };
    if (this.role === 'leader') {
      for (const entry of committedEntries) this.uncommittedBytes = Math.max(0, this.uncommittedBytes - entry.data.byteLength);
    }
    return rd;
  }

  /** The last Ready is persisted, sent and applied. */
  advance(): void {
    const handed = this.handed;
    assert(handed !== undefined, 'advance() without ready()');
    this.handed = undefined;
    if (handed.snapshotIndex !== undefined) this.log.stableSnapshotTo(handed.snapshotIndex);
    if (handed.lastEntry !== undefined) this.log.stableTo(handed.lastEntry.index, handed.lastEntry.term);
    if (handed.appliedTo > this.log.applied) this.log.appliedTo(handed.appliedTo);
    this.prevHard = handed.hardState;
  }

  // ---- messages ----

  /** A message from a peer. Stale, unknown and misdirected messages are dropped. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id || !(m.term >= 0)) return;
    if (m.term > this.term) {
      if (!this.acceptHigherTerm(m)) return;
    } else if (m.term < this.term) {
      this.answerLowerTerm(m);
      return;
    }
    switch (m.type) {
      case 'vote':
      case 'preVote':
        this.handleVote(m);
        return;
      default:
        if (this.role === 'leader') this.stepLeader(m);
        else if (this.role === 'follower') this.stepFollower(m);
        else this.stepCandidate(m);
    }
  }

  /** Whether to go on handling `m`, whose term is above ours; moves to that term when it should. */
  private acceptHigherTerm(m: Message): boolean {
    if (m.type === 'vote' || m.type === 'preVote') {
      const inLease = this.config.checkQuorum && this.leader !== undefined && this.electionElapsed < this.config.electionTicks;
      if (inLease && !m.transfer) return false;
    }
    if (m.type === 'preVote') return true;
    if (m.type === 'preVoteResponse' && !m.reject) return true;
    const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
    this.becomeFollower(m.term, fromLeader ? m.from : undefined);
    return true;
  }

  private answerLowerTerm(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'heartbeat' || m.type === 'append')) {
      // A stale leader cut off for a while; this answer carries our term and deposes it.
      this.send({ type: 'appendResponse', to: m.from, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
    } else if (m.type === 'preVote') {
      this.send({ type: 'preVoteResponse', to: m.from, reject: true });
    }
  }

  private handleVote(m: VoteMessage): void {
    const canVote = this.vote === m.from
      || (this.vote === undefined && this.leader === undefined)
      || (m.type === 'preVote' && m.term > this.term);
    const type = m.type === 'vote' ? 'voteResponse' : 'preVoteResponse';
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      // A granted pre-vote answers in the asked term, which is not ours yet.
      this.send({ type, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type, to: m.from, reject: true });
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'appendResponse':
        this.handleAppendResponse(m);
        return;
      case 'heartbeatResponse':
        this.handleHeartbeatResponse(m);
        return;
      case 'readIndex':
        this.handleReadIndex(m.from, m.context);
        return;
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleFromLeader(m);
        return;
      case 'timeoutNow':
        this.hup(true);
        return;
      case 'readIndexResponse':
        this.readStates.push({ index: m.index, requestCtx: m.context });
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleFromLeader(m);
        return;
      case 'voteResponse':
      case 'preVoteResponse':
        this.handleVoteResponse(m);
        return;
      default:
        return;
    }
  }

  private handleFromLeader(m: AppendMessage | HeartbeatMessage | SnapshotMessage): void {
    if (m.type === 'append') this.handleAppend(m);
    else if (m.type === 'heartbeat') this.handleHeartbeat(m);
    else this.handleSnapshot(m);
  }

  private handleAppend(m: AppendMessage): void {
    if (this.conf.voters.length === 0 && this.conf.learners.length === 0) {
      // A new node knows no membership yet, and entries cannot give it one (the first is
      // in a snapshot, not in the log): refuse them until the leader sends the snapshot.
      this.send({ type: 'appendResponse', to: m.from, index: m.index, reject: true, rejectHint: 0, logTerm: 0 });
      return;
    }
    if (m.index < this.log.committed) {
      this.send({ type: 'appendResponse', to: m.from, index: this.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const last = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (last !== undefined) {
      this.send({ type: 'appendResponse', to: m.from, index: last, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send({ type: 'appendResponse', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    const reply: Outgoing = { type: 'heartbeatResponse', to: m.from };
    if (m.context !== undefined) reply.context = m.context;
    this.send(reply);
  }

  private handleSnapshot(m: SnapshotMessage): void {
    const meta = m.snapshot.meta;
    // A new node (no membership, nothing past the snapshot's index) restores even a
    // snapshot at its own commit index: it needs the membership, which only a snapshot
    // carries, and restoring is what makes the shell persist it.
    const newNode = this.conf.voters.length === 0 && this.conf.learners.length === 0
      && this.log.lastIndex() === meta.index && this.log.matchTerm(meta.index, meta.term);
    if (!newNode && meta.index <= this.log.committed) {
      this.send({ type: 'appendResponse', to: m.from, index: this.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    if (!newNode && this.log.matchTerm(meta.index, meta.term)) {
      // We already hold the snapshot's last entry, so the log after it is kept.
      this.log.commitTo(meta.index);
    } else {
      this.log.restore(m.snapshot);
      this.setConf(meta.confState);
    }
    this.send({ type: 'appendResponse', to: m.from, index: this.log.lastIndex(), reject: false, rejectHint: 0, logTerm: 0 });
  }

  private handleAppendResponse(m: AppendResponseMessage): void {
    const pr = this.prs.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (m.reject) {
      const hint = m.logTerm > 0 ? this.log.findConflictByTerm(m.rejectHint, m.logTerm).index : m.rejectHint;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        // A follower that holds nothing may be a new node without the membership, which
        // only a snapshot carries (the first one is not in the log): send it first.
        if (pr.match === 0 && pr.next === 1) this.sendSnapshot(m.from, pr);
        else this.sendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    // A probe answered at the match we already knew still proves where the logs meet, and
    // any answer to a snapshot says where the follower stands now.
    const confirmed = (pr.state === 'probe' && pr.match === m.index) || pr.state === 'snapshot';
    if (!pr.maybeUpdate(m.index) && !confirmed) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from, true);
    while (this.sendAppend(m.from, false));
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to: m.from });
  }

  private handleHeartbeatResponse(m: HeartbeatResponseMessage): void {
    const pr = this.prs.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
    if (m.context === undefined || pr.isLearner) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (acks === undefined || !this.isQuorum(acks)) return;
    for (const read of this.readOnly.advance(m.context)) this.answerRead(read.from, read.index, read.context);
  }

  // ---- elections ----

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, undefined);
        return;
      }
      this.leadTransferee = undefined;
    }
    this.retrySnapshots();
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  /** Whether a majority of voters was heard from since the last check; starts a new window. */
  private quorumActive(): boolean {
    const active = new Set<NodeId>();
    for (const [id, pr] of this.prs) {
      if (id === this.id || pr.recentActive) active.add(id);
      pr.recentActive = false;
    }
    return this.isQuorum(active);
  }

  private retrySnapshots(): void {
    for (const [id, pr] of this.prs) {
      if (pr.state !== 'snapshot' || ++pr.snapshotTicks < this.config.snapshotTimeoutTicks) continue;
      pr.snapshotTimedOut();
      this.sendAppend(id, true);
    }
  }

  /** Whether this node may campaign: a voter, with no snapshot or conf change left to apply. */
  private promotable(): boolean {
    const pr = this.prs.get(this.id);
    return pr !== undefined && !pr.isLearner && this.log.pendingSnapshot() === undefined;
  }

  private hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable() || this.hasUnappliedConfChange()) return;
    if (this.config.preVote && !transfer) this.campaignIn('preElection', false);
    else this.campaignIn('election', transfer);
  }

  /** A node must not campaign under a membership it has not finished applying. */
  private hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    return this.log.slice(lo, this.log.committed + 1).some((e) => e.type === 'confChange');
  }

  private campaignIn(kind: 'preElection' | 'election', transfer: boolean): void {
    if (kind === 'preElection') this.becomePreCandidate();
    else this.becomeCandidate();
    const term = kind === 'preElection' ? this.term + 1 : this.term;
    if (this.poll(this.id, true) === 'won') {
      this.wonElection();
      return;
    }
    for (const id of this.conf.voters) {
      if (id === this.id) continue;
      const type = kind === 'preElection' ? 'preVote' : 'vote';
      this.send({ type, to: id, term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), transfer });
    }
  }

  private handleVoteResponse(m: VoteResponseMessage): void {
    const expected = this.role === 'preCandidate' ? 'preVoteResponse' : 'voteResponse';
    if (m.type !== expected) return;
    const result = this.poll(m.from, !m.reject);
    if (result === 'won') this.wonElection();
    else if (result === 'lost') this.becomeFollower(this.term, undefined);
  }

  private wonElection(): void {
    if (this.role === 'preCandidate') {
      this.campaignIn('election', false);
      return;
    }
    this.becomeLeader();
    this.bcastAppend();
  }

  /** Records a vote and tallies the voters: won, lost, or still pending. */
  private poll(from: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const id of this.conf.voters) {
      const v = this.votes.get(id);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    const quorum = Math.floor(this.conf.voters.length / 2) + 1;
    if (yes >= quorum) return 'won';
    if (this.conf.voters.length - no < quorum) return 'lost';
    return 'pending';
  }

  private becomeFollower(term: number, leader: NodeId | undefined): void {
    this.reset(term);
    this.leader = leader;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate');
    // No reset: the term, the vote and the election timer stay as they are.
    this.votes.clear();
    this.leader = undefined;
    this.role = 'preCandidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.leader = this.id;
    this.role = 'leader';
    this.prs.get(this.id)!.becomeReplicate();
    // Any uncommitted entry may be a conf change: allow no new one until all are applied.
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op of the new term: committing it commits everything before it (5.4.2).
    this.appendEntry('normal', new Uint8Array());
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = undefined;
    }
    this.leader = undefined;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + this.random.int(this.config.electionTicks);
    this.leadTransferee = undefined;
    this.votes.clear();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.prs) {
      const fresh = new Progress(last + 1, this.config.maxInflightMsgs, pr.isLearner);
      if (id === this.id) fresh.match = last;
      this.prs.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly = new ReadOnly();
    this.readsBeforeCommit = [];
  }

  // ---- replication (leader) ----

  private checkCanPropose(): void {
    if (this.role !== 'leader') {
      throw new SwarmError('NOT_LEADER', this.leader === undefined ? 'no leader is known; retry later' : `not the leader; the leader is ${this.leader}`, { details: { leader: this.leader } });
    }
    if (this.leadTransferee !== undefined) {
      throw new SwarmError('NOT_LEADER', `leadership is being transferred to ${this.leadTransferee}; retry there`, { details: { leader: this.leadTransferee } });
    }
  }

  /** Appends one entry of the current term; returns its index. */
  private appendEntry(type: Entry['type'], data: Uint8Array): number {
    const index = this.log.lastIndex() + 1;
    this.log.append([{ index, term: this.term, type, data }]);
    this.prs.get(this.id)!.maybeUpdate(index);
    this.maybeCommit();
    return index;
  }

  /**
   * Commits the highest index a majority of voters holds, if it is of this term (figure 8:
   * an older entry is committed only indirectly, by a newer one of ours after it).
   */
  private maybeCommit(): boolean {
    const matches: number[] = [];
    for (const id of this.conf.voters) matches.push(this.prs.get(id)?.match ?? 0);
    if (matches.length === 0) return false;
    matches.sort((a, b) => b - a);
    const committedBefore = this.log.committed;
    if (!this.log.maybeCommit(matches[Math.floor(matches.length / 2)]!, this.term)) return false;
    if (this.log.term(committedBefore) !== this.term) this.releaseReadsBeforeCommit();
    return true;
  }

  /**
   * Sends `to` what it lacks: entries from pr.next, or the snapshot when they are compacted
   * away. Returns whether a message went out. With `sendIfEmpty` an append without entries
   * still goes (to probe, or to carry the commit index).
   */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = this.log.entriesFrom(pr.next, this.config.maxSizePerMsgBytes);
    if (prevTerm === undefined || entries === undefined) {
      this.sendSnapshot(to, pr);
      return true;
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    const last = entries[entries.length - 1];
    if (pr.state === 'replicate' && last !== undefined) {
      pr.next = last.index + 1;
      pr.inflights.add(last.index);
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): void {
    const snapshot = this.log.snapshot();
    this.send({ type: 'snapshot', to, snapshot });
    pr.becomeSnapshot(snapshot.meta.index);
  }

  private bcastAppend(): void {
    for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private bcastHeartbeat(context?: Uint8Array): void {
    const ctx = context ?? this.readOnly.lastContext();
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      const m: Outgoing = { type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.committed) };
      if (ctx !== undefined) m.context = ctx;
      this.send(m);
    }
  }

  /** After a membership change on the leader: step down if removed, else reach the new members. */
  private afterLeaderConfChange(): void {
    if (!this.conf.voters.includes(this.id)) {
      // A leader outside the configuration must not go on counting quorums it is not in;
      // the remaining voters elect a new leader after their election timeout.
      this.becomeFollower(this.term, undefined);
      return;
    }
    if (this.leadTransferee !== undefined && !this.conf.voters.includes(this.leadTransferee)) this.leadTransferee = undefined;
    if (this.maybeCommit()) this.bcastAppend();
    else for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id, false);
  }

  // ---- reads ----

  private handleReadIndex(from: NodeId, context: Uint8Array): void {
    if (this.conf.voters.length === 1 && this.conf.voters[0] === this.id) {
      this.answerRead(from, this.log.committed, context);
      return;
    }
    if (this.readOnly.size() + this.readsBeforeCommit.length >= this.config.maxPendingReads) {
      if (from === this.id) throw new SwarmError('UNAVAILABLE', `${this.config.maxPendingReads} reads are pending (maxPendingReads); retry later`);
      return;
    }
    if (this.log.term(this.log.committed) !== this.term) {
      // Until an entry of this term commits, our commit index may lag the true one (6.4).
      this.readsBeforeCommit.push({ from, context });
      return;
    }
    this.readOnly.add(this.log.committed, from, context);
    this.readOnly.recvAck(this.id, context);
    this.bcastHeartbeat(context);
  }

  private releaseReadsBeforeCommit(): void {
    const reads = this.readsBeforeCommit;
    this.readsBeforeCommit = [];
    for (const read of reads) this.handleReadIndex(read.from, read.context);
  }

  private answerRead(from: NodeId, index: number, context: Uint8Array): void {
    if (from === this.id) this.readStates.push({ index, requestCtx: context });
    else this.send({ type: 'readIndexResponse', to: from, index, context });
  }

  // ---- helpers ----

  private isQuorum(ids: Set<NodeId>): boolean {
    let n = 0;
    for (const id of this.conf.voters) if (ids.has(id)) n++;
    return n >= Math.floor(this.conf.voters.length / 2) + 1;
  }

  /** Switches to `cs`, keeping the progress of members that stay. */
  private setConf(cs: ConfState): void {
    this.conf = cloneConfState(cs);
    const next = new Map<NodeId, Progress>();
    const last = this.log.lastIndex();
    const add = (id: NodeId, learner: boolean) => {
      const pr = this.prs.get(id) ?? new Progress(last + 1, this.config.maxInflightMsgs, learner);
      if (!this.prs.has(id)) pr.recentActive = true;
      pr.isLearner = learner;
      next.set(id, pr);
    };
    for (const id of cs.voters) add(id, false);
    for (const id of cs.learners) add(id, true);
    this.prs = next;
  }

  private send(m: Outgoing): void {
    const full = { ...m, from: this.id, term: m.term ?? this.term } as Message;
    this.msgs.push(full);
  }

  private softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
