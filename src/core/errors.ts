/**
 * Typed errors. Every expected failure is a SwarmError with a stable `code` that
 * scripts and the API can match on; the message says what is wrong and what to do.
 * Broken invariants use `assert()` (assert.ts) instead and crash loudly.
 */

/** The closed set of error codes. Add a code here when a new kind of failure appears. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'FRAME_TOO_LARGE'
  | 'MALFORMED_MESSAGE'
  | 'UNSUPPORTED_VERSION'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'PERMISSION_DENIED'
  | 'IO_ERROR'
  | 'CORRUPT_DATA'
  | 'DIGEST_MISMATCH'
  | 'IMAGE_NOT_FOUND'
  | 'REGISTRY_ERROR'
  | 'RUNTIME_ERROR'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_NOT_RUNNING'
  | 'STACK_INVALID'
  | 'NOT_LEADER'
  | 'NO_QUORUM'
  | 'NO_SUITABLE_NODE'
  | 'INTERNAL';

/** An expected, typed failure. `details` carries machine-readable context for the API. */
export class SwarmError extends Error {
  override readonly name = 'SwarmError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /** A plain object for the wire or the API; `cause` is flattened into the message chain. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a SwarmError, optionally with the given code. */
export function isSwarmError(err: unknown, code?: ErrorCode): err is SwarmError {
  return err instanceof SwarmError && (code === undefined || err.code === code);
}

/** The message of any thrown value, for logs and error chains. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
