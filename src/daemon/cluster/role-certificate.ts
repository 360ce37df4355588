import { SwarmError } from '../../core/errors.js';
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
