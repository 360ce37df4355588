import * as zlib from 'node:zlib';

/**
 * The on-disk frame of one record: a 12-byte header, then the body.
 *
 *   u32le bodyLength | u32le crc32(bodyLength bytes) | u32le crc32(body, seed) | body
 *
 * The length has its own checksum so a flipped bit in it reads as corruption, never as a
 * record that runs past the end of the file (which is what a torn tail looks like). The body
 * checksum is seeded with the previous record's, chaining every record to all before it:
 * a record moved, dropped or replayed from elsewhere breaks the chain.
 */

export const recordHeaderBytes = 12;

/** crc32 (IEEE), continuing from `seed`: node:zlib's native one (Node >= 20.15), else a table. */
export function crc32(data: Uint8Array, seed = 0): number {
  return nativeCrc32 ? nativeCrc32(data, seed) >>> 0 : tableCrc32(data, seed);
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, seed: number) => number }).crc32;

let crcTable: Uint32Array | undefined;

/** The same checksum computed byte by byte, for Node releases before 20.15. */
export function tableCrc32(data: Uint8Array, seed = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~seed >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** Frames `body`, chaining its checksum from `seedCrc`. Returns the frame and the new chain value. */
export function frameRecord(body: Uint8Array, seedCrc: number): { frame: Buffer; crc: number } {
  const frame = Buffer.allocUnsafe(recordHeaderBytes + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(frame.subarray(0, 4)), 4);
  const crc = crc32(body, seedCrc);
  frame.writeUInt32LE(crc, 8);
  frame.set(body, recordHeaderBytes);
  return { frame, crc };
}

/** What sits at one offset of a segment. */
export type RawRecord =
  /** A complete frame; its body checksum (`storedCrc`) is the caller's to verify, since the seed is. */
  | { status: 'frame'; body: Uint8Array; storedCrc: number; endOffset: number }
  /** Nothing more: the offset is the end of the buffer. */
  | { status: 'end' }
  /** What an interrupted append leaves: a partial header or body, or zeros to the end. */
  | { status: 'torn'; reason: string }
  /** Bytes that no interrupted append can produce. */
  | { status: 'corrupt'; reason: string };

/** Reads the frame at `offset` of `buf` without checking the body checksum. */
export function readFrame(buf: Uint8Array, offset: number, recordBytesMax: number): RawRecord {
  const left = buf.length - offset;
  if (left === 0) return { status: 'end' };
  if (onlyZerosFrom(buf, offset)) return { status: 'torn', reason: `${left} zero bytes at the end` };
  if (left < recordHeaderBytes) return { status: 'torn', reason: `partial record header (${left} of ${recordHeaderBytes} bytes)` };
  const view = Buffer.from(buf.buffer, buf.byteOffset + offset, recordHeaderBytes);
  const length = view.readUInt32LE(0);
  if (crc32(view.subarray(0, 4)) !== view.readUInt32LE(4)) {
    // A file system may extend a file with zeros before the data lands: a header cut short
    // and padded with zeros is as torn as one cut short.
    if (onlyZerosFrom(buf, offset + recordHeaderBytes)) return { status: 'torn', reason: 'partial record header followed by zeros' };
    return { status: 'corrupt', reason: 'record length checksum mismatch' };
  }
  if (length > recordBytesMax) return { status: 'corrupt', reason: `record length ${length} exceeds recordBytesMax ${recordBytesMax}` };
  const endOffset = offset + recordHeaderBytes + length;
  if (endOffset > buf.length) return { status: 'torn', reason: `partial record body (${left - recordHeaderBytes} of ${length} bytes)` };
  return { status: 'frame', body: buf.subarray(offset + recordHeaderBytes, endOffset), storedCrc: view.readUInt32LE(8), endOffset };
}

/** Whether every byte of `buf` from `from` on is zero (true for an empty range). */
export function onlyZerosFrom(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
