import { isSwarmError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { ClusterCommand } from '../cluster/commands.js';
import { ClusterStore, type ClusterSnapshot } from '../cluster/cluster-store.js';
import type { RaftConfig } from '../raft/config.js';
import { MemoryStorage } from '../raft/log-storage.js';
import { RaftNode } from '../raft/raft-node.js';
import { MemoryWal } from '../raft/storage/memory-wal.js';
import type { Wal } from '../raft/storage/wal.js';
import type { ConfState, Entry, Message, Snapshot } from '../raft/types.js';
import type { RaftInvariants } from './raft-invariants.js';

/**
 * One simulated manager's consensus shell: a RaftNode over a MemoryWal replicating
 * ClusterCommands into its own ClusterStore, as the daemon's RaftService does with a
 * FileWal. Each Ready is persisted before its messages leave, then committed entries are
 * applied in order; the store is snapshotted every `snapshotEntries` applied entries. A
 * crash keeps only the disk: a restart rebuilds raft and the store from the WAL.
 */

/** What a manager host is wired to. */
export interface ManagerHostWiring {
  bootstrapConfState: ConfState;
  random: Random;
  raftInvariants: RaftInvariants;
  sendRaft: (message: Message) => void;
  /** After each committed command is applied to the store (with its log index). */
  onApplied: (host: ManagerHost, index: number, command: ClusterCommand | undefined) => void;
  /** After the store was replaced by a snapshot: at a (re)start, or installed from the leader (`installed`). */
  onRestored: (host: ManagerHost, index: number, installed: boolean) => void;
}

export interface ManagerHostConfig {
  raft: RaftConfig;
  /** Applied entries between two snapshots of the store, at least 1. */
  snapshotEntries: number;
  /** Entries kept behind a snapshot for slow followers. */
  compactLagEntries: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Raft entries carry cluster commands as JSON: plain data, and what every replica decodes alike. */
export function encodeClusterCommand(command: ClusterCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

function decodeClusterCommand(data: Uint8Array): ClusterCommand {
  return JSON.parse(decoder.decode(data)) as ClusterCommand;
}

function encodeSnapshot(store: ClusterStore): Uint8Array {
  return encoder.encode(JSON.stringify(store.exportSnapshot()));
}

/** A manager's raft node and cluster store; see the file comment. */
export class ManagerHost {
  private wal: Wal | undefined;
  private storage: MemoryStorage | undefined;
  private raft: RaftNode | undefined;
  store = new ClusterStore();
  private applied = 0;
  private snapshotIndex = 0;
  private wasLeader = false;
  /** Index of the no-op this node appended when it last became leader: applied means caught up. */
  private leaderStartIndex = Infinity;
  readonly disk = new MemoryWal();
  readonly counters = { crashes: 0, snapshotsTaken: 0, snapshotsInstalled: 0, proposals: 0 };

  constructor(
    readonly id: string,
    private readonly config: ManagerHostConfig,
    private readonly wiring: ManagerHostWiring,
  ) {}

  isUp(): boolean {
    return this.raft !== undefined;
  }

  node(): RaftNode {
    if (this.raft === undefined) throw new Error(`${this.id} is down`);
    return this.raft;
  }

  appliedIndex(): number {
    return this.applied;
  }

  isLeader(): boolean {
    return this.raft !== undefined && this.raft.status().role === 'leader';
  }

  /**
   * Leading and holding every entry any earlier leader may have committed: the no-op of
   * this term is applied. Only then may the orchestrator read the store, or it would plan
   * from a state that misses an older leader's decisions (what the daemon's ReadIndex does).
   */
  isCaughtUpLeader(): boolean {
    return this.isLeader() && this.applied >= this.leaderStartIndex;
  }

  start(): void {
    const opened = this.disk.open();
    this.wal = opened.wal;
    const { hardState, snapshot, entries } = opened.state;
    const storage = new MemoryStorage();
    this.store = new ClusterStore();
    this.applied = 0;
    this.snapshotIndex = 0;
    if (snapshot !== undefined) {
      storage.applySnapshot(snapshot);
      this.restore(snapshot, false);
    } else {
      storage.applySnapshot({ meta: { index: 0, term: 0, confState: this.wiring.bootstrapConfState }, data: new Uint8Array() });
      this.wiring.onRestored(this, 0, false);
    }
    storage.setHardState(hardState);
    storage.append(entries);
    this.wiring.raftInvariants.checkReloaded(this.id, hardState.commit, this.snapshotIndex, entries);
    this.storage = storage;
    this.raft = new RaftNode(this.config.raft, storage, this.wiring.random.fork());
    this.wasLeader = false;
    this.leaderStartIndex = Infinity;
    this.processReady();
  }

  /** Power off: memory is gone, unsynced writes may be torn off the disk. */
  crash(random: Random): void {
    this.counters.crashes++;
    this.disk.crash(random);
    this.raft = undefined;
    this.storage = undefined;
    this.wal = undefined;
  }

  tick(): void {
    this.node().tick();
  }

  receiveRaft(message: Message): void {
    this.node().step(message);
  }

  /** Proposes a command; false when this node cannot (not leader, or too much uncommitted). */
  propose(command: ClusterCommand): { index: number } | undefined {
    if (!this.isLeader()) return undefined;
    try {
      this.node().propose(encodeClusterCommand(command));
    } catch (err) {
      if (isSwarmError(err, 'NOT_LEADER') || isSwarmError(err, 'UNAVAILABLE')) return undefined;
      throw err;
    }
    this.counters.proposals++;
    return { index: this.node().status().lastIndex };
  }

  /** Drains Ready batches: persist, then send, then apply, then advance. */
  processReady(): void {
    while (this.raft !== undefined && this.raft.hasReady()) this.handleReady();
  }

  private handleReady(): void {
    const raft = this.raft!;
    const storage = this.storage!;
    const wal = this.wal!;
    const rd = raft.ready();
    const invariants = this.wiring.raftInvariants;
    if (rd.snapshot !== undefined) {
      wal.installSnapshot(rd.snapshot);
      storage.applySnapshot(rd.snapshot);
      this.restore(rd.snapshot, true);
      this.counters.snapshotsInstalled++;
    }
    const prevTerm = rd.entries.length === 0 ? undefined : termOrUndefined(storage, rd.entries[0]!.index - 1);
    wal.save(rd.hardState, rd.entries);
    if (rd.entries.length > 0) storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    invariants.observeAppend(this.id, rd.entries, prevTerm);
    const status = raft.status();
    const leading = (rd.softState?.role ?? (this.wasLeader ? 'leader' : 'other')) === 'leader';
    if (leading) invariants.observeLeader(this.id, status.term);
    if (leading && !this.wasLeader) {
      invariants.checkLeaderCompleteness(this.id, status.term, storage);
      this.leaderStartIndex = status.lastIndex;
    }
    if (!leading) this.leaderStartIndex = Infinity;
    this.wasLeader = leading;
    for (const message of rd.messages) this.wiring.sendRaft(message);
    this.applyCommitted(rd.committedEntries);
    raft.advance();
    this.maybeSnapshot();
  }

  private applyCommitted(entries: readonly Entry[]): void {
    this.wiring.raftInvariants.observeCommitted(this.id, entries);
    for (const entry of entries) {
      if (entry.index <= this.applied) continue;
      if (entry.type === 'confChange') throw new Error('the orchestration simulation makes no membership changes');
      const command = entry.data.length === 0 ? undefined : decodeClusterCommand(entry.data);
      if (command !== undefined) this.store.apply(command);
      this.applied = entry.index;
      this.wiring.onApplied(this, entry.index, command);
    }
  }

  private restore(snapshot: Snapshot, installed: boolean): void {
    if (snapshot.data.length > 0) this.store.importSnapshot(JSON.parse(decoder.decode(snapshot.data)) as ClusterSnapshot);
    else this.store = new ClusterStore();
    this.applied = snapshot.meta.index;
    this.snapshotIndex = snapshot.meta.index;
    this.wiring.onRestored(this, snapshot.meta.index, installed);
  }

  private maybeSnapshot(): void {
    if (this.applied - this.snapshotIndex < this.config.snapshotEntries) return;
    const storage = this.storage!;
    const snapshot = storage.createSnapshot(this.applied, this.raft!.status().confState, encodeSnapshot(this.store));
    this.wal!.compact(snapshot);
    this.snapshotIndex = this.applied;
    this.counters.snapshotsTaken++;
    const compactTo = this.applied - this.config.compactLagEntries;
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
