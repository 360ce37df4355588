import { request, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { errorMessage, SwarmError, type ErrorCode } from '../core/errors.js';
import type { ApiErrorBody } from './api-types.js';

/**
 * The client side of the local API: JSON requests over the daemon's Unix socket, and
 * ndjson streams read line by line. Failures come back as the daemon's SwarmError.
 */
export class ApiClient {
  constructor(readonly socketPath: string) {}

  /** A JSON request; resolves with the parsed answer. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw toError(text, res.statusCode);
    return (text.length === 0 ? undefined : JSON.parse(text)) as T;
  }

  /** A request answered with ndjson: yields each value; an `{error}` line throws. */
  async *stream<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const res = await this.send(method, path, body, signal);
    if ((res.statusCode ?? 500) >= 400) throw toError(await readAll(res), res.statusCode);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      const value = JSON.parse(line) as T | ApiErrorBody;
      if (typeof value === 'object' && value !== null && 'error' in value) throw toError(line, 500);
      yield value as T;
    }
  }

  /** Sends a byte stream as the body (image import); answers JSON. */
  async upload<T>(path: string, body: Readable): Promise<T> {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method: 'POST', path, headers: { 'content-type': 'application/octet-stream' } }, resolve);
      req.on('error', (err) => reject(this.connectError(err)));
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    });
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw toError(text, res.statusCode);
    return JSON.parse(text) as T;
  }

  private send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      const req = request({ socketPath: this.socketPath, method, path, headers, signal }, resolve);
      req.on('error', (err) => reject(this.connectError(err)));
      req.end(payload);
    });
  }

  private connectError(err: NodeJS.ErrnoException): Error {
    if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
      return new SwarmError('UNAVAILABLE', `cannot reach the swarmts daemon at ${this.socketPath}: is it running? Start it with \`swarmts daemon\` (or pass --state-dir / SWARMTS_STATE_DIR for another one)`);
    }
    if (err.code === 'EACCES') {
      return new SwarmError('PERMISSION_DENIED', `permission denied on ${this.socketPath}: the API socket is root only; run as root`);
    }
    if (err.name === 'AbortError') return err;
    return new SwarmError('UNAVAILABLE', `talking to the daemon at ${this.socketPath} failed: ${errorMessage(err)}`, { cause: err });
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function toError(text: string, status: number | undefined): SwarmError {
  try {
    const body = JSON.parse(text) as ApiErrorBody;
    if (body.error?.code) return new SwarmError(body.error.code as ErrorCode, body.error.message, body.error.details ? { details: body.error.details } : undefined);
  } catch {
    // not our error shape: fall through to a generic error
  }
  return new SwarmError('INTERNAL', `the daemon answered ${status ?? '?'}: ${text.slice(0, 200)}`);
}
