import { randomBytes, randomInt } from 'node:crypto';
import { SwarmError, errorMessage, isSwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { SeededRandom } from '../core/random.js';
import { decodeConfChange } from '../raft/conf-change.js';
import type { MemoryStorage } from '../raft/log-storage.js';
import { RaftNode } from '../raft/raft-node.js';
import type { FileWal } from '../raft/storage/file-wal.js';
import type { WalStats } from '../raft/storage/wal.js';
import type { ConfChange, Entry, Message, Ready, Role, Snapshot, SoftState } from '../raft/types.js';
import { writeBootstrap } from './bootstrap-file.js';
import { raftConfigFor, validateRaftServiceConfig, type RaftServiceConfig } from './config.js';
import { loadDisk } from './disk.js';
import { decodeEnvelope, encodeEnvelope, envelopeOverheadBytes, tagKey } from './envelope.js';
import type { ForwardedProposalSink, ForwardResult } from './forwarder.js';
import { PendingTable } from './pending.js';
import type { ConsensusStatus, Proposed, RaftServiceComponents, RaftServiceEvent, RaftServiceOptions } from './types.js';
import { toWire, type RaftWireMessage } from './wire.js';

/** A proposal waiting to be applied here. */
interface ProposalInfo {
  /** Its log index once known: at once when appended here as leader, from the leader's answer when forwarded. */
  index: number | undefined;
  /** Appended by this node as leader: fails when leadership is lost before it commits. */
  asLeader: boolean;
  /** Set on the leader for an entry a follower forwarded: its waiter resolves even when apply throws (the follower sees the error itself). */
  forwardedFrom: string | undefined;
}

/** A read() barrier waiting for its read index, then for the state machine to reach it. */
interface ReadInfo {
  index: number | undefined;
  /** The leader known when the read was asked: if it changes before answering, the read was lost. */
  leaderAtIssue: string | undefined;
}

interface ChangeInfo {
  index: number;
  change: ConfChange;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The daemon's consensus shell: a RaftNode driven with real time, persisted in a FileWal,
 * talking over a Transport, around any StateMachine. Inputs (ticks, messages, proposals,
 * reads) only step raft and schedule one pump on a later macrotask; the pump drains every
 * Ready in order (persist durably, then send, then restore/apply, then advance), so
 * whatever arrived together shares one fsync.
 *
 * Callers get promises that always settle: applied, refused (SwarmError saying what to do),
 * or failed by a deadline. Not safe to share a WAL directory between two instances; a
 * stopped instance cannot start again: make a new one on the same directory.
 */
export class RaftService implements ForwardedProposalSink {
  readonly id: string;
  private readonly config: RaftServiceConfig;
  private readonly logger: Logger;
  private raft: RaftNode | undefined;
  private storage: MemoryStorage | undefined;
  private wal: FileWal | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  /** Random per instance, so tags of a restarted node never match entries of its earlier life. */
  private readonly session = randomBytes(8).toString('hex');
  private seq = 0;
  private appliedIndex = 0;
  private snapshotIndex = 0;
  private role: Role = 'follower';
  private leaderId: string | undefined;
  private inbox: Message[] = [];
  private inboxDropped = 0;
  private pumpScheduled = false;
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<(event: RaftServiceEvent) => void>();
  private events: RaftServiceEvent[] = [];
  private readonly proposals: PendingTable<Proposed, ProposalInfo>;
  private readonly reads: PendingTable<void, ReadInfo>;
  private readonly changes = new PendingTable<void, ChangeInfo>('membership changes', 1);
  private readonly transfers = new PendingTable<void, { to: string }>('leader transfers', 1);

  constructor(
    private readonly options: RaftServiceOptions,
    private readonly components: RaftServiceComponents,
  ) {
    validateRaftServiceConfig(options.config);
    if (components.transport.localId !== options.id) {
      throw new SwarmError('INVALID_ARGUMENT', `raft service ${options.id}: the transport's local id is ${components.transport.localId}; they must be the same peer id`);
    }
    this.id = options.id;
    this.config = options.config;
    this.logger = components.logger.child('raft');
    this.proposals = new PendingTable('proposals', this.config.proposalsPendingMax);
    this.reads = new PendingTable('reads', this.config.readsPendingMax);
  }

  // ---- lifecycle ----

  /** Loads the disk (restoring the state machine from the newest snapshot), starts the transport and the tick timer. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new SwarmError('CONFLICT', `raft service ${this.id} was already started; make a new RaftService on the same directory to restart`);
    const disk = loadDisk(this.options.dir, this.options.bootstrapVoters);
    for (const warning of disk.warnings) this.logger.warn('write-ahead log repaired on open', { warning });
    try {
      if (disk.snapshot !== undefined) {
        this.components.stateMachine.restore(disk.snapshot.data);
        this.appliedIndex = this.snapshotIndex = disk.snapshot.meta.index;
      }
      const random = this.components.random ?? new SeededRandom(randomInt(2 ** 31));
      this.raft = new RaftNode(raftConfigFor(this.id, this.config), disk.storage, random);
      this.storage = disk.storage;
      this.wal = disk.wal;
      this.unsubscribe = this.components.transport.onMessage((from, message) => this.receive(from, message));
      await this.components.transport.start();
    } catch (err) {
      this.unsubscribe?.();
      disk.wal.close();
      this.state = 'stopped';
      throw err;
    }
    this.state = 'running';
    this.ticker = setInterval(() => this.tick(), this.config.tickMs);
    const { confState, lastIndex, commit } = this.raft.status();
    this.logger.info('raft started', { id: this.id, voters: confState.voters, learners: confState.learners, lastIndex, commit, snapshot: this.snapshotIndex });
    // A sole voter need not wait out an election timeout to lead.
    if (confState.voters.length === 1 && confState.voters[0] === this.id) this.raft.campaign();
    // Replays the committed entries now, so that status() and the state machine reflect the
    // log as soon as start() returns.
    this.pump();
  }

  /**
   * Stops ticking, receiving and sending, fails everything still waiting with UNAVAILABLE,
   * and closes the WAL. What was acknowledged is on disk; a new RaftService on the same
   * directory resumes from it.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    clearInterval(this.ticker);
    this.unsubscribe?.();
    const stopped = new SwarmError('UNAVAILABLE', `the raft service on ${this.id} stopped; retry on a running node`);
    this.proposals.rejectAll(stopped);
    this.reads.rejectAll(stopped);
    this.changes.rejectAll(stopped);
    this.transfers.rejectAll(stopped);
    this.wal?.close();
    await this.components.transport.stop();
  }

  /** Calls `listener` with every event until the returned function is called. */
  onEvent(listener: (event: RaftServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- queries ----

  leader(): string | undefined {
    return this.state === 'running' ? this.leaderId : undefined;
  }

  isLeader(): boolean {
    return this.state === 'running' && this.role === 'leader';
  }

  status(): ConsensusStatus {
    const raft = this.node();
    const s = raft.status();
    return {
      id: this.id, role: this.role, term: s.term, leader: this.leaderId, commit: s.commit, applied: this.appliedIndex,
      lastIndex: s.lastIndex, snapshotIndex: this.snapshotIndex, voters: s.confState.voters, learners: s.confState.learners,
    };
  }

  /** The WAL's counters since this instance opened it (fsyncs show how well proposals batch). */
  walStats(): WalStats {
    this.node();
    return this.wal!.stats();
  }

  /**
   * On the leader: whether member `id` replicates normally (it answered, any snapshot it
   * needed is installed) and its log is within promoteLagEntriesMax of the leader's. False elsewhere.
   */
  isCaughtUp(id: string): boolean {
    if (this.state !== 'running' || this.role !== 'leader') return false;
    return this.lagBehind(id) <= this.config.promoteLagEntriesMax;
  }

  /** Entries `id` lacks, as the leader sees it; Infinity until it replicates normally. */
  private lagBehind(id: string): number {
    const pr = this.node().progress().get(id);
    if (pr === undefined || pr.state !== 'replicate') return Infinity;
    return this.node().status().lastIndex - pr.match;
  }

  // ---- proposals and reads ----

  /**
   * Replicates `command` and resolves once THIS node applied it, with the state machine's
   * result. A follower forwards it to the leader. NOT_LEADER when no leader is known (retry
   * shortly); UNAVAILABLE when leadership was lost before the entry committed or the leader
   * could not be reached, TIMEOUT after proposalTimeoutMs: in those two the command may
   * still be applied, so retry only idempotent commands.
   */
  async propose(command: Uint8Array): Promise<Proposed> {
    const raft = this.node();
    if (command.byteLength > this.config.commandBytesMax) {
      throw new SwarmError('INVALID_ARGUMENT', `a command of ${command.byteLength} bytes exceeds commandBytesMax ${this.config.commandBytesMax}; split it`);
    }
    const tag = { origin: this.id, session: this.session, seq: ++this.seq };
    const entry = encodeEnvelope(tag, command);
    const { leader } = raft.status();
    if (this.role === 'leader') return this.proposeAsLeader(entry, tagKey(tag), undefined);
    if (leader === undefined) throw noLeader('propose');
    return this.forwardToLeader(leader, entry, tagKey(tag));
  }

  /** The leader's side of a follower's propose(): validates the tag's origin, proposes, resolves once applied here. */
  async acceptForwarded(from: string, entry: Uint8Array): Promise<ForwardResult> {
    this.node();
    if (entry.byteLength > this.config.commandBytesMax + envelopeOverheadBytes(from)) {
      throw new SwarmError('INVALID_ARGUMENT', `a forwarded entry of ${entry.byteLength} bytes exceeds commandBytesMax ${this.config.commandBytesMax}`);
    }
    const { tag } = decodeEnvelope(entry);
    if (tag.origin !== from) throw new SwarmError('PERMISSION_DENIED', `a proposal forwarded by ${from} is tagged as proposed by ${tag.origin}`);
    if (this.role !== 'leader') throw notLeader('accept a forwarded proposal', this.leaderId);
    const { index } = await this.proposeAsLeader(entry, tagKey(tag), from);
    return { index };
  }

  /**
   * A linearizable barrier (ReadIndex): resolves once this node applied everything the
   * leader had committed when the read was asked, so reads of the state machine after it
   * see every write acknowledged before it. NOT_LEADER with no known leader; UNAVAILABLE
   * when the leader changed meanwhile; TIMEOUT after readTimeoutMs. Always safe to retry.
   */
  async read(): Promise<void> {
    const raft = this.node();
    const key = `read/${this.session}/${++this.seq}`;
    const info: ReadInfo = { index: undefined, leaderAtIssue: this.leaderId };
    const done = this.reads.add(key, info, this.config.readTimeoutMs, (i) => new SwarmError('TIMEOUT', `read barrier not reached within ${this.config.readTimeoutMs} ms (read index ${i.index ?? 'not yet confirmed by the leader'}, applied ${this.appliedIndex}); retry`));
    if (!this.reads.has(key)) return done;
    try {
      raft.readIndex(encoder.encode(key));
    } catch (err) {
      this.reads.reject(key, err);
      return done;
    }
    this.schedulePump();
    return done;
  }

  /**
   * Tells raft that `id` is gone (its connection closed, or failure detection declared it
   * dead). When it is the leader, a follower forgets it (RaftNode.forgetLeader) and
   * campaigns soon rather than after a whole election timeout. The remaining voters take
   * turns by id, 250 ms apart: campaigns that cross would grant each other's pre-vote and
   * split the vote, costing a full timeout.
   */
  peerLost(id: string): void {
    if (this.state !== 'running' || id !== this.leaderId || this.role !== 'follower') return;
    const rank = this.raft!.status().confState.voters.filter((voter) => voter !== id).sort().indexOf(this.id);
    if (rank < 0) return;
    this.node().forgetLeader();
    this.schedulePump();
    const timer = setTimeout(() => {
      if (this.state !== 'running' || this.role !== 'follower' || this.leaderId !== undefined) return;
      this.node().campaign();
      this.schedulePump();
    }, 10 + rank * 250 + randomInt(20));
    timer.unref();
  }

  // ---- membership (leader only, one change at a time) ----

  /** Makes `id` a voter (promoting it when it is a learner, which must have caught up). Resolves once applied here. */
  addVoter(id: string): Promise<void> {
    const isLearner = this.state === 'running' && this.node().status().confState.learners.includes(id);
    return this.changeMembership({ type: isLearner ? 'promoteLearner' : 'addVoter', node: id });
  }

  /** Adds `id` as a learner: it receives the log (by snapshot first when far behind) but does not vote. */
  addLearner(id: string): Promise<void> {
    return this.changeMembership({ type: 'addLearner', node: id });
  }

  /** Removes voter or learner `id`. A leader that removes itself steps down once it applies the change. */
  removeMember(id: string): Promise<void> {
    return this.changeMembership({ type: 'removeNode', node: id });
  }

  /** Hands leadership to voter `id`; resolves once this node sees it lead. TIMEOUT after membershipTimeoutMs. */
  async transferLeadership(id: string): Promise<void> {
    const raft = this.node();
    if (this.role !== 'leader') throw notLeader(`transfer leadership to ${id}`, this.leaderId);
    if (id === this.id) return;
    const { voters } = raft.status().confState;
    if (!voters.includes(id)) throw new SwarmError('INVALID_ARGUMENT', `cannot transfer leadership to ${id}: it is not a voter (voters: ${voters.join(', ')})`);
    if (this.transfers.size > 0) throw new SwarmError('CONFLICT', `a leader transfer to ${this.transfers.info('transfer')!.to} is in progress; wait for it to finish`);
    const done = this.transfers.add('transfer', { to: id }, this.config.membershipTimeoutMs, () => new SwarmError('TIMEOUT', `leadership did not move to ${id} within ${this.config.membershipTimeoutMs} ms; it may be unreachable or far behind`));
    raft.transferLeadership(id);
    this.schedulePump();
    return done;
  }

  private async changeMembership(change: ConfChange): Promise<void> {
    const raft = this.node();
    const what = `${change.type} ${change.node}`;
    if (this.role !== 'leader') throw notLeader(what, this.leaderId);
    const pending = this.changes.info('change');
    if (pending !== undefined) {
      throw new SwarmError('CONFLICT', `cannot ${what}: the membership change ${pending.change.type} ${pending.change.node} at index ${pending.index} is not applied yet; make one change at a time`);
    }
    if (change.type === 'promoteLearner') {
      const lag = this.lagBehind(change.node);
      if (lag > this.config.promoteLagEntriesMax) {
        const behind = lag === Infinity ? 'not replicating yet (no answer, or a snapshot in flight)' : `${lag} entries behind the leader`;
        throw new SwarmError('UNAVAILABLE', `learner ${change.node} is ${behind} (promoteLagEntriesMax ${this.config.promoteLagEntriesMax}); retry once it has caught up`);
      }
    }
    const info: ChangeInfo = { index: 0, change };
    const done = this.changes.add('change', info, this.config.membershipTimeoutMs, (i) => new SwarmError('TIMEOUT', `membership change ${what} at index ${i.index} not applied within ${this.config.membershipTimeoutMs} ms; check status() before retrying`));
    try {
      raft.proposeConfChange(change);
    } catch (err) {
      this.changes.reject('change', err);
      return done;
    }
    info.index = raft.status().lastIndex;
    this.schedulePump();
    return done;
  }

  // ---- inputs ----

  private node(): RaftNode {
    if (this.state !== 'running' || this.raft === undefined) {
      throw new SwarmError('UNAVAILABLE', `the raft service on ${this.id} is ${this.state === 'new' ? 'not started' : 'stopped'}`);
    }
    return this.raft;
  }

  private tick(): void {
    if (this.state !== 'running') return;
    this.raft!.tick();
    this.schedulePump();
  }

  /** Queues a message from the transport; the pump steps it. The authenticated sender must be the message's `from`. */
  private receive(from: string, wire: RaftWireMessage): void {
    if (this.state !== 'running') return;
    const message = wire.msg;
    if (message.from !== from || message.to !== this.id) {
      this.logger.debug('dropped a raft message with a wrong sender or recipient', { from, claimedFrom: message.from, to: message.to });
      return;
    }
    if (this.inbox.length >= this.config.inboxMessagesMax) {
      if (this.inboxDropped++ % 1000 === 0) this.logger.warn('raft inbox full (inboxMessagesMax): dropping messages', { dropped: this.inboxDropped });
      return;
    }
    this.inbox.push(message);
    this.schedulePump();
  }

  private proposeAsLeader(entry: Uint8Array, key: string, forwardedFrom: string | undefined): Promise<Proposed> {
    const info: ProposalInfo = { index: undefined, asLeader: true, forwardedFrom };
    const done = this.proposals.add(key, info, this.config.proposalTimeoutMs, (i) => proposalTimeout(this.config.proposalTimeoutMs, i.index));
    if (!this.proposals.has(key)) return done;
    try {
      this.raft!.propose(entry);
    } catch (err) {
      this.proposals.reject(key, err);
      return done;
    }
    info.index = this.raft!.status().lastIndex;
    this.schedulePump();
    return done;
  }

  private forwardToLeader(leader: string, entry: Uint8Array, key: string): Promise<Proposed> {
    const info: ProposalInfo = { index: undefined, asLeader: false, forwardedFrom: undefined };
    const done = this.proposals.add(key, info, this.config.proposalTimeoutMs, (i) => proposalTimeout(this.config.proposalTimeoutMs, i.index));
    if (!this.proposals.has(key)) return done;
    this.components.forwarder.forward(leader, entry).then(
      (result) => {
        const waiting = this.proposals.info(key);
        if (waiting === undefined) return;
        waiting.index = result.index;
        // Applied already but not matched: it came inside a snapshot, so its own result is gone.
        if (result.index <= this.appliedIndex) this.proposals.reject(key, appliedInSnapshot(result.index));
      },
      (err: unknown) => this.proposals.reject(key, forwardFailure(leader, err)),
    );
    return done;
  }

  // ---- the Ready loop ----

  private schedulePump(): void {
    if (this.pumpScheduled || this.state !== 'running') return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.state !== 'running') return;
    const raft = this.raft!;
    try {
      for (const message of this.inbox.splice(0)) raft.step(message);
      while (this.state === 'running' && raft.hasReady()) this.handleReady(raft.ready());
    } catch (err) {
      this.fail(err);
    }
    this.emitEvents();
  }

  /** One Ready, in the order its contract gives: persist, send, restore/apply, advance. */
  private handleReady(rd: Ready): void {
    const raft = this.raft!;
    const storage = this.storage!;
    if (rd.snapshot !== undefined) this.persistSnapshot(rd.snapshot);
    this.wal!.save(rd.hardState, rd.entries);
    if (rd.entries.length > 0) storage.append(rd.entries);
    if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
    // Only now is everything the messages vouch for (votes, acknowledged entries) durable.
    for (const message of rd.messages) this.components.transport.send(message.to, toWire(message));
    if (rd.snapshot !== undefined && rd.snapshot.meta.index > 0) this.restoreSnapshot(rd.snapshot);
    this.applyEntries(rd.committedEntries);
    for (const readState of rd.readStates) {
      const info = this.reads.info(decoder.decode(readState.requestCtx));
      if (info !== undefined) info.index = readState.index;
    }
    raft.advance();
    if (rd.softState !== undefined) this.changeSoftState(rd.softState);
    this.reads.settleWhere((i) => (i.index !== undefined && i.index <= this.appliedIndex ? { value: undefined } : undefined));
    this.maybeSnapshot();
  }

  /** A snapshot from the leader, durable before anything of this Ready is sent. */
  private persistSnapshot(snapshot: Snapshot): void {
    // The index-0 snapshot only carries the cluster's first membership; the WAL cannot hold it.
    if (snapshot.meta.index === 0) writeBootstrap(this.options.dir, snapshot.meta.confState);
    else this.wal!.installSnapshot(snapshot);
    this.storage!.applySnapshot(snapshot);
  }

  private restoreSnapshot(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    this.components.stateMachine.restore(snapshot.data);
    this.appliedIndex = this.snapshotIndex = index;
    this.proposals.settleWhere((i) => (i.index !== undefined && i.index <= index ? { error: appliedInSnapshot(i.index) } : undefined));
    this.events.push({ type: 'snapshotRestored', index });
    const { voters, learners } = snapshot.meta.confState;
    this.events.push({ type: 'membershipChanged', index, voters: [...voters], learners: [...learners] });
    this.logger.info('state restored from the leader\'s snapshot', { index });
  }

  private applyEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.type === 'confChange') this.applyConfChange(entry);
      else if (entry.data.length > 0) this.applyCommand(entry);
      this.appliedIndex = entry.index;
    }
  }

  private applyCommand(entry: Entry): void {
    let envelope;
    try {
      envelope = decodeEnvelope(entry.data);
    } catch (err) {
      // Every replica skips it alike, so the replicas stay the same.
      this.logger.error('skipped a log entry that is not a command', { index: entry.index, error: errorMessage(err) });
      return;
    }
    const key = tagKey(envelope.tag);
    const forwarded = this.proposals.info(key)?.forwardedFrom !== undefined;
    try {
      const result = this.components.stateMachine.apply(envelope.command, entry.index);
      this.events.push({ type: 'applied', index: entry.index, result });
      this.proposals.resolve(key, { index: entry.index, result });
    } catch (error) {
      this.events.push({ type: 'applied', index: entry.index, error });
      if (forwarded) this.proposals.resolve(key, { index: entry.index, result: undefined });
      else this.proposals.reject(key, error);
    }
  }

  private applyConfChange(entry: Entry): void {
    const cs = this.raft!.applyConfChange(decodeConfChange(entry.data));
    this.events.push({ type: 'membershipChanged', index: entry.index, voters: cs.voters, learners: cs.learners });
    this.logger.info('membership changed', { index: entry.index, voters: cs.voters, learners: cs.learners });
    this.changes.settleWhere((i) => (i.index === entry.index ? { value: undefined } : undefined));
  }

  private changeSoftState(soft: SoftState): void {
    const wasLeader = this.role === 'leader';
    const leaderChanged = soft.leader !== this.leaderId;
    this.role = soft.role;
    this.leaderId = soft.leader;
    const { term, commit } = this.raft!.status();
    if (leaderChanged || wasLeader !== (soft.role === 'leader')) {
      this.events.push({ type: 'leaderChanged', leader: soft.leader, term, isLeader: soft.role === 'leader' });
      this.logger.info(soft.role === 'leader' ? 'became leader' : 'leader changed', { leader: soft.leader ?? 'none', term });
    }
    if (wasLeader && soft.role !== 'leader') {
      const lost = (what: string, index: number | undefined) => new SwarmError('UNAVAILABLE',
        `lost leadership (term ${term}, leader now ${soft.leader ?? 'unknown'}) before ${what} at index ${index ?? '?'} committed; the next leader may still commit or drop it: retry only if it is idempotent`,
        { details: { index, leader: soft.leader, outcome: 'unknown' } });
      this.proposals.settleWhere((i) => (i.asLeader && (i.index === undefined || i.index > commit) ? { error: lost('the proposal', i.index) } : undefined));
      this.changes.settleWhere((i) => (i.index > commit ? { error: lost(`${i.change.type} ${i.change.node}`, i.index) } : undefined));
    }
    if (leaderChanged) {
      this.reads.settleWhere((i) => (i.index === undefined && i.leaderAtIssue !== soft.leader
        ? { error: new SwarmError('UNAVAILABLE', `the leader changed (now ${soft.leader ?? 'unknown'}) before confirming the read; retry`) }
        : undefined));
    }
    this.transfers.settleWhere((i) => (soft.leader === i.to ? { value: undefined } : undefined));
  }

  /** Snapshots the state machine every snapshotEntries applied entries; compacts the WAL and the in-memory log behind it. */
  private maybeSnapshot(): void {
    if (this.appliedIndex - this.snapshotIndex < this.config.snapshotEntries) return;
    const storage = this.storage!;
    const snapshot = storage.createSnapshot(this.appliedIndex, this.raft!.status().confState, this.components.stateMachine.snapshot());
    this.wal!.compact(snapshot);
    this.snapshotIndex = this.appliedIndex;
    const compactTo = this.appliedIndex - this.config.compactLagEntries;
    if (compactTo > storage.firstIndex()) storage.compact(compactTo);
    this.logger.debug('snapshot taken', { index: this.appliedIndex, bytes: snapshot.data.length });
  }

  /** The WAL (or the state machine) failed: the disk's state is unknown, so stop; a restart recovers from disk. */
  private fail(err: unknown): void {
    this.logger.error('raft stopped after a failure; restart it from its directory', { error: errorMessage(err) });
    this.events.push({ type: 'failed', error: err });
    void this.stop().catch((stopErr: unknown) => this.logger.error('stopping after a failure failed', { error: errorMessage(stopErr) }));
  }

  private emitEvents(): void {
    for (const event of this.events.splice(0)) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (err) {
          this.logger.error('raft event listener failed', { type: event.type, error: errorMessage(err) });
        }
      }
    }
  }
}

function noLeader(what: string): SwarmError {
  return new SwarmError('NOT_LEADER', `cannot ${what}: no leader is known (an election is under way or this node is cut off); retry shortly`, { details: { leader: undefined } });
}

function notLeader(what: string, leader: string | undefined): SwarmError {
  if (leader === undefined) return noLeader(what);
  return new SwarmError('NOT_LEADER', `cannot ${what}: this node is not the leader; ask the leader, ${leader}`, { details: { leader } });
}

function proposalTimeout(timeoutMs: number, index: number | undefined): SwarmError {
  return new SwarmError('TIMEOUT', `proposal${index === undefined ? '' : ` at index ${index}`} not applied within ${timeoutMs} ms; it may still be applied: retry only if it is idempotent`, {
    details: { index, outcome: 'unknown' },
  });
}

function appliedInSnapshot(index: number): SwarmError {
  return new SwarmError('UNAVAILABLE', `the proposal at index ${index} was applied, but inside a snapshot from the leader, so its result is not known here; read the state instead`, {
    details: { index, outcome: 'applied' },
  });
}

function forwardFailure(leader: string, err: unknown): SwarmError {
  if (isSwarmError(err)) {
    const hint = err.code === 'NOT_LEADER' ? ' (leadership moved; retry)' : '';
    return new SwarmError(err.code, `proposal forwarded to leader ${leader}: ${err.message}${hint}`, { cause: err, details: { ...err.details, leader } });
  }
  return new SwarmError('UNAVAILABLE', `proposal forwarded to leader ${leader} failed: ${errorMessage(err)}; it may still be applied`, { cause: err, details: { leader, outcome: 'unknown' } });
}
