import type { CertificateClaims } from '../../admission/certificate.js';
import { SwarmError } from '../../core/errors.js';
import type { NodeRole } from '../../membership/types.js';
import { decodeManagerSecrets, type ManagerSecrets } from './join-protocol.js';

/**
 * A manager hands a node the certificate of its new role (`node promote` / `demote`) on this
 * protocol. Only a peer whose own certificate makes it a manager may send one, and only a
 * certificate issued to the receiving node, newer than the one it holds, is taken.
 */
export const roleCertificateProtocol = '/swarmts/role-certificate/1';

/** How long a node may take to save the certificate and switch its role before the manager gives up (and tries again). */
export const roleCertificateTimeoutMs = 30_000;

export interface RoleCertificate {
  certificate: string;
  /** Present for the manager role: a manager admits nodes and issues certificates in turn. */
  managerSecrets?: ManagerSecrets;
}

export function decodeRoleCertificate(body: unknown): RoleCertificate {
  const value = body as { certificate?: unknown; managerSecrets?: unknown } | null;
  if (typeof value !== 'object' || value === null || typeof value.certificate !== 'string' || value.certificate.length === 0 || value.certificate.length > 4096) {
    throw new SwarmError('MALFORMED_MESSAGE', `${roleCertificateProtocol}: expected {certificate[, managerSecrets]}`);
  }
  return {
    certificate: value.certificate,
    ...(value.managerSecrets === undefined ? {} : { managerSecrets: decodeManagerSecrets(value.managerSecrets) }),
  };
}

/** What `judgeRoleCertificate` looks at. */
export interface RoleCertificateInput {
  from: string;
  /** The sender's role as its own certificate grants it (MemberGate.roleOf); undefined for a stranger. */
  senderRole: NodeRole | undefined;
  /** The claims of the certificate handed over, already verified as the authority's and issued to this node. */
  claims: CertificateClaims;
  /** The claims of the certificate this node holds. */
  current: CertificateClaims;
  withManagerSecrets: boolean;
}

/**
 * Whether a node takes a certificate handed to it: `take` (switch to its role), `ignore`
 * (it runs that role already: another manager, a new leader, may hand it over twice), or a
 * SwarmError saying why not. Pure.
 */
export function judgeRoleCertificate({ from, senderRole, claims, current, withManagerSecrets }: RoleCertificateInput): 'take' | 'ignore' {
  if (senderRole !== 'manager') throw new SwarmError('PERMISSION_DENIED', `${from} is not a manager of this cluster: only managers hand out certificates`);
  if (claims.role === current.role) return 'ignore';
  if (claims.issuedAtMs < current.issuedAtMs) {
    throw new SwarmError('CONFLICT', `the ${claims.role} certificate from ${from} is older than this node's ${current.role} certificate: a later role change wins; check \`swarmts node ls\``);
  }
  if (claims.role === 'manager' && !withManagerSecrets) {
    throw new SwarmError('MALFORMED_MESSAGE', `${roleCertificateProtocol}: a manager certificate needs the manager secrets with it`);
  }
  return 'take';
}
