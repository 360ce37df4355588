import { decodeBody, encodeFrame } from '../core/framing.js';
import { SwarmError } from '../core/errors.js';

/**
 * Versioned msgpackr message bodies for gossip and the transport: the body of a framing.ts
 * frame, so gossip, streams and the transport all share one encoding and one set of limits.
 */

/** Every message on the wire carries its protocol version as `v`. */
export type Versioned = { v: number };

/** Encodes `value` without the frame's length prefix. FRAME_TOO_LARGE over `bytesMax`. */
export function encodeMessageBody(value: unknown, bytesMax: number): Uint8Array {
  return encodeFrame(value, bytesMax).subarray(frameHeaderBytes);
}

const frameHeaderBytes = 4;

/**
 * Decodes a body and checks it is a map whose `v` is `version`. MALFORMED_MESSAGE for
 * undecodable bytes or a non-map, UNSUPPORTED_VERSION for another version; `where` says
 * which protocol the bytes came from.
 */
export function decodeVersioned(body: Uint8Array, version: number, where: string, bytesMax: number): Versioned & Record<string, unknown> {
  if (body.length > bytesMax) {
    throw new SwarmError('FRAME_TOO_LARGE', `${where}: message of ${body.length} bytes exceeds the limit of ${bytesMax} bytes`);
  }
  return checkVersion(decodeBody(body), version, where);
}

/** The version check of `decodeVersioned`, for values already decoded (stream frames). */
export function checkVersion(value: unknown, version: number, where: string): Versioned & Record<string, unknown> {
  if (!isPlainMap(value)) {
    throw new SwarmError('MALFORMED_MESSAGE', `${where}: expected a map with a version field "v", got ${describe(value)}`);
  }
  const v = (value as Record<string, unknown>).v;
  if (v !== version) {
    throw new SwarmError('UNSUPPORTED_VERSION', `${where}: expected version v=${version}, got v=${JSON.stringify(v) ?? 'undefined'}`, {
      details: { expected: version, got: typeof v === 'number' ? v : null },
    });
  }
  return value as Versioned & Record<string, unknown>;
}

// msgpackr decodes some invalid bytes (0xC1) into class instances rather than failing;
// only plain maps are messages.
function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return `a ${typeof value}`;
}
