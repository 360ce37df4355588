import { isSwarmError, SwarmError } from '../../core/errors.js';
import { decodeRecord, type HeaderRecord, type WalRecord } from './codec.js';
import { crc32, onlyZerosFrom, readFrame } from './record.js';

/**
 * Reads and verifies one segment file's records. Damage that an interrupted append can
 * leave (in the last segment, after the last good record) is a torn tail to truncate;
 * anything else is corruption, refused with the file and byte offset.
 */

/** One segment file to scan, and what it must agree with. */
export interface ScanInput {
  path: string;
  buf: Uint8Array;
  /** The sequence number the file name carries; the header must agree. */
  seq: number;
  /** The chain value the previous segment ended with, undefined for the first segment read. */
  prevCrc: number | undefined;
  /** Only the last segment may end in a torn record: every other was fsynced before the next began. */
  isLast: boolean;
  recordBytesMax: number;
}

/** Where a segment's valid records end and how. */
export interface ScanResult {
  /** Where valid data ends: the file length, or the offset of the torn tail. */
  endOffset: number;
  /** The chain value after the last valid record. */
  crc: number;
  /** Set when a torn tail starts at `endOffset`. */
  tornReason: string | undefined;
}

/** Calls `onRecord` for each valid record in order; its CORRUPT_DATA errors get this record's place. */
export function scanSegment(input: ScanInput, onRecord: (record: WalRecord) => void): ScanResult {
  const { path, buf, isLast } = input;
  const corrupt = (offset: number, reason: string): never => {
    throw new SwarmError('CORRUPT_DATA', `write-ahead log ${path} is corrupt at byte ${offset}: ${reason}; refusing to start (restore the directory from a backup or re-join the node)`, {
      details: { file: path, offset },
    });
  };
  let offset = 0;
  let crc = 0;
  for (;;) {
    const raw = readFrame(buf, offset, input.recordBytesMax);
    if (raw.status === 'end') {
      if (offset === 0) corrupt(0, 'empty segment: no header');
      return { endOffset: offset, crc, tornReason: undefined };
    }
    if (raw.status === 'corrupt') return corrupt(offset, raw.reason);
    if (raw.status === 'torn') {
      if (!isLast || offset === 0) return corrupt(offset, raw.reason);
      return { endOffset: offset, crc, tornReason: raw.reason };
    }
    // A bad final record of the last segment (only zeros after it) is an append whose sectors
    // reached the disk out of order before its fsync: never acknowledged, so truncated too.
    const atTail = isLast && offset > 0 && onlyZerosFrom(buf, raw.endOffset);
    try {
      const header = offset === 0 ? checkHeader(decodeRecord(raw.body), input, corrupt) : undefined;
      if (crc32(raw.body, header ? header.prevCrc : crc) !== raw.storedCrc) {
        if (atTail) return { endOffset: offset, crc, tornReason: 'checksum mismatch in the final record' };
        return corrupt(offset, 'checksum mismatch');
      }
      const record = header ?? decodeRecord(raw.body);
      if (offset > 0 && record.kind === 'header') return corrupt(offset, 'a segment header in the middle of a segment');
      onRecord(record);
    } catch (err) {
      // Decoding and replay errors know what is wrong but not where: add the place.
      if (isSwarmError(err, 'CORRUPT_DATA') && err.details === undefined) return corrupt(offset, err.message);
      throw err;
    }
    crc = raw.storedCrc;
    offset = raw.endOffset;
  }
}

function checkHeader(record: WalRecord, input: ScanInput, corrupt: (offset: number, reason: string) => never): HeaderRecord {
  if (record.kind !== 'header') return corrupt(0, `segment starts with a ${record.kind} record, not a header`);
  if (record.seq !== input.seq) return corrupt(0, `header says segment ${record.seq}, the file name says ${input.seq}`);
  if (input.prevCrc !== undefined && record.prevCrc !== input.prevCrc) return corrupt(0, 'header does not chain from the previous segment');
  return record;
}
