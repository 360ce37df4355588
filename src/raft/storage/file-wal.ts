import * as fs from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import type { Entry, HardState, Snapshot } from '../types.js';
import { encodeRecord, type SnapshotRef, type WalRecord } from './codec.js';
import { defaultWalConfig, validateWalConfig, type WalConfig } from './config.js';
import { fsyncDir, ioError, writeAll } from './fs-sync.js';
import { frameRecord } from './record.js';
import { emptyHardState, LogReplay } from './replay.js';
import { scanSegment } from './segment-scan.js';
import { parseSnapshotFileName, readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { mustSync, type OpenedWal, type Wal, type WalStats } from './wal.js';

/**
 * The write-ahead log on disk: a directory of segment files `wal-<seq>.log` (records framed
 * by record.ts, checksums chained across segments) and snapshot files (snapshot-file.ts).
 * Each segment starts with a header holding the hard state and snapshot so far, which is
 * what lets segments wholly covered by a snapshot be deleted.
 */

const segmentPattern = /^wal-([0-9a-f]{16})\.log$/;

function segmentName(seq: number): string {
  return `wal-${seq.toString(16).padStart(16, '0')}.log`;
}

interface Segment {
  seq: number;
  path: string;
  /** Highest entry index written to it: it may be released once a snapshot covers this. */
  maxIndex: number;
}

/**
 * Opens (creating when empty) the log in `dir` and returns what it holds. Repairs only a torn
 * tail of the last segment and leftover temporary files, and reports both; any other damage
 * throws CORRUPT_DATA naming the file and byte offset.
 */
export function openWal(dir: string, config: WalConfig = defaultWalConfig()): OpenedWal<FileWal> {
  validateWalConfig(config);
  try {
    return open(dir, config);
  } catch (err) {
    if (err instanceof SwarmError) throw err;
    throw ioError(`opening the write-ahead log in ${dir}`, err);
  }
}

function open(dir: string, config: WalConfig): OpenedWal<FileWal> {
  fs.mkdirSync(dir, { recursive: true });
  const warnings: string[] = [];
  const names = fs.readdirSync(dir).sort();
  for (const name of names.filter((n) => n.endsWith('.tmp'))) {
    fs.unlinkSync(join(dir, name));
    warnings.push(`removed ${join(dir, name)}, a file whose write was interrupted`);
  }
  const seqs = names.flatMap((n) => {
    const m = segmentPattern.exec(n);
    return m ? [parseInt(m[1]!, 16)] : [];
  });
  if (seqs.length === 0) {
    if (names.some((n) => parseSnapshotFileName(n) !== undefined)) {
      throw new SwarmError('CORRUPT_DATA', `${dir} holds snapshots but no write-ahead log segment; refusing to start`, { details: { file: dir } });
    }
    const wal = FileWal.create(dir, config);
    return { wal, state: { hardState: emptyHardState(), snapshot: undefined, entries: [] }, warnings };
  }
  return recover(dir, config, seqs, warnings);
}

function recover(dir: string, config: WalConfig, seqs: number[], warnings: string[]): OpenedWal<FileWal> {
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1]! + 1) {
      const missing = join(dir, segmentName(seqs[i - 1]! + 1));
      throw new SwarmError('CORRUPT_DATA', `write-ahead log segment ${missing} is missing (found ${segmentName(seqs[i - 1]!)} then ${segmentName(seqs[i]!)}); refusing to start`, {
        details: { file: missing, offset: 0 },
      });
    }
  }
  const replay = new LogReplay();
  const segments: Segment[] = [];
  let crc: number | undefined;
  let tail = { path: '', length: 0, validBytes: 0 };
  seqs.forEach((seq, i) => {
    const path = join(dir, segmentName(seq));
    const buf = fs.readFileSync(path);
    const segment: Segment = { seq, path, maxIndex: 0 };
    const isLast = i === seqs.length - 1;
    const result = scanSegment({ path, buf, seq, prevCrc: crc, isLast, recordBytesMax: config.recordBytesMax }, (record) => {
      if (record.kind === 'batch' && record.entries.length > 0) segment.maxIndex = Math.max(segment.maxIndex, record.entries.at(-1)!.index);
      replay.apply(record);
    });
    if (result.tornReason !== undefined) {
      warnings.push(`truncated a torn record at ${path}:${result.endOffset} (${result.tornReason}): ${buf.length - result.endOffset} bytes of an append that was never acknowledged`);
    }
    crc = result.crc;
    segments.push(segment);
    tail = { path, length: buf.length, validBytes: result.endOffset };
  });
  const log = replay.finish();
  const snapshot = log.snapshot === undefined ? undefined : readSnapshotFile(dir, log.snapshot, config.recordBytesMax);
  removeSnapshotsNewerThan(dir, log.snapshot, warnings);
  const fd = fs.openSync(tail.path, 'r+');
  if (tail.validBytes < tail.length) {
    fs.ftruncateSync(fd, tail.validBytes);
    fs.fsyncSync(fd);
  }
  const wal = new FileWal(dir, config, segments, { fd, offset: tail.validBytes, crc: crc!, unsynced: false, hardState: log.hardState, snapshot: log.snapshot });
  return { wal, state: { hardState: log.hardState, snapshot, entries: log.entries }, warnings };
}

/** A snapshot file the log does not refer to was written just before a crash: never acknowledged. */
function removeSnapshotsNewerThan(dir: string, ref: SnapshotRef | undefined, warnings: string[]): void {
  for (const name of fs.readdirSync(dir)) {
    const fileRef = parseSnapshotFileName(name);
    if (fileRef === undefined || fileRef.index <= (ref?.index ?? 0)) continue;
    fs.unlinkSync(join(dir, name));
    warnings.push(`removed ${join(dir, name)}, a snapshot written just before a crash and never recorded in the log`);
  }
}

interface Tail {
  fd: number;
  offset: number;
  crc: number;
  /** Bytes were written since the last fsync (a commit-only save). */
  unsynced: boolean;
  hardState: HardState;
  snapshot: SnapshotRef | undefined;
}

/** The open log. Not safe for concurrent use: one raft shell owns it. */
export class FileWal implements Wal {
  private failed: SwarmError | undefined;
  private readonly counters: WalStats = { fsyncs: 0, records: 0, entries: 0, bytes: 0 };

  /** Use `openWal`. */
  constructor(
    private readonly dir: string,
    private readonly config: WalConfig,
    private readonly segments: Segment[],
    private tail: Tail,
  ) {}

  /** Starts a log in an empty directory. */
  static create(dir: string, config: WalConfig): FileWal {
    const placeholder: Tail = { fd: -1, offset: 0, crc: 0, unsynced: false, hardState: emptyHardState(), snapshot: undefined };
    const wal = new FileWal(dir, config, [], placeholder);
    wal.cut();
    return wal;
  }

  save(hardState: HardState | undefined, entries: readonly Entry[]): void {
    if (hardState === undefined && entries.length === 0) return;
    this.guard('appending to the write-ahead log', () => {
      this.append({ kind: 'batch', hardState, entries });
      if (mustSync(this.tail.hardState, hardState, entries)) this.sync();
      else this.tail.unsynced = true;
      if (hardState) this.tail.hardState = hardState;
      const last = entries.at(-1);
      const segment = this.segments.at(-1)!;
      if (last) segment.maxIndex = Math.max(segment.maxIndex, last.index);
      this.counters.entries += entries.length;
      if (this.tail.offset >= this.config.segmentBytesMax) this.cut();
    });
  }

  installSnapshot(snapshot: Snapshot): void {
    this.persistSnapshot(snapshot, true);
    // The log before it is void: a fresh segment whose header holds the snapshot replaces it all.
    this.guard('releasing write-ahead log segments', () => {
      this.cut();
      while (this.segments.length > 1) this.releaseOldest();
    });
  }

  compact(snapshot: Snapshot): void {
    this.persistSnapshot(snapshot, false);
    this.guard('releasing write-ahead log segments', () => {
      while (this.segments.length > 1 && this.segments[0]!.maxIndex <= snapshot.meta.index) this.releaseOldest();
    });
  }

  stats(): WalStats {
    return { ...this.counters };
  }

  close(): void {
    if (this.tail.fd >= 0) fs.closeSync(this.tail.fd);
    this.tail.fd = -1;
    this.failed ??= new SwarmError('UNAVAILABLE', `the write-ahead log in ${this.dir} is closed`);
  }

  private persistSnapshot(snapshot: Snapshot, install: boolean): void {
    const ref: SnapshotRef = { index: snapshot.meta.index, term: snapshot.meta.term };
    const current = this.tail.snapshot?.index ?? 0;
    if (ref.index <= current) {
      throw new SwarmError('INVALID_ARGUMENT', `snapshot at index ${ref.index} is not newer than the log's snapshot at ${current}`);
    }
    this.guard('persisting a snapshot', () => {
      writeSnapshotFile(this.dir, snapshot, this.config.recordBytesMax);
      this.append({ kind: 'snapshot', ref, install });
      this.sync();
      this.tail.snapshot = ref;
      this.pruneSnapshots();
    });
  }

  /** Keeps the newest `snapshotsKept` snapshot files. */
  private pruneSnapshots(): void {
    const files = fs.readdirSync(this.dir).flatMap((name) => {
      const ref = parseSnapshotFileName(name);
      return ref ? [{ name, index: ref.index }] : [];
    });
    files.sort((a, b) => b.index - a.index);
    for (const file of files.slice(this.config.snapshotsKept)) fs.unlinkSync(join(this.dir, file.name));
  }

  private append(record: WalRecord): void {
    const body = encodeRecord(record);
    if (body.length > this.config.recordBytesMax) {
      throw new SwarmError('INVALID_ARGUMENT', `a write-ahead log record of ${body.length} bytes exceeds recordBytesMax ${this.config.recordBytesMax}`);
    }
    const { frame, crc } = frameRecord(body, this.tail.crc);
    writeAll(this.tail.fd, frame, this.tail.offset);
    this.tail.offset += frame.length;
    this.tail.crc = crc;
    this.counters.records++;
    this.counters.bytes += frame.length;
  }

  private sync(): void {
    fs.fdatasyncSync(this.tail.fd);
    this.tail.unsynced = false;
    this.counters.fsyncs++;
  }

  /**
   * Starts the next segment. It is written whole under a temporary name and renamed, so a
   * segment on disk always has its header: a crash leaves either no new segment or a valid one.
   */
  private cut(): void {
    // Only the last segment may end torn: the one being closed must be durable to its end.
    if (this.tail.unsynced) this.sync();
    const seq = (this.segments.at(-1)?.seq ?? -1) + 1;
    const name = segmentName(seq);
    const header: WalRecord = { kind: 'header', seq, prevCrc: this.tail.crc, hardState: this.tail.hardState, snapshot: this.tail.snapshot };
    const { frame, crc } = frameRecord(encodeRecord(header), this.tail.crc);
    const tmp = join(this.dir, `${name}.tmp`);
    const fd = fs.openSync(tmp, 'w+');
    writeAll(fd, frame, 0);
    fs.fsyncSync(fd);
    fs.renameSync(tmp, join(this.dir, name));
    fsyncDir(this.dir);
    if (this.tail.fd >= 0) fs.closeSync(this.tail.fd);
    this.tail = { ...this.tail, fd, offset: frame.length, crc, unsynced: false };
    this.segments.push({ seq, path: join(this.dir, name), maxIndex: 0 });
  }

  /** Deletes the oldest segment; the directory fsync keeps deletions in order across a crash. */
  private releaseOldest(): void {
    const segment = this.segments.shift()!;
    fs.unlinkSync(segment.path);
    fsyncDir(this.dir);
  }

  /** Runs `action`; after an I/O failure the file's state is unknown, so every later call fails too. */
  private guard(what: string, action: () => void): void {
    if (this.failed) throw this.failed;
    try {
      action();
    } catch (err) {
      if (err instanceof SwarmError && err.code === 'INVALID_ARGUMENT') throw err;
      this.failed = err instanceof SwarmError ? err : ioError(`${what} in ${this.dir}`, err);
      throw this.failed;
    }
  }
}
