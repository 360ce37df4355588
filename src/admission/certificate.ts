import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { SwarmError } from '../core/errors.js';
import type { NodeRole } from '../membership/types.js';

/**
 * Admission certificates: the cluster authority (an Ed25519 key pair made by `swarmts init`,
 * whose private half only managers hold) signs "peer P is a member of cluster C as role R".
 * A member announces its certificate in its membership metadata; every member checks it
 * with the authority's public key before believing anything the peer says, so a host that
 * has the network key but was never admitted is not heard.
 *
 * Text form: `<base64url msgpack claims>.<base64url signature>`.
 */

export interface CertificateClaims {
  clusterId: string;
  peerId: string;
  role: NodeRole;
  /** Milliseconds since the epoch, on the issuing manager's clock. */
  issuedAtMs: number;
}

const certificateVersion = 1;

/** A new authority key pair, as DER in base64: the public key for every member, the private key for managers. */
export function generateAuthority(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

function privateKeyFrom(base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
}

function publicKeyFrom(base64: string): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', 'the cluster authority public key is not a valid Ed25519 key', { cause: err });
  }
}

export function issueCertificate(authorityPrivateKey: string, claims: CertificateClaims): string {
  const body = pack({ v: certificateVersion, c: claims.clusterId, p: claims.peerId, r: claims.role, t: claims.issuedAtMs });
  const signature = sign(null, body, privateKeyFrom(authorityPrivateKey));
  return `${body.toString('base64url')}.${signature.toString('base64url')}`;
}

function rejected(why: string): SwarmError {
  return new SwarmError('PERMISSION_DENIED', `admission certificate rejected: ${why}`);
}

/** Reads claims without checking the signature: for display only. */
export function readClaims(certificate: string): CertificateClaims {
  const [body] = certificate.split('.');
  let value: unknown;
  try {
    value = unpack(Buffer.from(body ?? '', 'base64url'));
  } catch {
    throw rejected('not a certificate');
  }
  if (typeof value !== 'object' || value === null) throw rejected('not a certificate');
  const { v, c, p, r, t } = value as Record<string, unknown>;
  if (v !== certificateVersion) throw rejected(`version ${String(v)} is not ${certificateVersion}`);
  if (typeof c !== 'string' || typeof p !== 'string' || (r !== 'manager' && r !== 'worker') || typeof t !== 'number') {
    throw rejected('malformed claims');
  }
  return { clusterId: c, peerId: p, role: r, issuedAtMs: t };
}

/**
 * Checks certificates against one cluster's authority. Results are cached by certificate
 * text (a member's certificate changes only with its role), so gossip costs one signature
 * check per certificate.
 */
export class CertificateVerifier {
  private readonly publicKey: KeyObject;
  private readonly verified = new Map<string, CertificateClaims>();

  constructor(authorityPublicKey: string, private readonly clusterId: string) {
    this.publicKey = publicKeyFrom(authorityPublicKey);
  }

  /** The claims of a certificate for `peerId`; PERMISSION_DENIED saying why when it is not valid. */
  verify(certificate: string, peerId: string): CertificateClaims {
    let claims = this.verified.get(certificate);
    if (claims === undefined) {
      const [body, signature, extra] = certificate.split('.');
      if (body === undefined || signature === undefined || extra !== undefined) throw rejected('not a certificate');
      if (!verify(null, Buffer.from(body, 'base64url'), this.publicKey, Buffer.from(signature, 'base64url'))) {
        throw rejected('the signature is not the cluster authority\'s');
      }
      claims = readClaims(certificate);
      if (claims.clusterId !== this.clusterId) throw rejected(`issued for cluster ${claims.clusterId}, not ${this.clusterId}`);
      this.verified.set(certificate, claims);
    }
    if (claims.peerId !== peerId) throw rejected(`issued to ${claims.peerId}, presented by ${peerId}`);
    return claims;
  }
}
