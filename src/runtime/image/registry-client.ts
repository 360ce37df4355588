import { SwarmError } from '../../core/errors.js';
import { basicAuthorization, fetchToken, parseChallenge, type RegistryCredentials } from './registry-auth.js';
import type { RegistryConfig } from './registry-config.js';

/**
 * One registry's distribution v2 API over Node's fetch: picks http for loopback and
 * insecure registries (https otherwise), answers auth challenges (bearer tokens per
 * repository scope, or basic), and turns transport failures into REGISTRY_ERROR that say
 * what to check.
 */

/** One request to the registry. */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  /** Path under the registry root (`/v2/…`) or an absolute URL the registry gave (upload locations). */
  path: string;
  /** The repository, for the token scope. */
  repository: string;
  /** `pull`, or `pull,push` for uploads. */
  actions: 'pull' | 'pull,push';
  headers?: Record<string, string>;
  /** Strings and buffers can be resent after an auth challenge; a stream cannot (call `authorize` first). */
  body?: string | Buffer | AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
}

const loopbackHost = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/** The docker.io API host: Docker Hub answers the v2 API on registry-1. */
function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export class RegistryClient {
  readonly baseUrl: string;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly authorizations = new Map<string, string>();

  constructor(readonly registry: string, private readonly config: RegistryConfig, private readonly doFetch: typeof fetch = fetch) {
    const insecure = loopbackHost.test(registry) || config.insecureRegistries.includes(registry);
    this.baseUrl = `${insecure ? 'http' : 'https'}://${apiHost(registry)}`;
    this.credentials = config.credentials[registry];
  }

  private scopeOf(req: Pick<RegistryRequest, 'repository' | 'actions'>): string {
    return `repository:${req.repository}:${req.actions}`;
  }

  /** Sends a request, answering one auth challenge if the body can be resent. */
  async send(req: RegistryRequest): Promise<Response> {
    const scope = this.scopeOf(req);
    const first = await this.sendOnce(req, this.authorizations.get(scope));
    if (first.status !== 401) return first;
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    await first.body?.cancel();
    if (!replayable) throw this.authFailed(req, 'the registry wants authentication for an upload already under way');
    const authorization = await this.answerChallenge(first, req);
    this.authorizations.set(scope, authorization);
    const second = await this.sendOnce(req, authorization);
    if (second.status === 401) {
      await second.body?.cancel();
      const why = this.credentials ? `it refused the credentials of user ${this.credentials.username}` : 'it needs credentials and none are configured for it';
      throw this.authFailed(req, `${why} (registries answer so for a repository that does not exist, too: check the name)`);
    }
    return second;
  }

  /** Gets (and caches) authorization for a scope before a streamed upload. */
  async authorize(repository: string, actions: RegistryRequest['actions'], signal?: AbortSignal): Promise<void> {
    const response = await this.send({ method: 'GET', path: '/v2/', repository, actions, ...(signal ? { signal } : {}) });
    await response.body?.cancel();
  }

  private authFailed(req: RegistryRequest, why: string): SwarmError {
    return new SwarmError('PERMISSION_DENIED', `authentication to registry ${this.registry} for ${req.repository} failed: ${why}`, {
      details: { registry: this.registry, repository: req.repository },
    });
  }

  private async answerChallenge(response: Response, req: RegistryRequest): Promise<string> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (!challenge) throw this.authFailed(req, `it answered 401 without a challenge we understand (${response.headers.get('www-authenticate') ?? 'none'})`);
    if (challenge.scheme === 'basic') {
      if (!this.credentials) throw this.authFailed(req, 'it needs a user name and password and none are configured for it');
      return basicAuthorization(this.credentials);
    }
    const token = await fetchToken(challenge, this.scopeOf(req), this.credentials, this.registry, this.doFetch, req.signal);
    return `Bearer ${token}`;
  }

  private async sendOnce(req: RegistryRequest, authorization: string | undefined): Promise<Response> {
    const url = /^https?:\/\//.test(req.path) ? req.path : `${this.baseUrl}${req.path}`;
    const headers: Record<string, string> = { ...req.headers };
    if (authorization !== undefined) headers['authorization'] = authorization;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.config.responseTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, signal, redirect: 'follow' };
    if (req.body !== undefined) {
      init.body = req.body as NonNullable<RequestInit['body']>;
      if (typeof req.body !== 'string' && !Buffer.isBuffer(req.body)) init.duplex = 'half';
    }
    try {
      return await this.doFetch(url, init);
    } catch (err) {
      if (req.signal?.aborted) throw new SwarmError('UNAVAILABLE', `request to registry ${this.registry} was cancelled`, { cause: err });
      if (timeout.signal.aborted) {
        throw new SwarmError('REGISTRY_ERROR', `registry ${this.registry} did not answer ${req.method} ${new URL(url).pathname} within ${this.config.responseTimeoutMs} ms; check that it is up and not overloaded`, { cause: err, details: { registry: this.registry } });
      }
      throw this.unreachable(url, err);
    } finally {
      clearTimeout(timer);
    }
  }

  private unreachable(url: string, err: unknown): SwarmError {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (err as Error).message;
    const hint = url.startsWith('https')
      ? `check the address, that the registry runs and that it serves HTTPS with a certificate this machine trusts; a plain-HTTP registry must be listed in insecureRegistries`
      : `check the address and that the registry runs and listens there`;
    return new SwarmError('REGISTRY_ERROR', `registry ${this.registry} is unreachable at ${new URL(url).origin} (${code}): ${hint}`, {
      cause: err, details: { registry: this.registry, url },
    });
  }
}

/** The registry's error text from a failed response: its JSON `errors`, or the start of the body. */
export async function registryErrorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) return doc.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 200) || `HTTP ${response.status}`;
}
