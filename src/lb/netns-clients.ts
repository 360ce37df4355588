/**
 * Clients for the load-balancer tests, run as Node processes inside a test namespace: a
 * sequence of HTTP requests each on a new connection, one kept-alive connection whose second
 * request is sent on command, and a sequence of UDP exchanges. Every exchange is bounded by `exchangeTimeoutMs`.
 */
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestNetwork } from './netns-fixture.js';

/** Longest one request may take before it counts as "timeout" (a hang). */
export const exchangeTimeoutMs = 3000;

const sequenceClient = `
const [host, port, count, timeoutMs] = process.argv.slice(1);
const net = require('net');
function ask() {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    let text = '';
    socket.setTimeout(Number(timeoutMs), () => { socket.destroy(); resolve('timeout'); });
    socket.on('connect', () => socket.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'));
    socket.on('data', (d) => { text += d; });
    socket.on('error', (e) => resolve(e.code));
    socket.on('close', () => resolve(text.split('\\r\\n\\r\\n')[1] ?? 'closed'));
  });
}
(async () => { const out = []; for (let i = 0; i < Number(count); i++) out.push(await ask()); console.log(JSON.stringify(out)); })();`;

/** `count` requests to host:port from `ns`, one connection each: each body, or an error code / "timeout". */
export function httpSequence(ns: string, host: string, port: number, count: number): string[] {
  const result = spawnSync('ip', ['netns', 'exec', ns, 'node', '-e', sequenceClient, host, String(port), String(count), String(exchangeTimeoutMs)],
    { encoding: 'utf8', timeout: count * exchangeTimeoutMs + 10_000 });
  if (result.status !== 0) throw new Error(`http client in ${ns} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

const heldClient = `
const [host, port, timeoutMs] = process.argv.slice(1);
const socket = require('net').connect(Number(port), host);
const request = 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n';
let waiting;
let done = false;
const report = (outcome) => {
  if (done) return;
  if (waiting === undefined) { done = true; console.log('early-' + outcome); return; }
  clearTimeout(waiting); waiting = undefined; console.log(outcome);
};
const ask = () => { waiting = setTimeout(() => report('timeout'), Number(timeoutMs)); socket.write(request); };
socket.on('connect', ask);
socket.on('data', (d) => report(String(d).split('\\r\\n\\r\\n')[1]));
socket.on('error', (e) => report(e.code));
socket.on('close', () => { report('closed'); process.exit(0); });
process.stdin.on('data', ask);`;

/**
 * One kept-alive connection: `first` is the first answer; `again()` sends a second request and
 * gives its outcome: a body, an error code, "closed", "timeout", or "early-…" when the
 * connection ended before the second request.
 */
export interface HeldConnection {
  first: string;
  again(): Promise<string>;
}

/** Opens a kept-alive connection from `ns` and makes its first request. */
export async function holdConnection(network: TestNetwork, ns: string, host: string, port: number): Promise<HeldConnection> {
  const child = network.start(ns, ['node', '-e', heldClient, host, String(port), String(exchangeTimeoutMs)]);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => ((await lines.next()).value as string | undefined) ?? 'exited';
  child.stdin!.on('error', () => {});
  const first = await nextLine();
  return {
    first,
    again: async () => {
      child.stdin!.write('\n');
      return nextLine();
    },
  };
}

const udpClient = `
const [host, port, count, timeoutMs] = process.argv.slice(1);
const dgram = require('dgram');
function ask() {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => { socket.close(); resolve('timeout'); }, Number(timeoutMs));
    socket.on('message', (m) => { clearTimeout(timer); socket.close(); resolve(String(m)); });
    socket.on('error', (e) => { clearTimeout(timer); socket.close(); resolve(e.code); });
    socket.send('who', Number(port), host);
  });
}
(async () => { const out = []; for (let i = 0; i < Number(count); i++) out.push(await ask()); console.log(JSON.stringify(out)); })();`;

/** `count` datagrams to host:port from `ns`, each from a new socket (a new flow): each reply, or "timeout". */
export function udpSequence(ns: string, host: string, port: number, count: number): string[] {
  const result = spawnSync('ip', ['netns', 'exec', ns, 'node', '-e', udpClient, host, String(port), String(count), String(exchangeTimeoutMs)],
    { encoding: 'utf8', timeout: count * exchangeTimeoutMs + 10_000 });
  if (result.status !== 0) throw new Error(`udp client in ${ns} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}
