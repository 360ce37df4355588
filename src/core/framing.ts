import { Packr } from 'msgpackr';
import { SwarmError } from './errors.js';

/**
 * Length-prefixed msgpackr frames: a 4-byte big-endian body length, then the body.
 * Used by every stream protocol. A frame over `frameBytesMax` is refused on both sides,
 * and a body that does not decode is a MALFORMED_MESSAGE: neither ever throws anything else.
 */

/** Default largest frame body: 4 MiB holds a raft snapshot chunk with room to spare. */
export const defaultFrameBytesMax = 4 * 1024 * 1024;

const headerBytes = 4;

// Plain records without msgpackr's shared-structure extension, so frames decode alone.
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** Encodes one value as a frame. Throws FRAME_TOO_LARGE when the body exceeds the limit. */
export function encodeFrame(value: unknown, frameBytesMax = defaultFrameBytesMax): Buffer {
  const body = packr.pack(value);
  if (body.length > frameBytesMax) {
    throw new SwarmError('FRAME_TOO_LARGE', `frame of ${body.length} bytes exceeds the limit of ${frameBytesMax} bytes`);
  }
  const frame = Buffer.allocUnsafe(headerBytes + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, headerBytes);
  return frame;
}

/** Decodes one msgpack body (no length prefix). Throws MALFORMED_MESSAGE on bad input. */
export function decodeBody(body: Uint8Array): unknown {
  try {
    return packr.unpack(body);
  } catch (err) {
    throw new SwarmError('MALFORMED_MESSAGE', `malformed msgpack body of ${body.length} bytes`, { cause: err });
  }
}

/**
 * Reassembles frames from a byte stream that arrives in arbitrary chunks.
 * `push(chunk)` returns every complete value so far. After an error the decoder is
 * poisoned: the stream's framing can no longer be trusted and it must be closed.
 */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private failed: SwarmError | undefined;

  constructor(private readonly frameBytesMax = defaultFrameBytesMax) {}

  push(chunk: Uint8Array): unknown[] {
    if (this.failed) throw this.failed;
    this.buffered = this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]);
    const values: unknown[] = [];
    while (this.buffered.length >= headerBytes) {
      const bodyLength = this.buffered.readUInt32BE(0);
      if (bodyLength > this.frameBytesMax) {
        this.failed = new SwarmError('FRAME_TOO_LARGE', `incoming frame of ${bodyLength} bytes exceeds the limit of ${this.frameBytesMax} bytes`);
        throw this.failed;
      }
      if (this.buffered.length < headerBytes + bodyLength) break;
      const body = this.buffered.subarray(headerBytes, headerBytes + bodyLength);
      this.buffered = this.buffered.subarray(headerBytes + bodyLength);
      try {
        values.push(decodeBody(body));
      } catch (err) {
        this.failed = err as SwarmError;
        throw err;
      }
    }
    return values;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  pendingBytes(): number {
    return this.buffered.length;
  }
}
