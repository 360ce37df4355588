import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage, isSwarmError, SwarmError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { apiVersion } from './api-types.js';

/**
 * A small router for the local API: `GET /v1/containers/:id` style patterns, JSON in and
 * out, and handlers that may answer with a stream of values sent as newline-delimited JSON.
 */

/** The largest JSON request body accepted (a container spec is a few KiB). */
export const jsonBodyBytesMax = 1024 * 1024;

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, or undefined when there was none. Not read for raw routes. */
  body: unknown;
  /** The raw request, for routes that take a byte stream (image import). */
  raw: IncomingMessage;
  /** Aborted when the client goes away: streaming handlers stop then. */
  signal: AbortSignal;
}

/** A handler answers with a JSON value, or a stream of JSON values (sent as ndjson). */
export type RouteResult = unknown | { stream: AsyncIterable<unknown> };
export type RouteHandler = (request: RouteRequest) => Promise<RouteResult>;

interface Route {
  method: string;
  parts: string[];
  rawBody: boolean;
  handler: RouteHandler;
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  MALFORMED_MESSAGE: 400,
  STACK_INVALID: 400,
  DIGEST_MISMATCH: 502,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  CONTAINER_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  CONTAINER_NOT_RUNNING: 409,
  NOT_LEADER: 421,
  REGISTRY_ERROR: 502,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  NO_QUORUM: 503,
};

/** Marks a handler's answer as a stream. */
export function stream(values: AsyncIterable<unknown>): { stream: AsyncIterable<unknown> } {
  return { stream: values };
}

function isStream(result: unknown): result is { stream: AsyncIterable<unknown> } {
  return typeof result === 'object' && result !== null && 'stream' in result && Symbol.asyncIterator in Object((result as { stream: unknown }).stream);
}

export class HttpRouter {
  private readonly routes: Route[] = [];

  constructor(private readonly log: Logger) {}

  /** Registers a JSON route. `pattern` segments starting with ':' are parameters. */
  on(method: string, pattern: string, handler: RouteHandler, options: { rawBody?: boolean } = {}): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), rawBody: options.rawBody ?? false, handler });
    return this;
  }

  /** The request listener for node:http. Never throws: every failure becomes an error body. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((err) => this.log.error('api handler crashed', { error: errorMessage(err) }));
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://swarmts');
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    try {
      const match = this.match(req.method ?? 'GET', url.pathname);
      const body = match.route.rawBody ? undefined : await readJsonBody(req);
      const result = await match.route.handler({ params: match.params, query: url.searchParams, body, raw: req, signal: controller.signal });
      if (isStream(result)) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        for await (const value of result.stream) {
          if (!res.write(JSON.stringify(value) + '\n')) await new Promise((r) => res.once('drain', r));
          if (controller.signal.aborted) break;
        }
        res.end();
        return;
      }
      const text = JSON.stringify(result ?? null);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      this.sendError(res, err, `${req.method} ${url.pathname}`);
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = parts[i]!), true) : p === parts[i]));
      if (!ok) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    throw pathMatched
      ? new SwarmError('INVALID_ARGUMENT', `method ${method} is not allowed on ${path}`)
      : new SwarmError('NOT_FOUND', `no API endpoint ${path} (API version ${apiVersion}); is the CLI newer than the daemon?`);
  }

  private sendError(res: ServerResponse, err: unknown, what: string): void {
    const error = isSwarmError(err) ? err : new SwarmError('INTERNAL', `internal error in ${what}: ${errorMessage(err)}`);
    if (error.code === 'INTERNAL') this.log.error('api request failed', { request: what, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    if (res.headersSent) {
      // A stream already started: the last line carries the error instead.
      res.end(JSON.stringify({ error: error.toJSON() }) + '\n');
      return;
    }
    const text = JSON.stringify({ error: error.toJSON() });
    res.writeHead(statusByCode[error.code] ?? 500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > jsonBodyBytesMax) throw new SwarmError('INVALID_ARGUMENT', `request body over ${jsonBodyBytesMax} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new SwarmError('MALFORMED_MESSAGE', `request body is not valid JSON: ${errorMessage(err)}`);
  }
}
