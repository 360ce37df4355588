/** Encodes a zone answer once into a reply that `personalizeReply` copies for each query. */
import dnsPacket from 'dns-packet';
import type { DnsZoneAnswer } from './zone-answer.js';
import { answerFlags, headerBytes, type ParsedQuery, type PreparedReply } from './dns-wire.js';

/**
 * The reply to `query` carrying `zoneAnswer`'s records, with id 0, no RD bit and the question
 * lowercased. Throws if a record cannot be encoded (a name label over 63 bytes).
 */
export function prepareReply(query: Buffer, parsed: ParsedQuery, zoneAnswer: DnsZoneAnswer & { kind: 'records' }): PreparedReply {
  // dns-packet encodes the records; the header and question are ours, copied from the query.
  const encoded = dnsPacket.encode({ type: 'response', answers: zoneAnswer.answers, additionals: zoneAnswer.additionals });
  const recordBytes = encoded.length - headerBytes;
  const packet = Buffer.alloc(parsed.questionEnd + recordBytes);
  const [flagsHigh, flagsLow] = answerFlags(zoneAnswer.rcode);
  packet[2] = flagsHigh;
  packet[3] = flagsLow;
  packet.writeUInt16BE(1, 4);
  packet.writeUInt16BE(zoneAnswer.answers.length, 6);
  packet.writeUInt16BE(zoneAnswer.additionals.length, 10);
  packet.write(query.toString('latin1', headerBytes, parsed.questionEnd - 4).toLowerCase(), headerBytes, 'latin1');
  query.copy(packet, parsed.questionEnd - 4, parsed.questionEnd - 4, parsed.questionEnd);
  encoded.copy(packet, parsed.questionEnd, headerBytes);
  return { packet, rotation: rotationOf(zoneAnswer, parsed.questionEnd, recordBytes) };
}

/** Several A records and nothing else: each is the same size, so they can be served rotated. */
function rotationOf(zoneAnswer: DnsZoneAnswer & { kind: 'records' }, start: number, recordBytes: number): PreparedReply['rotation'] {
  const count = zoneAnswer.answers.length;
  if (count < 2 || zoneAnswer.additionals.length > 0 || zoneAnswer.answers.some((a) => a.type !== 'A')) return undefined;
  return { start, recordBytes: recordBytes / count, count };
}
