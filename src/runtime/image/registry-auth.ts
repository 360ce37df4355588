import { SwarmError } from '../../core/errors.js';

/**
 * Registry authentication: parsing `WWW-Authenticate` challenges and fetching bearer tokens
 * from the token endpoint they name (the Docker token protocol), with optional basic
 * credentials. The client caches the Authorization header per scope.
 */

/** Credentials for one registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`; undefined if neither. */
export function parseChallenge(header: string | null): AuthChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  const paramPattern = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const m of match[2]!.matchAll(paramPattern)) params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme, params };
}

/** The `Authorization` value for basic credentials. */
export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** Largest token response we read: tokens are a few KiB. */
const tokenResponseBytesMax = 1024 * 1024;

/**
 * Fetches a bearer token for `scope` from the challenge's realm. PERMISSION_DENIED when the
 * token service refuses the credentials (or wants some and has none).
 */
export async function fetchToken(
  challenge: AuthChallenge,
  scope: string,
  credentials: RegistryCredentials | undefined,
  registryHost: string,
  doFetch: typeof fetch,
  signal: AbortSignal | undefined,
): Promise<string> {
  const realm = challenge.params['realm'];
  if (!realm) throw new SwarmError('REGISTRY_ERROR', `registry ${registryHost} asked for a bearer token but named no realm to get it from`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch (err) {
    throw new SwarmError('REGISTRY_ERROR', `registry ${registryHost} named an invalid token realm ${JSON.stringify(realm)}`, { cause: err });
  }
  if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
  url.searchParams.set('scope', scope);
  const headers: Record<string, string> = {};
  if (credentials) {
    headers['authorization'] = basicAuthorization(credentials);
    url.searchParams.set('account', credentials.username);
  }
  let response: Response;
  try {
    response = await doFetch(url, { headers, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new SwarmError('REGISTRY_ERROR', `the token service ${url.host} of registry ${registryHost} is unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new SwarmError('PERMISSION_DENIED', `authentication to registry ${registryHost} failed: the token service ${url.host} refused ${credentials ? `the credentials of user ${credentials.username}` : 'anonymous access; give credentials for this registry'}`, {
      details: { registry: registryHost },
    });
  }
  const text = await response.text();
  if (!response.ok) throw new SwarmError('REGISTRY_ERROR', `the token service ${url.host} answered ${response.status}: ${text.slice(0, 200)}`);
  if (text.length > tokenResponseBytesMax) throw new SwarmError('REGISTRY_ERROR', `the token service ${url.host} sent an oversized answer`);
  let doc: { token?: unknown; access_token?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new SwarmError('REGISTRY_ERROR', `the token service ${url.host} sent something that is not JSON`, { cause: err });
  }
  const token = typeof doc.token === 'string' ? doc.token : doc.access_token;
  if (typeof token !== 'string' || token === '') throw new SwarmError('REGISTRY_ERROR', `the token service ${url.host} sent no token`);
  return token;
}
