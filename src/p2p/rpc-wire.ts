import type { ErrorCode } from '../core/errors.js';
import { SwarmError } from '../core/errors.js';
import { checkVersion } from './message-codec.js';

/**
 * The RPC wire format, one framing.ts frame per message, every one a map with `v`:
 *   request:   { v: 1, body }                          (exactly one, then the caller closes writing)
 *   unary:     { v: 1, ok: body }    | error
 *   streaming: { v: 1, item: body }* then { v: 1, end: true } | error
 *   error:     { v: 1, error: { code, message } }      (terminal; code is a SwarmError code)
 */

/** The RPC envelope version. */
export const rpcWireVersion = 1;

/** One decoded response frame. */
export type ResponseFrame =
  | { kind: 'ok'; body: unknown }
  | { kind: 'item'; body: unknown }
  | { kind: 'end' }
  | { kind: 'error'; code: ErrorCode; message: string };

export function requestFrame(body: unknown): Record<string, unknown> {
  return { v: rpcWireVersion, body };
}

export function okFrame(body: unknown): Record<string, unknown> {
  return { v: rpcWireVersion, ok: body };
}

export function itemFrame(body: unknown): Record<string, unknown> {
  return { v: rpcWireVersion, item: body };
}

export function endFrame(): Record<string, unknown> {
  return { v: rpcWireVersion, end: true };
}

export function errorFrame(code: ErrorCode, message: string): Record<string, unknown> {
  return { v: rpcWireVersion, error: { code, message } };
}

/** The request body, after checking the envelope. MALFORMED_MESSAGE or UNSUPPORTED_VERSION otherwise. */
export function parseRequest(value: unknown, where: string): unknown {
  const frame = checkVersion(value, rpcWireVersion, where);
  if (!('body' in frame)) throw new SwarmError('MALFORMED_MESSAGE', `${where}: request frame has no "body"`);
  return frame.body;
}

/** A response frame, after checking the envelope. MALFORMED_MESSAGE or UNSUPPORTED_VERSION otherwise. */
export function parseResponse(value: unknown, where: string): ResponseFrame {
  const frame = checkVersion(value, rpcWireVersion, where);
  if ('ok' in frame) return { kind: 'ok', body: frame.ok };
  if ('item' in frame) return { kind: 'item', body: frame.item };
  if (frame.end === true) return { kind: 'end' };
  const error = frame.error;
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as Record<string, unknown>;
    if (typeof message === 'string') {
      return { kind: 'error', code: isErrorCode(code) ? code : 'INTERNAL', message };
    }
  }
  throw new SwarmError('MALFORMED_MESSAGE', `${where}: response frame has none of "ok", "item", "end" or a valid "error"`);
}

// Record<ErrorCode, true> makes the compiler insist every code is listed here, so a code
// added to errors.ts is accepted from the wire without anyone remembering this file.
const knownCodes: Record<ErrorCode, true> = {
  INVALID_ARGUMENT: true, INVALID_CONFIG: true, NOT_FOUND: true, ALREADY_EXISTS: true, CONFLICT: true,
  FRAME_TOO_LARGE: true, MALFORMED_MESSAGE: true, UNSUPPORTED_VERSION: true, TIMEOUT: true, UNAVAILABLE: true,
  PERMISSION_DENIED: true, IO_ERROR: true, CORRUPT_DATA: true, DIGEST_MISMATCH: true, IMAGE_NOT_FOUND: true,
  REGISTRY_ERROR: true, RUNTIME_ERROR: true, CONTAINER_NOT_FOUND: true, CONTAINER_NOT_RUNNING: true,
  STACK_INVALID: true, NOT_LEADER: true, NO_QUORUM: true, NO_SUITABLE_NODE: true, INTERNAL: true,
};

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(knownCodes, code);
}
