import { SwarmError } from '../core/errors.js';

/**
 * The payload of every command entry: the command, tagged with who proposed it. The tag is
 * what lets any node recognise its own proposal when it applies the entry (whoever was
 * leader when it was appended), and so hand the state machine's result back to the caller.
 *
 * Layout: format byte (1), origin length (u16 BE), origin (UTF-8), session (8 bytes),
 * sequence (u32 BE high, u32 BE low), command. The session is random per RaftService
 * instance, so a restarted node never mistakes an old entry for a new proposal.
 */

/** Who proposed an entry: node, service instance, and a counter within it. */
export interface ProposalTag {
  origin: string;
  /** 16 hex digits, random per RaftService instance. */
  session: string;
  seq: number;
}

/** A decoded entry payload. */
export interface Envelope {
  tag: ProposalTag;
  command: Uint8Array;
}

const formatVersion = 1;
const sessionBytes = 8;
const originBytesMax = 0xffff;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The key pending proposals are filed under. */
export function tagKey(tag: ProposalTag): string {
  return `${tag.origin}/${tag.session}/${tag.seq}`;
}

/** Bytes an envelope adds to a command from `origin`. */
export function envelopeOverheadBytes(origin: string): number {
  return 1 + 2 + encoder.encode(origin).length + sessionBytes + 8;
}

/** Encodes `command` under `tag`. */
export function encodeEnvelope(tag: ProposalTag, command: Uint8Array): Uint8Array {
  const origin = encoder.encode(tag.origin);
  if (origin.length === 0 || origin.length > originBytesMax) throw new SwarmError('INVALID_ARGUMENT', `proposal origin: expected 1 to ${originBytesMax} bytes, got ${origin.length}`);
  if (!/^[0-9a-f]{16}$/.test(tag.session)) throw new SwarmError('INVALID_ARGUMENT', `proposal session: expected 16 hex digits, got ${JSON.stringify(tag.session)}`);
  if (!Number.isSafeInteger(tag.seq) || tag.seq < 0) throw new SwarmError('INVALID_ARGUMENT', `proposal seq: expected a non-negative integer, got ${tag.seq}`);
  const out = new Uint8Array(envelopeOverheadBytes(tag.origin) + command.length);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = formatVersion;
  view.setUint16(at, origin.length);
  at += 2;
  out.set(origin, at);
  at += origin.length;
  for (let i = 0; i < sessionBytes; i++) out[at + i] = parseInt(tag.session.slice(2 * i, 2 * i + 2), 16);
  at += sessionBytes;
  view.setUint32(at, Math.floor(tag.seq / 2 ** 32));
  view.setUint32(at + 4, tag.seq >>> 0);
  at += 8;
  out.set(command, at);
  return out;
}

/** Decodes an entry payload; MALFORMED_MESSAGE saying what is wrong when it is not an envelope. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  const fail = (what: string): SwarmError => new SwarmError('MALFORMED_MESSAGE', `raft entry of ${data.length} bytes: ${what}`);
  if (data.length < 1 || data[0] !== formatVersion) throw fail(`expected envelope format ${formatVersion}, got ${data.length === 0 ? 'nothing' : data[0]}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 3) throw fail('truncated before the origin length');
  const originLength = view.getUint16(1);
  let at = 3;
  if (originLength === 0 || data.length < at + originLength + sessionBytes + 8) throw fail('truncated tag');
  let origin: string;
  try {
    origin = decoder.decode(data.subarray(at, at + originLength));
  } catch {
    throw fail('origin is not UTF-8');
  }
  at += originLength;
  let session = '';
  for (let i = 0; i < sessionBytes; i++) session += data[at + i]!.toString(16).padStart(2, '0');
  at += sessionBytes;
  const seq = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
  at += 8;
  if (!Number.isSafeInteger(seq)) throw fail(`sequence ${seq} is not a safe integer`);
  return { tag: { origin, session, seq }, command: data.subarray(at) };
}
