import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NodeRole } from '../membership/types.js';
import type { JoinSecrets } from './join-token.js';

/**
 * The proof a joining node sends instead of its token's secret: an HMAC of its own peer id
 * under the secret. The connection it travels on is authenticated (noise) as that peer id,
 * so a proof overheard or replayed cannot admit any other node, and the secret itself
 * never crosses the wire.
 */

const context = 'swarmts-join-proof/1\n';

export function joinProof(secret: Uint8Array, peerId: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(context + peerId).digest());
}

/** The role whose secret made `proof` for `peerId`, or undefined when neither did. */
export function roleProvenBy(secrets: JoinSecrets, peerId: string, proof: Uint8Array): NodeRole | undefined {
  for (const role of ['manager', 'worker'] as const) {
    const expected = joinProof(secrets[role], peerId);
    if (proof.length === expected.length && timingSafeEqual(proof, expected)) return role;
  }
  return undefined;
}
