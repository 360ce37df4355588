import { SwarmError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Entry, HardState, Snapshot } from '../types.js';
import type { SnapshotRef, WalRecord } from './codec.js';
import { emptyHardState, LogReplay } from './replay.js';
import { mustSync, type OpenedWal, type Wal, type WalState, type WalStats } from './wal.js';

/**
 * The write-ahead log's in-memory twin, for the simulator: the same records, replay and
 * sync rule as FileWal, plus a model of what a crash loses. A record is written, then
 * synced (a commit-only save is not: see mustSync); a crash keeps every synced record and
 * any prefix of the unsynced ones (the torn tail FileWal truncates). Snapshot files are
 * written atomically, so they survive once written.
 *
 * The object stands for the node's disk and outlives the node: after `crash()`, `open()`
 * returns a fresh log over what survived, as a restart would.
 */

/** Thrown by a MemoryWal armed with `crashBeforeNextSync()`: the node died mid-write. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** The simulated disk and the log open on it. */
export class MemoryWal implements Wal {
  private records: WalRecord[] = [{ kind: 'header', seq: 0, prevCrc: 0, hardState: emptyHardState(), snapshot: undefined }];
  /** records[0, synced) are durable. */
  private synced = 1;
  private readonly snapshots = new Map<number, Snapshot>();
  private snapshotRef: SnapshotRef | undefined;
  /** The hard state written last: whether a save must sync depends on it. */
  private hardState: HardState = emptyHardState();
  private crashArmed = false;
  private down = false;
  private tornWarnings: string[] = [];
  private readonly counters: WalStats = { fsyncs: 0, records: 0, entries: 0, bytes: 0 };

  /** Opens the log after a start or a crash: what survived, with warnings for a dropped torn tail. */
  open(): OpenedWal<MemoryWal> {
    this.down = false;
    this.crashArmed = false;
    const log = this.replay();
    const snapshot = log.snapshot === undefined ? undefined : this.snapshots.get(log.snapshot.index);
    if (log.snapshot !== undefined && snapshot === undefined) {
      throw new SwarmError('CORRUPT_DATA', `memory WAL refers to snapshot ${log.snapshot.index}, which is missing`);
    }
    this.snapshotRef = log.snapshot;
    this.hardState = log.hardState;
    const warnings = this.tornWarnings;
    this.tornWarnings = [];
    return { wal: this, state: { hardState: log.hardState, snapshot, entries: log.entries }, warnings };
  }

  /** The state a fresh `open()` would return, without reopening: for invariant checks. */
  durableState(): WalState {
    const log = this.replay(this.synced);
    return { hardState: log.hardState, snapshot: log.snapshot && this.snapshots.get(log.snapshot.index), entries: log.entries };
  }

  /** Makes the next write stop before its sync with SimulatedCrash, as a power cut would; `false` disarms. */
  crashBeforeNextSync(armed = true): void {
    this.crashArmed = armed;
  }

  /**
   * The node crashed: every synced record stays, and `random` picks how many of the unsynced
   * ones reached the disk anyway (a prefix, as appends are in order). Reopen with `open()`.
   */
  crash(random: Random): void {
    const unsynced = this.records.length - this.synced;
    const kept = unsynced === 0 ? 0 : random.int(unsynced + 1);
    if (kept < unsynced) this.tornWarnings.push(`dropped ${unsynced - kept} record(s) written but never synced`);
    this.records = this.records.slice(0, this.synced + kept);
    this.synced = this.records.length;
    this.down = true;
  }

  save(hardState: HardState | undefined, entries: readonly Entry[]): void {
    if (hardState === undefined && entries.length === 0) return;
    const sync = mustSync(this.hardState, hardState, entries);
    this.write({ kind: 'batch', hardState, entries: entries.slice() }, sync);
    if (hardState) this.hardState = hardState;
    this.counters.entries += entries.length;
  }

  installSnapshot(snapshot: Snapshot): void {
    this.persistSnapshot(snapshot, true);
  }

  compact(snapshot: Snapshot): void {
    this.persistSnapshot(snapshot, false);
  }

  stats(): WalStats {
    return { ...this.counters };
  }

  close(): void {
    this.down = true;
  }

  private persistSnapshot(snapshot: Snapshot, install: boolean): void {
    const ref: SnapshotRef = { index: snapshot.meta.index, term: snapshot.meta.term };
    const current = this.snapshotRef?.index ?? 0;
    if (ref.index <= current) {
      throw new SwarmError('INVALID_ARGUMENT', `snapshot at index ${ref.index} is not newer than the log's snapshot at ${current}`);
    }
    this.snapshots.set(ref.index, snapshot);
    this.write({ kind: 'snapshot', ref, install }, true);
    this.snapshotRef = ref;
    this.checkpoint();
  }

  /** Appends `record`; with `sync`, makes it and everything before it durable. */
  private write(record: WalRecord, sync: boolean): void {
    if (this.down) throw new SwarmError('UNAVAILABLE', 'memory WAL is down: reopen it');
    this.records.push(record);
    this.counters.records++;
    if (!sync) return;
    if (this.crashArmed) {
      this.crashArmed = false;
      this.down = true;
      throw new SimulatedCrash('crashed between write and sync');
    }
    this.synced = this.records.length;
    this.counters.fsyncs++;
  }

  /**
   * Releases what the snapshot covers, as FileWal releases segments: the records become
   * one header holding the state so far and one batch of the entries after the snapshot.
   */
  private checkpoint(): void {
    const log = this.replay();
    const header: WalRecord = { kind: 'header', seq: 0, prevCrc: 0, hardState: log.hardState, snapshot: log.snapshot };
    this.records = log.entries.length === 0 ? [header] : [header, { kind: 'batch', hardState: undefined, entries: log.entries }];
    this.synced = this.records.length;
    for (const index of this.snapshots.keys()) if (index < (log.snapshot?.index ?? 0)) this.snapshots.delete(index);
  }

  private replay(count = this.records.length): ReturnType<LogReplay['finish']> {
    const replay = new LogReplay();
    for (let i = 0; i < count; i++) replay.apply(this.records[i]!);
    return replay.finish();
  }
}
