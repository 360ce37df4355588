import { SwarmError } from '../../core/errors.js';
import type { Entry, HardState } from '../types.js';
import type { SnapshotRef, WalRecord } from './codec.js';

/** What a write-ahead log holds once replayed: what raft's MemoryStorage is rebuilt from. */
export interface ReplayedLog {
  hardState: HardState;
  /** The snapshot the log continues from, undefined before the first one. */
  snapshot: SnapshotRef | undefined;
  /** The entries after the snapshot, contiguous from its index + 1 (or from 1). */
  entries: Entry[];
}

/** The hard state of a node that never voted nor saw a term. */
export function emptyHardState(): HardState {
  return { term: 0, vote: undefined, commit: 0 };
}

/**
 * Rebuilds the log from its records, oldest first. The first record read may be a segment
 * header standing for released older segments. Errors say what is wrong; callers add where.
 */
export class LogReplay {
  private hardState = emptyHardState();
  private snapshot: SnapshotRef | undefined;
  /** Entries by index; may have holes while replaying a log whose oldest segments were released. */
  private readonly entries = new Map<number, Entry>();
  private lastIndex = 0;
  private started = false;

  apply(record: WalRecord): void {
    switch (record.kind) {
      case 'header':
        if (!this.started) {
          this.hardState = record.hardState;
          this.snapshot = record.snapshot;
          this.lastIndex = record.snapshot?.index ?? 0;
        }
        break;
      case 'batch':
        if (record.hardState) this.hardState = record.hardState;
        this.appendEntries(record.entries);
        break;
      case 'snapshot':
        this.snapshot = record.ref;
        if (record.install) {
          this.entries.clear();
          this.lastIndex = record.ref.index;
        }
        break;
    }
    this.started = true;
  }

  private appendEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i]!.index !== first + i) throw corrupt(`batch entries are not contiguous at ${first + i}`);
    }
    if (first > this.lastIndex + 1 && this.lastIndex > (this.snapshot?.index ?? 0)) {
      throw corrupt(`entry ${first} follows ${this.lastIndex}, leaving a gap`);
    }
    // The batch replaces the suffix from `first` on: raft overwrote an uncommitted tail.
    for (let i = first; i <= this.lastIndex; i++) this.entries.delete(i);
    for (const entry of entries) this.entries.set(entry.index, entry);
    this.lastIndex = first + entries.length - 1;
  }

  /** The log as replayed. Throws CORRUPT_DATA when an entry after the snapshot is missing. */
  finish(): ReplayedLog {
    const from = (this.snapshot?.index ?? 0) + 1;
    const entries: Entry[] = [];
    for (let i = from; i <= this.lastIndex; i++) {
      const entry = this.entries.get(i);
      if (entry === undefined) throw corrupt(`entry ${i} is missing: the log after snapshot ${from - 1} has a hole (was a segment deleted?)`);
      entries.push(entry);
    }
    return { hardState: this.hardState, snapshot: this.snapshot, entries };
  }
}

function corrupt(message: string): SwarmError {
  return new SwarmError('CORRUPT_DATA', `write-ahead log: ${message}`);
}
