import { assert } from '../core/assert.js';
import { limitSize, type LogStorage } from './log-storage.js';
import type { Entry, Snapshot } from './types.js';

/**
 * Raft's view of its log: the stable prefix in LogStorage, then the unstable suffix (and
 * possibly a snapshot) that the next Ready hands to the shell to persist. `committed` and
 * `applied` are volatile positions in it. Lookups are array accesses, never scans, except
 * the conflict searches that run only when a follower rejects an append.
 */
export class RaftLog {
  /** A received snapshot not yet persisted; the unstable entries follow it. */
  private unstableSnapshot: Snapshot | undefined;
  /** Entries not yet persisted; unstableEntries[0] has index `unstableOffset`. */
  private unstableEntries: Entry[] = [];
  private unstableOffset: number;
  /** Highest index known to be committed. */
  committed: number;
  /** Highest index the application has applied (advance() moves it). */
  applied: number;

  constructor(
    readonly storage: LogStorage,
    private readonly committedBytesMax: number,
  ) {
    const first = storage.firstIndex();
    this.unstableOffset = storage.lastIndex() + 1;
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstableSnapshot !== undefined ? this.unstableSnapshot.meta.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstableEntries.length > 0) return this.unstableOffset + this.unstableEntries.length - 1;
    if (this.unstableSnapshot !== undefined) return this.unstableSnapshot.meta.index;
    return this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== undefined, 'the last entry has a term');
    return term;
  }

  /** The term of `index`, or undefined when it is compacted away or past the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    if (index >= this.unstableOffset && this.unstableEntries.length > 0) return this.unstableEntries[index - this.unstableOffset]!.term;
    if (this.unstableSnapshot !== undefined && index === this.unstableSnapshot.meta.index) return this.unstableSnapshot.meta.term;
    try {
      return this.storage.term(index);
    } catch {
      return undefined;
    }
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Whether a candidate with this last entry is at least as up to date as we are (5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * A follower's handling of an append after (`index`, `logTerm`): undefined when the
   * entry there does not match; otherwise appends what is new, commits up to what the
   * leader committed that we now hold, and returns the last index the append vouches for.
   */
  maybeAppend(index: number, logTerm: number, leaderCommit: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with a committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** The first of `entries` whose term differs from ours (or that we lack), or 0. */
  private findConflict(entries: Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The last index at or below `index` whose term is at most `term`, with its term: where a
   * log that has `term` at its end could match ours. Used for the fast back-off after a
   * rejected append; it scans back one term at a time.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    for (;;) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
      i--;
    }
  }

  /** Appends entries after any conflicting unstable suffix; returns the new last index. */
  append(entries: Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0]!.index;
    assert(after - 1 >= this.committed, `append at ${after} would overwrite committed ${this.committed}`);
    const end = this.unstableOffset + this.unstableEntries.length;
    if (after === end) {
      for (const entry of entries) this.unstableEntries.push(entry);
    } else if (after <= this.unstableOffset) {
      this.unstableOffset = after;
      this.unstableEntries = entries.slice();
    } else {
      this.unstableEntries = this.unstableEntries.slice(0, after - this.unstableOffset).concat(entries);
    }
    return this.lastIndex();
  }

  /** Entries [lo, hi), from storage then the unstable suffix, within `bytesMax` (at least one). */
  slice(lo: number, hi: number, bytesMax?: number): Entry[] {
    if (lo >= hi) return [];
    assert(lo >= this.firstIndex() && hi <= this.lastIndex() + 1, `slice [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`);
    let out: Entry[] = [];
    if (lo < this.unstableOffset) {
      const stableHi = Math.min(hi, this.unstableOffset);
      out = this.storage.entries(lo, stableHi, bytesMax);
      if (out.length < stableHi - lo) return out;
    }
    if (hi > this.unstableOffset) {
      const from = Math.max(lo, this.unstableOffset) - this.unstableOffset;
      const unstable = this.unstableEntries.slice(from, hi - this.unstableOffset);
      out = out.length === 0 ? unstable : out.concat(unstable);
    }
    return limitSize(out, bytesMax);
  }

  /** Entries from `lo` to the end within `bytesMax`, or undefined when `lo` is compacted away. */
  entriesFrom(lo: number, bytesMax: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, bytesMax);
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} is past the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits `index` if it is newer and from `term`: a leader never commits older terms by counting (figure 8). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied, `applied ${index} outside [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  pendingSnapshot(): Snapshot | undefined {
    return this.unstableSnapshot;
  }

  /** The unstable entries, for a Ready; the caller must not mutate them. */
  unstable(): Entry[] {
    return this.unstableEntries.slice();
  }

  hasUnstable(): boolean {
    return this.unstableEntries.length > 0 || this.unstableSnapshot !== undefined;
  }

  /** Whether committed entries wait to be applied (none while a snapshot waits to be installed). */
  hasNextCommitted(): boolean {
    return this.unstableSnapshot === undefined && this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** The next committed entries to apply, within the per-Ready byte limit. */
  nextCommitted(): Entry[] {
    if (!this.hasNextCommitted()) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, this.committedBytesMax);
  }

  /** The shell persisted entries up to (`index`, `term`): they leave the unstable suffix. */
  stableTo(index: number, term: number): void {
    if (index < this.unstableOffset || this.term(index) !== term) return;
    const n = index + 1 - this.unstableOffset;
    if (n > this.unstableEntries.length) return;
    this.unstableEntries = this.unstableEntries.slice(n);
    this.unstableOffset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.unstableSnapshot?.meta.index === index) this.unstableSnapshot = undefined;
  }

  /** Replaces the log with a snapshot from the leader; it is unstable until persisted. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.meta.index;
    this.unstableSnapshot = snapshot;
    this.unstableEntries = [];
    this.unstableOffset = snapshot.meta.index + 1;
  }

  /** The newest snapshot: the pending one, or the stable one. */
  snapshot(): Snapshot {
    return this.unstableSnapshot ?? this.storage.snapshot();
  }
}
