/**
 * Reading one host's daemon through its local API (`<state dir>/swarmts.sock`) where the
 * scenario needs an answer the CLI does not print: the orchestration status, a node's id,
 * the task and container lists. JSON in, JSON out, with a deadline; it never throws.
 */
import { request } from 'node:http';
import { join } from 'node:path';

/** An answer kept per request: enough for any task list of a scenario, bounded for a runaway. */
const bodyBytesMax = 4 * 1024 * 1024;

/** The daemon answered (any status), or the request failed (`error` says how). */
export type ApiAnswer =
  | { ok: true; status: number; body: unknown; text: string }
  | { ok: false; error: string };

/** `GET path` on the daemon of `stateDir`; resolves within `timeoutMs`, never rejects. */
export function apiGet(stateDir: string, path: string, timeoutMs: number, signal?: AbortSignal): Promise<ApiAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const deadline = AbortSignal.timeout(timeoutMs);
    const abort = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const fail = (what: string) => resolve({ ok: false, error: deadline.aborted ? `GET ${path}: no answer within ${timeoutMs} ms` : `GET ${path}: ${what}` });
    const req = request({ socketPath: join(stateDir, 'swarmts.sock'), path, method: 'GET', signal: abort }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (text.length < bodyBytesMax) text += d; });
      res.on('error', (err) => fail(err.message));
      res.on('end', () => {
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          return fail(`status ${res.statusCode} after ${Date.now() - started} ms, not JSON: ${JSON.stringify(text.slice(0, 200))}`);
        }
        resolve({ ok: true, status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', (err) => fail(err.message));
    req.end();
  });
}

/** The `{error: {code, message}}` of a failed answer, as one line. */
export function apiErrorText(answer: Extract<ApiAnswer, { ok: true }>): string {
  const err = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return err ? `status ${answer.status} ${String(err.code)}: ${String(err.message)}` : `status ${answer.status}: ${answer.text.slice(0, 200)}`;
}
