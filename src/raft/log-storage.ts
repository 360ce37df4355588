import { assert } from '../core/assert.js';
import { SwarmError } from '../core/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/**
 * What raft reads its stable log from: synchronous and in memory. The shell keeps it in
 * step with its durable WAL: after persisting a Ready it appends the Ready's entries and
 * sets its hard state here, and after a restart it rebuilds a MemoryStorage from the WAL.
 */
export interface LogStorage {
  /** The persisted hard state and the membership of the newest snapshot. */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries [lo, hi), at least one when lo < hi even if it exceeds `bytesMax`. */
  entries(lo: number, hi: number, bytesMax?: number): Entry[];
  /** The term of entry `index`, for firstIndex()-1 <= index <= lastIndex(). */
  term(index: number): number;
  /** The first index still held as an entry (the snapshot's index + 1 right after one). */
  firstIndex(): number;
  lastIndex(): number;
  /** The newest snapshot (index 0 and an empty membership before any). */
  snapshot(): Snapshot;
}

/** Bytes an entry counts for in size limits: its payload plus a fixed header estimate. */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength + entryHeaderBytes;
}

/** Index, term and type encode to about this many bytes of msgpack. */
const entryHeaderBytes = 16;

/** Takes entries from the front of `entries` while they fit in `bytesMax`, always at least one. */
export function limitSize(entries: Entry[], bytesMax: number | undefined): Entry[] {
  if (bytesMax === undefined || entries.length === 0) return entries;
  let total = entrySizeBytes(entries[0]!);
  let n = 1;
  while (n < entries.length) {
    total += entrySizeBytes(entries[n]!);
    if (total > bytesMax) break;
    n++;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}

/**
 * LogStorage in memory, like etcd's raft.MemoryStorage. `ents[0]` is a dummy entry that
 * stands for the snapshot (its index and term), so term(firstIndex-1) is always known and
 * every lookup is one array access.
 */
export class MemoryStorage implements LogStorage {
  private hard: HardState = { term: 0, vote: undefined, commit: 0 };
  private snap: Snapshot = { meta: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array() };
  private ents: Entry[] = [dummyEntry(0, 0)];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hard }, confState: cloneConfState(this.snap.meta.confState) };
  }

  setHardState(hs: HardState): void {
    this.hard = { ...hs };
  }

  entries(lo: number, hi: number, bytesMax?: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new SwarmError('NOT_FOUND', `entries from ${lo}: compacted up to ${offset}`);
    if (hi > this.lastIndex() + 1) throw new SwarmError('NOT_FOUND', `entries up to ${hi - 1}: the log ends at ${this.lastIndex()}`);
    if (lo >= hi) return [];
    return limitSize(this.ents.slice(lo - offset, hi - offset), bytesMax);
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new SwarmError('NOT_FOUND', `term of ${index}: compacted up to ${offset}`);
    if (index > this.lastIndex()) throw new SwarmError('NOT_FOUND', `term of ${index}: the log ends at ${this.lastIndex()}`);
    return this.ents[index - offset]!.term;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Replaces the whole log with a snapshot (one received from the leader, or the one a
   * restart begins from). An older snapshot than the current one is refused.
   */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index < this.snap.meta.index) {
      throw new SwarmError('CONFLICT', `snapshot at ${snap.meta.index} is older than the current one at ${this.snap.meta.index}`);
    }
    this.snap = snap;
    this.ents = [dummyEntry(snap.meta.index, snap.meta.term)];
  }

  /**
   * Records a snapshot of the applied state at `index` (<= lastIndex). The entries stay;
   * call compact() to release those it covers.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) {
      throw new SwarmError('CONFLICT', `snapshot at ${index} is not newer than the current one at ${this.snap.meta.index}`);
    }
    if (index > this.lastIndex()) throw new SwarmError('INVALID_ARGUMENT', `snapshot at ${index} is past the log's end at ${this.lastIndex()}`);
    this.snap = { meta: { index, term: this.term(index), confState: cloneConfState(confState) }, data };
    return this.snap;
  }

  /** Drops every entry up to and including `index`; at or below the current start it does nothing. */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset) return;
    if (index > this.lastIndex()) throw new SwarmError('INVALID_ARGUMENT', `compact to ${index}: the log ends at ${this.lastIndex()}`);
    const kept = this.ents.slice(index - offset);
    kept[0] = dummyEntry(index, kept[0]!.term);
    this.ents = kept;
  }

  /**
   * Appends entries that must be contiguous; they replace every entry from their first
   * index on (raft overwriting a follower's uncommitted suffix). Entries the log has
   * already compacted are skipped.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[entries.length - 1]!.index;
    if (last < first) return;
    const from = entries[0]!.index < first ? entries.slice(first - entries[0]!.index) : entries;
    const start = from[0]!.index;
    if (start > this.lastIndex() + 1) {
      throw new SwarmError('INVALID_ARGUMENT', `append at ${start} leaves a gap after the log's end at ${this.lastIndex()}`);
    }
    const offset = this.offset();
    if (start <= this.lastIndex()) this.ents.length = start - offset;
    for (const entry of from) {
      assert(entry.index === this.offset() + this.ents.length, `entries must be contiguous, got ${entry.index}`);
      this.ents.push(entry);
    }
  }

  private offset(): number {
    return this.ents[0]!.index;
  }
}

function dummyEntry(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: new Uint8Array() };
}

/** A deep copy, so callers never share membership arrays with raft. */
export function cloneConfState(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
