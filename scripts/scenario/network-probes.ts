/**
 * The probes the network steps run: shell scripts executed in a task's container through
 * its daemon's API (`POST /v1/containers/:id/exec`, no CLI process per attempt), and HTTP
 * requests from the runner's own namespace to a host's address. Each probe is bounded: its
 * `nc` calls time out by themselves, so a probe that is abandoned still ends on its own.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { ApiClient } from '../../src/daemon/api-client.js';
import type { ExecEvent } from '../../src/daemon/api-types.js';

/** `nc -w`: seconds a connect or a silent answer may take. A task answers in milliseconds. */
export const connectTimeoutS = 2;
/** What one request costs at most, for deadlines on a whole probe. */
const requestMsMax = (connectTimeoutS + 1) * 1000;
/** Output kept per probe: a few lines per request. */
const outputBytesMax = 256 * 1024;

/** What an exec printed on stdout and stderr together, and its exit code (null: no exit seen). */
export interface ExecResult {
  code: number | null;
  output: string;
  /** Set when the exec could not be made or its stream broke. */
  error?: string;
}

/** Runs `sh -c script` in the container; resolves within `timeoutMs`, never rejects. */
export async function execScript(stateDir: string, containerId: string, script: string, timeoutMs: number, signal: AbortSignal): Promise<ExecResult> {
  const client = new ApiClient(join(stateDir, 'swarmts.sock'));
  const deadline = AbortSignal.timeout(timeoutMs);
  let output = '';
  let code: number | null = null;
  try {
    const events = client.stream<ExecEvent>('POST', `/v1/containers/${encodeURIComponent(containerId)}/exec`, { args: ['sh', '-c', script], env: [] }, AbortSignal.any([signal, deadline]));
    for await (const event of events) {
      if (event.type === 'output') {
        if (output.length < outputBytesMax) output += Buffer.from(event.data, 'base64').toString('utf8');
      } else {
        code = event.exitCode;
      }
    }
    return { code, output };
  } catch (err) {
    const error = deadline.aborted ? `no exit within ${timeoutMs} ms` : (err as Error).message;
    return { code, output, error };
  }
}

/** A newline in a variable: `${r##*$nl}` is the last line of `$r` in any POSIX shell. */
const lastLineSetup = "nl='\n'";
const httpGet = "printf 'GET / HTTP/1.0\\r\\n\\r\\n'";

/**
 * `count` HTTP requests to `to:port`, one after another; prints `R <nc exit> <last line>`
 * per request. `to` is a checked name or address (network-parsers.ts), safe unquoted.
 */
export function requestsScript(to: string, port: number, count: number): { script: string; timeoutMs: number } {
  const script = `${lastLineSetup}; i=0; while [ $i -lt ${count} ]; do r=$(${httpGet} | nc -w ${connectTimeoutS} ${to} ${port} 2>&1); c=$?; echo "R $c \${r##*$nl}"; i=$((i+1)); done`;
  return { script, timeoutMs: count * requestMsMax + 5000 };
}

/**
 * One request to each address at once; prints `R <address> <nc exit> <last line>` each.
 * Addresses come from the daemon's API as dotted quads.
 */
export function reachScript(addresses: string[], port: number): { script: string; timeoutMs: number } {
  const script = `${lastLineSetup}; for a in ${addresses.join(' ')}; do (r=$(${httpGet} | nc -w ${connectTimeoutS} $a ${port} 2>&1); c=$?; echo "R $a $c \${r##*$nl}") & done; wait`;
  return { script, timeoutMs: requestMsMax + 5000 };
}

/**
 * One `nslookup -type=a` of `name` as an absolute name (a trailing dot): busybox nslookup
 * appends the domain part of the container's hostname to a name without dots, so in a
 * container whose service sets a dotted hostname (`a.b`) `web` would be asked as `web.b.`.
 */
export function lookupScript(name: string): { script: string; timeoutMs: number } {
  const absolute = name.endsWith('.') ? name : `${name}.`;
  return { script: `nslookup -type=a ${absolute} 2>&1`, timeoutMs: 20_000 };
}

/**
 * One HTTP request from this process to `ip:port`: the answer's last line, or why it failed.
 * Resolves within `connectTimeoutS`, never rejects.
 */
export function requestFromRunner(ip: string, port: number, signal: AbortSignal): Promise<{ code: number; body: string }> {
  return new Promise((resolve) => {
    let text = '';
    let settled = false;
    const socket = connect({ host: ip, port });
    const done = (code: number, body: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ code, body });
    };
    const onAbort = () => done(1, 'aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => done(1, `no answer within ${connectTimeoutS} s`), connectTimeoutS * 1000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
    socket.on('data', (d: string) => { if (text.length < outputBytesMax) text += d; });
    socket.on('end', () => done(0, text.trimEnd().split('\n').pop()!.trim()));
    socket.on('error', (err) => done(1, err.message));
  });
}
