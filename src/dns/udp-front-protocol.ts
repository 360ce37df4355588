/**
 * The frames between the DNS server and swarmts-dns, its native UDP front, over a Unix stream
 * socket: a 4-byte big-endian body length, then the body, whose first byte is its kind. The C
 * side is runtime-native/src/dns/dns_control.h, which lists every frame. Pure: Buffers in and out.
 */

/** What swarmts-dns sends. */
export type FromUdpFront =
  | { kind: 'ready'; port: number }
  | { kind: 'query'; address: string; port: number; packet: Buffer }
  | { kind: 'flushed'; version: number }
  | { kind: 'counters'; requestId: number; counters: UdpFrontCounters }
  | { kind: 'fatal'; message: string };

/** What swarmts-dns has done by itself since it started. */
export interface UdpFrontCounters {
  /** Queries answered from its cache. */
  hits: number;
  /** Of those, answers that count as errors (REFUSED for a non-IN class). */
  hitErrors: number;
  /** Of those, answers cut short with TC set. */
  hitTruncated: number;
  /** Queries dropped because the server was too far behind reading them. */
  dropped: number;
}

/** How swarmts-dns may reuse a reply for later queries with the same key (client, question, EDNS size). */
export interface ReplyReuse {
  /** The reply counts as an error in the counters (REFUSED). */
  countsAsError: boolean;
  /** The reply was truncated to fit the client's UDP size. */
  truncated: boolean;
  /** Equal-sized A records served in rotated order from one hit to the next. */
  rotation: { start: number; recordBytes: number; count: number } | undefined;
}

/** Bytes of the largest frame either side sends: a full-size query and reply, and headers. */
export const frameBytesMax = 16 + 2 * 65536;

const flagCacheable = 0x01;
const flagCountsAsError = 0x02;
const flagTruncated = 0x04;

/** An 'A' frame: send `reply` to the client; keep it for reuse when `reuse` is given. */
export function answerFrame(address: string, port: number, query: Buffer, reply: Buffer, reuse: ReplyReuse | undefined): Buffer {
  const frame = Buffer.allocUnsafe(4 + 16 + query.length + reply.length);
  frame.writeUInt32BE(16 + query.length + reply.length, 0);
  frame[4] = 0x41; // 'A'
  writeIpv4(frame, 5, address);
  frame.writeUInt16BE(port, 9);
  frame[11] = reuse === undefined ? 0
    : flagCacheable | (reuse.countsAsError ? flagCountsAsError : 0) | (reuse.truncated ? flagTruncated : 0);
  frame.writeUInt16BE(reuse?.rotation?.start ?? 0, 12);
  frame.writeUInt16BE(reuse?.rotation?.recordBytes ?? 0, 14);
  frame.writeUInt16BE(reuse?.rotation?.count ?? 0, 16);
  frame.writeUInt16BE(query.length, 18);
  query.copy(frame, 20);
  reply.copy(frame, 20 + query.length);
  return frame;
}

/** An 'F' frame: forget every kept reply; swarmts-dns answers with 'F' and the same version. */
export function flushFrame(version: number): Buffer {
  return smallFrame(0x46, version);
}

/** A 'C' frame: report the counters, answered with 'C' and the same request id. */
export function countersFrame(requestId: number): Buffer {
  return smallFrame(0x43, requestId);
}

function smallFrame(kind: number, value: number): Buffer {
  const frame = Buffer.allocUnsafe(9);
  frame.writeUInt32BE(5, 0);
  frame[4] = kind;
  frame.writeUInt32BE(value >>> 0, 5);
  return frame;
}

/**
 * Splits the byte stream from swarmts-dns into frames. `push` returns the frames completed by
 * a chunk; it throws on a frame that breaks the protocol (a mismatched build).
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): FromUdpFront[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: FromUdpFront[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= 4) {
      const length = this.buffered.readUInt32BE(offset);
      if (length === 0 || length > frameBytesMax) throw new Error(`a frame of ${length} bytes (expected 1..${frameBytesMax})`);
      if (this.buffered.length - offset - 4 < length) break;
      frames.push(decodeFrame(this.buffered.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    // Copy the rest: the frames hand out views into this chunk, which must not be reused.
    this.buffered = offset === this.buffered.length ? Buffer.alloc(0) : Buffer.from(this.buffered.subarray(offset));
    return frames;
  }
}

function decodeFrame(body: Buffer): FromUdpFront {
  const kind = String.fromCharCode(body[0]!);
  const need = (bytes: number): void => {
    if (body.length < bytes) throw new Error(`a '${kind}' frame of ${body.length} bytes (expected at least ${bytes})`);
  };
  switch (kind) {
    case 'R':
      need(3);
      return { kind: 'ready', port: body.readUInt16BE(1) };
    case 'Q':
      need(7);
      return { kind: 'query', address: `${body[1]}.${body[2]}.${body[3]}.${body[4]}`, port: body.readUInt16BE(5), packet: body.subarray(7) };
    case 'F':
      need(5);
      return { kind: 'flushed', version: body.readUInt32BE(1) };
    case 'C': {
      need(37);
      const at = (i: number): number => Number(body.readBigUInt64BE(5 + 8 * i));
      return { kind: 'counters', requestId: body.readUInt32BE(1), counters: { hits: at(0), hitErrors: at(1), hitTruncated: at(2), dropped: at(3) } };
    }
    case 'E':
      return { kind: 'fatal', message: body.toString('utf8', 1) };
    default:
      throw new Error(`a frame of unknown kind ${body[0]}`);
  }
}

function writeIpv4(frame: Buffer, offset: number, address: string): void {
  const parts = address.split('.');
  for (let i = 0; i < 4; i++) frame[offset + i] = Number(parts[i]) & 255;
}
