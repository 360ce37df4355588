import { randomBytes } from 'node:crypto';
import { SwarmError } from '../core/errors.js';

/**
 * The cluster's pre-shared key: 32 random bytes every member holds. libp2p's private
 * network (pnet) wraps every connection in XSalsa20 keyed by it, so a host without the
 * key cannot complete even the first handshake.
 */

/** Length of a pre-shared key: pnet's XSalsa20 key size. */
export const pskBytes = 32;

const pskFileHeader = '/key/swarm/psk/1.0.0/\n/base16/\n';

/** A fresh random pre-shared key for a new cluster. */
export function generatePsk(): Uint8Array {
  return new Uint8Array(randomBytes(pskBytes));
}

/**
 * The key in the "swarm key" file format that libp2p's pnet (and IPFS) reads:
 * a tag line, a codec line, then the key in lowercase hex.
 */
export function encodePskFile(psk: Uint8Array): string {
  if (psk.length !== pskBytes) {
    throw new SwarmError('INVALID_ARGUMENT', `pre-shared key: expected ${pskBytes} bytes, got ${psk.length}`);
  }
  return pskFileHeader + Buffer.from(psk).toString('hex');
}

/** Parses a swarm key file. Throws INVALID_CONFIG saying which line is wrong. */
export function decodePskFile(text: string): Uint8Array {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== '/key/swarm/psk/1.0.0/') {
    throw new SwarmError('INVALID_CONFIG', `swarm key line 1: expected "/key/swarm/psk/1.0.0/", got ${JSON.stringify(lines[0] ?? '')}`);
  }
  if (lines[1] !== '/base16/') {
    throw new SwarmError('INVALID_CONFIG', `swarm key line 2: expected "/base16/", got ${JSON.stringify(lines[1] ?? '')}`);
  }
  const hex = (lines[2] ?? '').trim();
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== pskBytes * 2) {
    throw new SwarmError('INVALID_CONFIG', `swarm key line 3: expected ${pskBytes * 2} hex digits, got ${hex.length} characters`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
