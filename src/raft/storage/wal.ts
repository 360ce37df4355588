import type { Entry, HardState, Snapshot } from '../types.js';

/**
 * Whether a save must be fsynced before it returns: when it adds entries or changes the
 * term or vote (etcd's MustSync). A commit index alone may be lost in a crash, since raft
 * learns it again from the leader; it becomes durable with the next fsync.
 */
export function mustSync(persisted: HardState, next: HardState | undefined, entries: readonly Entry[]): boolean {
  return entries.length > 0 || (next !== undefined && (next.term !== persisted.term || next.vote !== persisted.vote));
}

/**
 * The durable log behind raft: what the shell persists from each Ready, and what it
 * rebuilds raft's MemoryStorage from after a restart. `FileWal` (file-wal.ts) is the real
 * one; `MemoryWal` (memory-wal.ts) is its twin for the simulator.
 *
 * Ordering contract, per Ready: `installSnapshot(ready.snapshot)` first when present, then
 * `save(ready.hardState, ready.entries)`; only when both returned may the Ready's messages
 * be sent. Every call is durable when it returns, except a save that changes only the
 * commit index (see mustSync). After any call throws, the log's state on
 * disk is unknown: drop this instance and reopen (the node restarts).
 */
export interface Wal {
  /**
   * Appends `entries` (they replace every entry from `entries[0].index` on: raft's
   * overwrite of an uncommitted suffix) and the new hard state, with one fsync.
   */
  save(hardState: HardState | undefined, entries: readonly Entry[]): void;
  /** Persists a snapshot received from the leader: the log restarts after it. */
  installSnapshot(snapshot: Snapshot): void;
  /**
   * Persists a snapshot the node took of its own applied state: the entries after it stay,
   * and segments holding only entries it covers are released.
   */
  compact(snapshot: Snapshot): void;
  /** Counters for benchmarks and logs. */
  stats(): WalStats;
  /** Releases the open file; the instance is unusable afterwards. */
  close(): void;
}

/** What a log holds at start-up. */
export interface WalState {
  hardState: HardState;
  /** The newest durable snapshot, undefined before the first. */
  snapshot: Snapshot | undefined;
  /** The entries after the snapshot, contiguous. */
  entries: Entry[];
}

/** A log opened for writing, with what it held. */
export interface OpenedWal<W extends Wal> {
  wal: W;
  state: WalState;
  /**
   * What start-up repaired, for the caller to log: a torn record truncated at the tail,
   * leftover temporary files removed. Never a loss of acknowledged data.
   */
  warnings: string[];
}

/** Counters since the log was opened. */
export interface WalStats {
  /** fsyncs of log data (directory fsyncs not counted). */
  fsyncs: number;
  records: number;
  entries: number;
  bytes: number;
}
