import { isSwarmError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { decodeConfChange } from '../raft/conf-change.js';
import type { RaftConfig } from '../raft/config.js';
import { MemoryStorage } from '../raft/log-storage.js';
import { RaftNode } from '../raft/raft-node.js';
import { MemoryWal, SimulatedCrash } from '../raft/storage/memory-wal.js';
import type { OpenedWal, Wal, WalStats } from '../raft/storage/wal.js';
import type { ConfState, Entry, Message, Snapshot } from '../raft/types.js';
import type { ClientReply, ClientRequest } from './kv-client.js';
import { encodeCommand, KvStateMachine } from './kv-state-machine.js';
import type { RaftInvariants } from './raft-invariants.js';

/**
 * One simulated raft node's shell: what the daemon will do with a real WAL, done with the
 * MemoryWal twin. It persists each Ready before sending its messages, applies committed
 * entries to a KV store, answers clients, compacts its log into snapshots, and on a crash
 * keeps only its disk: a restart rebuilds storage, raft and the store from the WAL.
 */

/** Where a host keeps its log: a MemoryWal in simulations, a FileWal directory in benchmarks. */
export interface HostDisk {
  /** Opens the log as a (re)start does. */
  open(): OpenedWal<Wal>;
}

/** What a host is connected to. */
export interface RaftHostWiring {
  /** The membership a node starts with before it has a snapshot. */
  bootstrapConfState: ConfState;
  random: Random;
  invariants: RaftInvariants;
  send: (out: Outbound) => void;
  /** Default: a fresh MemoryWal. */
  disk?: HostDisk;
  /** Called when the node crashed by itself (mid-write, or right after voting), so the cluster can restart it. */
  onCrash?: () => void;
}

/** What a host sends: raft messages to peers, replies to clients. */
export type Outbound = { to: string; raft: Message } | { to: string; reply: ClientReply };

/** How each host behaves beyond raft itself. */
export interface RaftHostConfig {
  raft: RaftConfig;
  /** Take a snapshot once this many entries were applied since the last, at least 1. */
  snapshotEntries: number;
  /** Entries kept in memory behind a snapshot for slow followers (the rest need the snapshot). */
  compactLagEntries: number;
  /**
   * Serve gets with raft's ReadIndex (confirm leadership, wait until applied, read locally)
   * instead of through the log. Any node serves them; a follower forwards to the leader.
   */
  readIndexGets: boolean;
}

/** A ReadIndex get waiting for raft's read state, then for the store to apply up to it. */
interface PendingRead {
  clientId: string;
  requestId: number;
  key: string;
  /** Set once raft handed out the read state. */
  index: number | undefined;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** One node's shell; see the file comment. */
export class RaftHost {
  private wal: Wal | undefined;
  private storage: MemoryStorage | undefined;
  private raft: RaftNode | undefined;
  private kv = new KvStateMachine();
  /** Client requests this node proposed and will answer when it applies them, by client. */
  private readonly waiting = new Map<string, number>();
  /** ReadIndex gets in flight, by request context. */
  private readonly reads = new Map<string, PendingRead>();
  private snapshotIndex = 0;
  private wasLeader = false;
  /** Warnings from the last restart, for the simulation's log. */
  restartWarnings: string[] = [];
  /** What this host did over its lifetime, restarts included: how much a run exercised. */
  readonly counters = { crashes: 0, snapshotsTaken: 0, snapshotsInstalled: 0, readIndexReads: 0, tornRecordsDropped: 0 };

  readonly disk: HostDisk;
  private readonly random: Random;
  private readonly invariants: RaftInvariants;
  private readonly send: (out: Outbound) => void;
  private crashAfterVote = false;

  constructor(
    readonly id: string,
    private readonly config: RaftHostConfig,
    private readonly wiring: RaftHostWiring,
  ) {
    this.disk = wiring.disk ?? new MemoryWal();
    this.random = wiring.random;
    this.invariants = wiring.invariants;
    this.send = wiring.send;
  }

  isUp(): boolean {
    return this.raft !== undefined;
  }

  /** The running raft node; the host must be up. */
  node(): RaftNode {
    if (this.raft === undefined) throw new Error(`${this.id} is down`);
    return this.raft;
  }

  /** The running store; for end-of-run comparisons. */
  store(): KvStateMachine {
    return this.kv;
  }

  /** Starts (or restarts) from the disk. */
  start(): void {
    const opened = this.disk.open();
    this.restartWarnings = opened.warnings;
    this.counters.tornRecordsDropped += opened.warnings.length;
    this.wal = opened.wal;
    const { hardState, snapshot, entries } = opened.state;
    const storage = new MemoryStorage();
    this.kv = new KvStateMachine();
    this.snapshotIndex = 0;
    if (snapshot !== undefined) {
      storage.applySnapshot(snapshot);
      this.kv.restore(snapshot.data);
      this.snapshotIndex = snapshot.meta.index;
      this.invariants.observeApplied(this.id, snapshot.meta.index, this.kv.digest());
    } else {
      storage.applySnapshot(this.bootstrapSnapshot());
    }
    storage.setHardState(hardState);
    storage.append(entries);
    this.invariants.checkReloaded(this.id, hardState.commit, this.snapshotIndex, entries);
    this.storage = storage;
    this.raft = new RaftNode(this.config.raft, storage, this.random.fork());
    this.wasLeader = false;
    this.waiting.clear();
    this.reads.clear();
    this.processReady();
  }

  /**
   * A fresh node's membership: a snapshot at index 0 that only carries the configuration,
   * never written to the WAL, so every start without a real snapshot begins from it.
   */
  private bootstrapSnapshot(): Snapshot {
    return { meta: { index: 0, term: 0, confState: this.wiring.bootstrapConfState }, data: new Uint8Array() };
  }

  /** The open log's counters; the host must be up. */
  walStats(): WalStats {
    return this.wal!.stats();
  }

  /** Shuts down cleanly, closing the log. */
  close(): void {
    this.wal?.close();
    this.raft = undefined;
    this.storage = undefined;
    this.wal = undefined;
  }

  /** Power off: everything not on the disk is gone, and unsynced writes may be torn off. */
  crash(random: Random): void {
    this.counters.crashes++;
    this.crashAfterVote = false;
    this.memoryDisk().crash(random);
    this.raft = undefined;
    this.storage = undefined;
    this.wal = undefined;
    this.waiting.clear();
    this.reads.clear();
  }

  /** Makes the next WAL write die before its fsync (the node crashes inside a Ready); `false` disarms. */
  crashDuringNextWrite(armed = true): void {
    this.memoryDisk().crashBeforeNextSync(armed);
  }

  private memoryDisk(): MemoryWal {
    if (!(this.disk instanceof MemoryWal)) throw new Error(`${this.id}: only a MemoryWal disk can simulate a crash`);
    return this.disk;
  }

  // Inputs (tick, receive*, campaign, transferLeadership) only step raft: the driver calls
  // processReady() once after a batch of them, so proposals that arrive together share a
  // Ready, hence one fsync, as in the daemon's event loop.

  tick(): void {
    this.node().tick();
  }

  receiveRaft(message: Message): void {
    this.node().step(message);
  }

  /** A client request: proposed when leading, answered from the session when already applied. */
  receiveRequest(from: string, request: ClientRequest): void {
    if (request.input.kind === 'get' && this.config.readIndexGets) {
      this.readIndex(from, request, request.input.key);
      return;
    }
    const done = this.kv.sessionResult(request.clientId, request.requestId);
    if (done !== undefined) {
      this.send({ to: from, reply: { kind: 'reply', requestId: request.requestId, result: done } });
      return;
    }
    try {
      this.node().propose(encodeCommand({ clientId: request.clientId, requestId: request.requestId, input: request.input }));
      this.waiting.set(request.clientId, request.requestId);
    } catch (err) {
      // A leader holding too much uncommitted data refuses: no answer, the client retries.
      if (isSwarmError(err, 'UNAVAILABLE')) return;
      if (!isSwarmError(err, 'NOT_LEADER')) throw err;
      const leader = err.details?.['leader'];
      this.send({ to: from, reply: { kind: 'notLeader', requestId: request.requestId, leader: typeof leader === 'string' ? leader : undefined } });
    }
  }

  private readIndex(from: string, request: ClientRequest, key: string): void {
    const context = `${request.clientId}/${request.requestId}`;
    try {
      this.node().readIndex(textEncoder.encode(context));
      this.reads.set(context, { clientId: request.clientId, requestId: request.requestId, key, index: undefined });
    } catch (err) {
      if (isSwarmError(err, 'UNAVAILABLE')) return;
      if (!isSwarmError(err, 'NOT_LEADER')) throw err;
      const leader = err.details?.['leader'];
      this.send({ to: from, reply: { kind: 'notLeader', requestId: request.requestId, leader: typeof leader === 'string' ? leader : undefined } });
    }
  }

  /** Answers the ReadIndex gets whose read index the store has applied. */
  private serveReads(): void {
    for (const [context, read] of this.reads) {
      if (read.index === undefined || read.index > this.kv.appliedIndex()) continue;
      this.reads.delete(context);
      this.counters.readIndexReads++;
      this.send({ to: read.clientId, reply: { kind: 'reply', requestId: read.requestId, result: { kind: 'get', value: this.kv.read(read.key) } } });
    }
  }

  /** Starts an election now, as an election timeout would. */
  campaign(): void {
    this.node().campaign();
  }

  /** Asks the leader to hand over to `to`; ignored by non-leaders. */
  transferLeadership(to: string): void {
    this.node().transferLeadership(to);
  }

  /**
   * Drains Ready batches: persist (snapshot, then entries and hard state), then send, then
   * apply, then advance, as the Ready contract orders. A SimulatedCrash mid-write takes the
   * node down on the spot, before anything of that Ready left it.
   */
  processReady(): void {
    try {
      while (this.raft !== undefined && this.raft.hasReady()) this.handleReady();
    } catch (err) {
      if (!(err instanceof SimulatedCrash)) throw err;
      this.crash(this.random);
      this.wiring.onCrash?.();
    }
  }

  /**
   * Makes the node crash right after it next grants a vote (the vote durable and sent):
   * with the reboot that follows, a node that forgot its vote would vote twice in a term.
   */
  crashAfterNextVote(): void {
    this.crashAfterVote = true;
  }

  private handleReady(): void {
    const raft = this.raft!;
    const storage = this.storage!;
    const wal = this.wal!;
    const rd = raft.ready();
    const status = raft.status();
    if (rd.snapshot !== undefined) {
      wal.installSnapshot(rd.snapshot);
      storage.applySnapshot(rd.snapshot);
      this.kv.restore(rd.snapshot.data);
      this.snapshotIndex = rd.snapshot.meta.index;
      this.counters.snapshotsInstalled++;
      this.invariants.observeApplied(this.id, rd.snapshot.meta.index, this.kv.digest());
    }
    const prevTerm = rd.entries.length === 0 ? undefined : termOrUndefined(storage, rd.entries[0]!.index - 1);
    wal.save(rd.hardState, rd.entries);
    if (rd.entries.length > 0) storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    this.invariants.observeAppend(this.id, rd.entries, prevTerm);
    const leading = (rd.softState?.role ?? (this.wasLeader ? 'leader' : 'other')) === 'leader';
    if (leading) this.invariants.observeLeader(this.id, status.term);
    if (leading && !this.wasLeader) this.invariants.checkLeaderCompleteness(this.id, status.term, storage);
    this.wasLeader = leading;
    for (const message of rd.messages) this.send({ to: message.to, raft: message });
    if (this.crashAfterVote && rd.messages.some((m) => m.type === 'voteResponse' && !m.reject)) {
      this.crashAfterVote = false;
      throw new SimulatedCrash('crashed right after voting');
    }
    this.applyCommitted(rd.committedEntries);
    for (const state of rd.readStates) {
      const read = this.reads.get(textDecoder.decode(state.requestCtx));
      if (read !== undefined) read.index = state.index;
    }
    this.serveReads();
    raft.advance();
    this.maybeSnapshot();
  }

  private applyCommitted(entries: readonly Entry[]): void {
    this.invariants.observeCommitted(this.id, entries);
    for (const entry of entries) {
      const isCommand = entry.type === 'normal';
      if (entry.type === 'confChange') this.raft!.applyConfChange(decodeConfChange(entry.data));
      const applied = this.kv.apply(entry.index, entry.term, entry.data, isCommand);
      this.invariants.observeApplied(this.id, entry.index, this.kv.digest());
      if (applied === undefined || applied.result.kind === 'stale' || this.waiting.get(applied.clientId) !== applied.requestId) continue;
      this.waiting.delete(applied.clientId);
      this.send({ to: applied.clientId, reply: { kind: 'reply', requestId: applied.requestId, result: applied.result } });
    }
  }

  /** Snapshots the store every `snapshotEntries` applied entries and compacts behind it. */
  private maybeSnapshot(): void {
    const applied = this.kv.appliedIndex();
    if (applied - this.snapshotIndex < this.config.snapshotEntries) return;
    const storage = this.storage!;
    const snapshot = storage.createSnapshot(applied, this.raft!.status().confState, this.kv.snapshot());
    this.wal!.compact(snapshot);
    this.snapshotIndex = applied;
    this.counters.snapshotsTaken++;
    const compactTo = applied - this.config.compactLagEntries;
    if (compactTo > storage.firstIndex()) storage.compact(compactTo);
  }
}

function termOrUndefined(storage: MemoryStorage, index: number): number | undefined {
  try {
    return storage.term(index);
  } catch {
    return undefined;
  }
}

