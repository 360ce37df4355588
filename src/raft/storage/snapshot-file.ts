import * as fs from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import type { Snapshot } from '../types.js';
import { packValue, unpackValue, type SnapshotRef } from './codec.js';
import { writeFileAtomic } from './fs-sync.js';
import { crc32, readFrame } from './record.js';

/**
 * Snapshot files: one checksummed frame (record.ts, seeded with 0) holding the snapshot's
 * metadata and data, named `snap-<index>-<term>.snap` in hex so names sort by index.
 */

const namePattern = /^snap-([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

/** The file name of the snapshot at `ref`. */
export function snapshotFileName(ref: SnapshotRef): string {
  return `snap-${hex16(ref.index)}-${hex16(ref.term)}.snap`;
}

/** The ref a snapshot file name stands for, undefined for other names. */
export function parseSnapshotFileName(name: string): SnapshotRef | undefined {
  const m = namePattern.exec(name);
  return m ? { index: parseInt(m[1]!, 16), term: parseInt(m[2]!, 16) } : undefined;
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** Encodes a snapshot as the bytes of its file. */
export function encodeSnapshotFile(snapshot: Snapshot): Buffer {
  const { meta } = snapshot;
  const body = packValue([meta.index, meta.term, meta.confState.voters, meta.confState.learners, snapshot.data]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(header.subarray(0, 4)), 4);
  header.writeUInt32LE(crc32(body, 0), 8);
  return Buffer.concat([header, body]);
}

/**
 * Writes the snapshot's file atomically (tmp, fsync, rename, fsync dir). A snapshot larger
 * than `recordBytesMax` is refused (INVALID_ARGUMENT) rather than written unreadable.
 */
export function writeSnapshotFile(dir: string, snapshot: Snapshot, recordBytesMax: number): void {
  const bytes = encodeSnapshotFile(snapshot);
  if (bytes.length - 12 > recordBytesMax) {
    throw new SwarmError('INVALID_ARGUMENT', `snapshot at index ${snapshot.meta.index} is ${bytes.length} bytes, over recordBytesMax ${recordBytesMax}`);
  }
  writeFileAtomic(dir, snapshotFileName(snapshot.meta), bytes);
}

/** Reads and verifies the snapshot at `ref`. Throws CORRUPT_DATA naming the file when it is missing or damaged. */
export function readSnapshotFile(dir: string, ref: SnapshotRef, recordBytesMax: number): Snapshot {
  const name = snapshotFileName(ref);
  const path = join(dir, name);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `snapshot ${path} that the write-ahead log refers to cannot be read: ${(err as Error).message}`, { cause: err, details: { file: path } });
  }
  const fail = (reason: string): never => {
    throw new SwarmError('CORRUPT_DATA', `snapshot ${path}: ${reason}`, { details: { file: path, offset: 0 } });
  };
  const frame = readFrame(buf, 0, recordBytesMax);
  if (frame.status !== 'frame') return fail(frame.status === 'end' ? 'empty file' : frame.reason);
  if (frame.endOffset !== buf.length) fail(`${buf.length - frame.endOffset} trailing bytes`);
  if (crc32(frame.body, 0) !== frame.storedCrc) fail('checksum mismatch');
  const v = unpackValue(frame.body, `snapshot ${path}`);
  if (!Array.isArray(v) || v.length !== 5) return fail('not a snapshot record');
  const [index, term, voters, learners, data] = v as unknown[];
  if (index !== ref.index || term !== ref.term) fail(`holds index ${String(index)} term ${String(term)}, not what its name says`);
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!strings(voters) || !strings(learners) || !(data instanceof Uint8Array)) return fail('malformed conf state or data');
  return {
    meta: { index: ref.index, term: ref.term, confState: { voters, learners } },
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}
