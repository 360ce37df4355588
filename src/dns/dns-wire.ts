/**
 * The DNS wire format on the server's hot path: reads a query's header, question and EDNS
 * size without decoding the whole packet, and builds the small replies (errors, SERVFAIL,
 * truncated) by copying the query's own bytes. Pure: Buffers in, Buffers out.
 */

/** Bytes of a DNS header. */
export const headerBytes = 12;
/** The UDP payload a client accepts when its query carries no EDNS record (RFC 1035). */
export const classicUdpBytesMax = 512;
/** Bytes of the OPT record appended to replies of EDNS queries. */
export const optRecordBytes = 11;

export const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof rcodes;

const flagQr = 0x80; // in byte 2
const flagAa = 0x04; // in byte 2
const flagTc = 0x02; // in byte 2
const flagRd = 0x01; // in byte 2
const flagRa = 0x80; // in byte 3
const typeOpt = 41;

/** What the server needs of a query, read in one pass. */
export interface ParsedQuery {
  opcode: number;
  questionCount: number;
  /** Offset of the byte after the question (name, type, class); 12 when there is no single question. */
  questionEnd: number;
  type: number;
  class: number;
  /**
   * The question name in wire form, lowercased, as a latin1 string: the cache key. Undefined when
   * a label holds a byte outside printable ASCII or a dot: no cluster name looks like that.
   */
  nameKey: string | undefined;
  /** The client's EDNS UDP payload size, or undefined without an OPT record. */
  ednsUdpBytes: number | undefined;
}

/**
 * Reads a query, or returns undefined for what deserves no reply at all: a packet too short or
 * inconsistent to parse, or a response (answering responses could loop between two servers).
 */
export function parseQuery(packet: Buffer): ParsedQuery | undefined {
  if (packet.length < headerBytes || (packet[2]! & flagQr) !== 0) return undefined;
  const opcode = (packet[2]! >> 3) & 0x0f;
  const questionCount = packet.readUInt16BE(4);
  if (questionCount !== 1) {
    return { opcode, questionCount, questionEnd: headerBytes, type: 0, class: 0, nameKey: undefined, ednsUdpBytes: undefined };
  }
  let offset = headerBytes;
  let plain = true;
  let upper = false;
  for (;;) {
    if (offset >= packet.length) return undefined;
    const length = packet[offset]!;
    if (length === 0) break;
    // A compression pointer or a reserved label type in a query's only question: not a query we parse.
    if (length > 63) return undefined;
    const labelEnd = offset + 1 + length;
    if (labelEnd > packet.length) return undefined;
    for (let i = offset + 1; i < labelEnd; i++) {
      const byte = packet[i]!;
      if (byte <= 0x20 || byte >= 0x7f || byte === 0x2e) plain = false;
      else if (byte >= 0x41 && byte <= 0x5a) upper = true;
    }
    offset = labelEnd;
  }
  const nameEnd = offset + 1;
  if (nameEnd - headerBytes > 255 || nameEnd + 4 > packet.length) return undefined;
  const questionEnd = nameEnd + 4;
  let nameKey: string | undefined;
  if (plain) {
    nameKey = packet.toString('latin1', headerBytes, nameEnd);
    if (upper) nameKey = nameKey.toLowerCase();
  }
  const ednsUdpBytes = readEdnsUdpBytes(packet, questionEnd);
  if (ednsUdpBytes === null) return undefined;
  return {
    opcode,
    questionCount,
    questionEnd,
    type: packet.readUInt16BE(nameEnd),
    class: packet.readUInt16BE(nameEnd + 2),
    nameKey,
    ednsUdpBytes,
  };
}

/** The OPT record's UDP size among the records after the question; null when they do not parse. */
function readEdnsUdpBytes(packet: Buffer, start: number): number | undefined | null {
  const recordCount = packet.readUInt16BE(6) + packet.readUInt16BE(8) + packet.readUInt16BE(10);
  let offset = start;
  let udpBytes: number | undefined;
  for (let i = 0; i < recordCount; i++) {
    offset = skipName(packet, offset);
    if (offset < 0 || offset + 10 > packet.length) return null;
    const type = packet.readUInt16BE(offset);
    if (type === typeOpt) udpBytes = Math.max(classicUdpBytesMax, packet.readUInt16BE(offset + 2));
    offset += 10 + packet.readUInt16BE(offset + 8);
    if (offset > packet.length) return null;
  }
  return udpBytes;
}

function skipName(packet: Buffer, start: number): number {
  let offset = start;
  while (offset < packet.length) {
    const length = packet[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2;
    if (length > 63) return -1;
    offset += 1 + length;
  }
  return -1;
}

/** The question name in presentation form ("web.shop"), lowercased. Only for names with a `nameKey`. */
export function questionName(packet: Buffer): string {
  const labels: string[] = [];
  let offset = headerBytes;
  for (let length = packet[offset]!; length !== 0; length = packet[offset]!) {
    labels.push(packet.toString('latin1', offset + 1, offset + 1 + length).toLowerCase());
    offset += 1 + length;
  }
  return labels.join('.');
}

/**
 * A reply of only a header and, when the query had one readable question, that question:
 * FORMERR, NOTIMP, REFUSED, SERVFAIL. The id, opcode and RD bit are the query's.
 */
export function errorReply(query: Buffer, parsed: ParsedQuery, rcode: Rcode): Buffer {
  const reply = Buffer.alloc(parsed.questionEnd);
  query.copy(reply, 0, 0, parsed.questionEnd);
  reply[2] = flagQr | (query[2]! & 0x79); // keep opcode and RD
  reply[3] = flagRa | rcodes[rcode];
  reply.writeUInt16BE(parsed.questionEnd > headerBytes ? 1 : 0, 4);
  reply.fill(0, 6, headerBytes);
  return reply;
}

/** The header flags of a cluster answer: a response, authoritative, recursion available. */
export function answerFlags(rcode: Rcode): [number, number] {
  return [flagQr | flagAa, flagRa | rcodes[rcode]];
}

/**
 * Copies a prepared reply (id 0, lowercase question, no OPT) for this query: its id, its RD bit,
 * its question's letter case (resolvers that randomize case check it), and an OPT record when
 * the query had one. `rotateFrom` starts the answer records at that index (round-robin).
 */
export function personalizeReply(prepared: PreparedReply, query: Buffer, parsed: ParsedQuery, rotateFrom: number): Buffer {
  const withOpt = parsed.ednsUdpBytes !== undefined;
  const reply = Buffer.allocUnsafe(prepared.packet.length + (withOpt ? optRecordBytes : 0));
  const rotation = prepared.rotation;
  if (rotation === undefined || rotateFrom % rotation.count === 0) {
    prepared.packet.copy(reply, 0);
  } else {
    const first = rotation.start + (rotateFrom % rotation.count) * rotation.recordBytes;
    const end = rotation.start + rotation.count * rotation.recordBytes;
    prepared.packet.copy(reply, 0, 0, rotation.start);
    prepared.packet.copy(reply, rotation.start, first, end);
    prepared.packet.copy(reply, rotation.start + end - first, rotation.start, first);
    prepared.packet.copy(reply, end, end);
  }
  query.copy(reply, 0, 0, 2);
  reply[2] = reply[2]! | (query[2]! & flagRd);
  query.copy(reply, headerBytes, headerBytes, parsed.questionEnd - 4);
  if (withOpt) {
    writeOpt(reply, prepared.packet.length);
    reply.writeUInt16BE(reply.readUInt16BE(10) + 1, 10);
  }
  return reply;
}

/** A reply to be prepared once and personalized per query. */
export interface PreparedReply {
  packet: Buffer;
  /** Where equal-sized answer records lie that may be served in rotated order. */
  rotation: { start: number; recordBytes: number; count: number } | undefined;
}

/** The EDNS UDP payload size this server announces: fits one unfragmented IPv6 packet (DNS flag day 2020). */
export const serverUdpBytesMax = 1232;

function writeOpt(reply: Buffer, offset: number): void {
  reply[offset] = 0; // root name
  reply.writeUInt16BE(typeOpt, offset + 1);
  reply.writeUInt16BE(serverUdpBytesMax, offset + 3);
  reply.writeUInt32BE(0, offset + 5); // extended rcode, version 0, no flags
  reply.writeUInt16BE(0, offset + 9);
}

/**
 * The reply for a UDP client when the full one is larger than it accepts: the header with TC
 * set and the question, no records, so the client retries over TCP (RFC 2181 §9).
 */
export function truncatedReply(full: Buffer, parsed: ParsedQuery): Buffer {
  const withOpt = parsed.ednsUdpBytes !== undefined;
  const reply = Buffer.allocUnsafe(parsed.questionEnd + (withOpt ? optRecordBytes : 0));
  full.copy(reply, 0, 0, parsed.questionEnd);
  reply[2] = reply[2]! | flagTc;
  reply.fill(0, 6, headerBytes);
  if (withOpt) {
    writeOpt(reply, parsed.questionEnd);
    reply.writeUInt16BE(1, 10);
  }
  return reply;
}
