import { createHash, type Hash } from 'node:crypto';
import { SwarmError } from '../../core/errors.js';

/**
 * Content digests in the OCI form `sha256:<64 hex>`. Only sha256 is accepted: it is what
 * every registry and image tool writes, and one algorithm keeps the blob store flat.
 */

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** Whether `value` is a well-formed sha256 digest. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && digestPattern.test(value);
}

/** Returns `value` when it is a sha256 digest; otherwise INVALID_ARGUMENT naming `what`. */
export function checkDigest(value: unknown, what: string): string {
  if (!isDigest(value)) {
    throw new SwarmError('INVALID_ARGUMENT', `${what}: expected a digest "sha256:<64 lowercase hex>", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The 64-hex part of a digest. */
export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** The sha256 digest of bytes held in memory. */
export function sha256Of(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A running sha256 that also counts bytes: fed while streaming, read at the end. */
export class DigestCounter {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** DIGEST_MISMATCH for content that does not hash to what its referrer promised. */
export function digestMismatch(what: string, expected: string, actual: string): SwarmError {
  return new SwarmError('DIGEST_MISMATCH', `${what}: expected digest ${expected}, got ${actual}; the content was corrupted or tampered with and was not stored`, {
    details: { expected, actual },
  });
}
