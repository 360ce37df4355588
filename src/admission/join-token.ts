import { randomBytes } from 'node:crypto';
import { SwarmError } from '../core/errors.js';
import type { NodeRole } from '../membership/types.js';

/**
 * Join tokens, shaped like Docker Swarm's: `SWMTKN-1-<key>-<secret>`. The key is the
 * cluster's pre-shared key (without it a host cannot even open a connection: pnet); the
 * secret is the role's, and proves the right to be admitted in that role (join-proof.ts).
 * Rotating a role's token changes only its secret, so members keep their connections.
 */

/** What a join token carries. */
export interface JoinToken {
  /** The cluster's 32-byte pre-shared key. */
  psk: Uint8Array;
  /** The role's 16-byte admission secret. */
  secret: Uint8Array;
}

const prefix = 'SWMTKN-1-';
const pskHexChars = 64;
const secretBytes = 16;
const secretHexChars = secretBytes * 2;
const tokenPattern = new RegExp(`^${prefix}([0-9a-f]{${pskHexChars}})-([0-9a-f]{${secretHexChars}})$`);

/** A fresh random admission secret for one role. */
export function generateJoinSecret(): Uint8Array {
  return new Uint8Array(randomBytes(secretBytes));
}

export function formatJoinToken(token: JoinToken): string {
  return `${prefix}${Buffer.from(token.psk).toString('hex')}-${Buffer.from(token.secret).toString('hex')}`;
}

/** Parses a token; INVALID_ARGUMENT saying what is wrong and where a good one comes from. */
export function parseJoinToken(text: string): JoinToken {
  const trimmed = text.trim();
  const match = tokenPattern.exec(trimmed);
  if (match === null) {
    const shape = trimmed.startsWith(prefix) ? 'its parts have the wrong length or characters' : `it does not start with ${prefix}`;
    throw new SwarmError(
      'INVALID_ARGUMENT',
      `the join token is malformed (${shape}): expected ${prefix}<${pskHexChars} hex digits>-<${secretHexChars} hex digits>; ` +
        'print a valid one with `swarmts join-token worker` (or `manager`) on a manager',
    );
  }
  return { psk: new Uint8Array(Buffer.from(match[1]!, 'hex')), secret: new Uint8Array(Buffer.from(match[2]!, 'hex')) };
}

/** The admission secrets of both roles, as a manager keeps them. */
export type JoinSecrets = Readonly<Record<NodeRole, Uint8Array>>;
