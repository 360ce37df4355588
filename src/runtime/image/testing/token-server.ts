import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../core/run-command.js';

/**
 * A Docker-style token service for tests (the real protocol, a small implementation): it
 * checks basic credentials and returns an ES256 JWT granting the requested repository scope,
 * signed with a throwaway certificate the registry is told to trust (`rootCertBundlePath`).
 * Needs the `openssl` command to make the certificate.
 */
export interface TestTokenServer {
  /** Pass to `startRegistry({ tokenAuth })`. */
  registryAuth: { realm: string; service: string; issuer: string; rootCertBundlePath: string };
  /** Tokens issued so far. */
  issued(): number;
  stop(): Promise<void>;
}

const tokenLifetimeS = 300;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function jwt(key: KeyObject, certDerBase64: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDerBase64] }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${base64url(signature)}`;
}

/** Starts a token service that accepts only `credentials`. */
export async function startTokenServer(credentials: { username: string; password: string }): Promise<TestTokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmts-token-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=swarmts-test-token'], {
    what: 'making the test token certificate (apt package openssl)',
  });
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = (await readFile(certPath, 'utf8')).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const service = 'swarmts-test-registry';
  const issuer = 'swarmts-test-token-issuer';
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  let issued = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'wrong or missing credentials' }));
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type === 'repository' && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const nowS = Math.floor(Date.now() / 1000);
    const token = jwt(key, certDer, {
      iss: issuer, sub: credentials.username, aud: url.searchParams.get('service') ?? service,
      exp: nowS + tokenLifetimeS, nbf: nowS - 10, iat: nowS, jti: randomBytes(8).toString('hex'), access,
    });
    issued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: tokenLifetimeS }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    registryAuth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundlePath: certPath },
    issued: () => issued,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
