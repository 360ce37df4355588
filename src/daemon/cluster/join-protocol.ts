import { SwarmError } from '../../core/errors.js';
import type { NodeRole } from '../../membership/types.js';

/**
 * The admission RPC: a joining node proves its token (an HMAC of its peer id, never the
 * secret) to a manager, which answers with everything membership needs. A manager is also
 * sent the authority key and the join secrets, so it can admit nodes in turn.
 */
export const joinProtocol = '/swarmts/join/1';
/** Managers hand rotated join secrets to each other on this protocol. */
export const joinSecretsProtocol = '/swarmts/join-secrets/1';

export interface JoinRequest {
  proof: Uint8Array;
}

/** What only managers hold: the authority's private key and both roles' join secrets, versioned. */
export interface ManagerSecrets {
  authorityPrivateKey: string;
  joinSecrets: { manager: string; worker: string };
  /** Bumped on every rotation, so the newest set wins when managers exchange them. */
  secretsVersion: number;
}

export interface JoinResponse {
  clusterId: string;
  role: NodeRole;
  certificate: string;
  authorityPublicKey: string;
  /** Members the admitting manager knows alive, to dial first. */
  peers: Array<{ id: string; addresses: string[] }>;
  /** Present when the role is manager. */
  managerSecrets?: ManagerSecrets;
}

function malformed(what: string): SwarmError {
  return new SwarmError('MALFORMED_MESSAGE', `join protocol: ${what}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 4096;

export function decodeJoinRequest(body: unknown): JoinRequest {
  if (!isRecord(body) || !(body['proof'] instanceof Uint8Array) || body['proof'].length !== 32) throw malformed('expected {proof: 32 bytes}');
  return { proof: body['proof'] };
}

export function decodeManagerSecrets(body: unknown): ManagerSecrets {
  if (!isRecord(body) || !isString(body['authorityPrivateKey']) || !isRecord(body['joinSecrets'])) throw malformed('expected manager secrets');
  const secrets = body['joinSecrets'];
  const version = body['secretsVersion'];
  if (!isString(secrets['manager']) || !isString(secrets['worker']) || typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw malformed('expected join secrets {manager, worker} and a secretsVersion');
  }
  return { authorityPrivateKey: body['authorityPrivateKey'], joinSecrets: { manager: secrets['manager'], worker: secrets['worker'] }, secretsVersion: version };
}

export function decodeJoinResponse(body: unknown): JoinResponse {
  if (!isRecord(body)) throw malformed('expected a join response object');
  const { clusterId, role, certificate, authorityPublicKey, peers, managerSecrets } = body;
  if (!isString(clusterId) || (role !== 'manager' && role !== 'worker') || !isString(certificate) || !isString(authorityPublicKey) || !Array.isArray(peers)) {
    throw malformed('expected {clusterId, role, certificate, authorityPublicKey, peers}');
  }
  const decodedPeers = peers.map((peer) => {
    if (!isRecord(peer) || !isString(peer['id']) || !Array.isArray(peer['addresses']) || !peer['addresses'].every(isString)) throw malformed('expected peers [{id, addresses}]');
    return { id: peer['id'], addresses: peer['addresses'] as string[] };
  });
  return {
    clusterId,
    role,
    certificate,
    authorityPublicKey,
    peers: decodedPeers,
    ...(managerSecrets === undefined ? {} : { managerSecrets: decodeManagerSecrets(managerSecrets) }),
  };
}
