import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fake registry fronts for tests, named for how they misbehave. Each forwards every request
 * to a real registry, except blob downloads (GET /v2/<repo>/blobs/<digest>):
 * - TamperingRegistryProxy flips one byte in the blob body, as a corrupt mirror or a man in
 *   the middle would. Sizes stay the same, so only the digest check can catch it.
 * - RedirectingRegistryProxy answers 307 with the real registry's URL, as registries that
 *   serve blobs from object storage do.
 */
export interface RegistryProxy {
  /** `127.0.0.1:<port>` to pull from instead of the real registry. */
  host: string;
  /** Blob downloads tampered with or redirected so far. */
  blobRequests(): number;
  stop(): Promise<void>;
}

const blobPath = /^\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/;

type BlobHandler = (req: IncomingMessage, res: ServerResponse, upstreamUrl: string) => Promise<boolean>;

async function forward(req: IncomingMessage, res: ServerResponse, upstreamUrl: string, transform: (body: Buffer) => Buffer = (b) => b): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
  const upstream = await fetch(upstreamUrl, { method: req.method ?? 'GET', headers, redirect: 'follow' });
  const body = transform(Buffer.from(await upstream.arrayBuffer()));
  const out: Record<string, string> = {};
  upstream.headers.forEach((v, k) => { if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') out[k] = v; });
  res.writeHead(upstream.status, { ...out, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function startProxy(upstreamHost: string, onBlob: BlobHandler): Promise<RegistryProxy> {
  let blobRequests = 0;
  const server = createServer((req, res) => {
    const upstreamUrl = `http://${upstreamHost}${req.url}`;
    void (async () => {
      if (req.method === 'GET' && blobPath.test(req.url ?? '') && (await onBlob(req, res, upstreamUrl))) {
        blobRequests++;
        return;
      }
      await forward(req, res, upstreamUrl);
    })().catch((err: Error) => {
      res.writeHead(502);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    blobRequests: () => blobRequests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Starts a TamperingRegistryProxy in front of the registry at `upstreamHost`. */
export function startTamperingRegistryProxy(upstreamHost: string): Promise<RegistryProxy> {
  return startProxy(upstreamHost, async (req, res, upstreamUrl) => {
    await forward(req, res, upstreamUrl, (body) => {
      if (body.length === 0) return body;
      const copy = Buffer.from(body);
      const at = Math.floor(copy.length / 2);
      copy[at] = copy[at]! ^ 0xff;
      return copy;
    });
    return true;
  });
}

/** Starts a RedirectingRegistryProxy in front of the registry at `upstreamHost`. */
export function startRedirectingRegistryProxy(upstreamHost: string): Promise<RegistryProxy> {
  return startProxy(upstreamHost, async (_req, res, upstreamUrl) => {
    res.writeHead(307, { location: upstreamUrl, 'content-length': '0' });
    res.end();
    return true;
  });
}
