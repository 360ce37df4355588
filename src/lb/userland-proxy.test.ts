/**
 * The userland proxy on loopback: VIPs in 127.0.0.0/8 (LoopbackVips), backends on other
 * loopback addresses answering their own name. No namespaces, no root needed.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../core/logger.js';
import type { LbView } from './lb-view.js';
import { defaultProxyConfig } from './proxy-config.js';
import { backends, port, testService } from './test-views.js';
import { UserlandBalancer } from './userland-proxy.js';
import { LoopbackVips } from './vip-addresses.js';

const vip = '127.0.0.5';
const names = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
/** Longest any single exchange may take before the test fails instead of hanging. */
const exchangeTimeoutMs = 3000;

/** TCP servers on each address at one shared port, writing their address then closing (or holding on). */
async function tcpBackends(addresses: string[], hold = false): Promise<{ port: number; close: () => void }> {
  const servers: net.Server[] = [];
  let shared = 0;
  for (const address of addresses) {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      if (hold) socket.write(`${address}\n`);
      else socket.end(`${address}\n`);
    });
    await new Promise<void>((resolve) => server.listen(shared, address, resolve));
    shared = (server.address() as net.AddressInfo).port;
    servers.push(server);
  }
  return { port: shared, close: () => servers.forEach((s) => { s.close(); }) };
}

function tcpAsk(host: string, portNumber: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(portNumber, host);
    let text = '';
    socket.setTimeout(exchangeTimeoutMs, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk) => { text += chunk.toString(); });
    socket.on('end', () => resolve(text.trim()));
    socket.on('error', reject);
  });
}

const vipView = (targetPort: number, ips: string[], protocol: 'tcp' | 'udp' = 'tcp'): LbView => ({
  services: [testService({ vip, ports: [port(targetPort, undefined, { protocol })], backends: backends(ips) })],
});

async function withBalancer(run: (lb: UserlandBalancer) => Promise<void>): Promise<void> {
  const lb = new UserlandBalancer(silentLogger(), { ...defaultProxyConfig(), connectTimeoutMs: 500 }, new LoopbackVips());
  try {
    await run(lb);
  } finally {
    await lb.close();
  }
}

test('thirty TCP connections to the VIP reach each backend ten times, in turn', async () => {
  const servers = await tcpBackends(names);
  await withBalancer(async (lb) => {
    await lb.update(vipView(servers.port, names));
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await tcpAsk(vip, servers.port));
    assert.equal(answers, Array.from({ length: 10 }, () => names).flat());
  }).finally(servers.close);
});

test('a backend that refuses connections is skipped for the next one', async () => {
  const servers = await tcpBackends([names[0]!, names[2]!]);
  await withBalancer(async (lb) => {
    await lb.update(vipView(servers.port, names));
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await tcpAsk(vip, servers.port));
    const [a, , c] = names;
    assert.equal(answers, [a, c, c, a, c, c]);
  }).finally(servers.close);
});

test('removing a backend resets its open connections and takes it out of rotation', async () => {
  const servers = await tcpBackends(names, true);
  await withBalancer(async (lb) => {
    await lb.update(vipView(servers.port, names));
    const held = net.connect(servers.port, vip);
    held.on('error', () => {});
    const first = await new Promise<string>((resolve) => held.once('data', (d) => resolve(d.toString().trim())));
    assert.is(first, names[0]);
    const closed = new Promise<boolean>((resolve) => {
      held.once('close', () => resolve(true));
      setTimeout(() => resolve(false), exchangeTimeoutMs);
    });
    await lb.update(vipView(servers.port, names.slice(1)));
    assert.ok(await closed, 'the connection to the removed backend was not closed');
    await lb.update(vipView(servers.port, [names[1]!]));
    const again = net.connect(servers.port, vip);
    const answer = await new Promise<string>((resolve) => again.once('data', (d) => resolve(d.toString().trim())));
    again.destroy();
    assert.is(answer, names[1]);
  }).finally(servers.close);
});

test('a VIP without backends refuses connections', async () => {
  const servers = await tcpBackends(names);
  await withBalancer(async (lb) => {
    await lb.update(vipView(servers.port, names));
    await lb.update(vipView(servers.port, []));
    const error = await tcpAsk(vip, servers.port).then(() => undefined, (err: NodeJS.ErrnoException) => err.code);
    assert.is(error, 'ECONNREFUSED');
  }).finally(servers.close);
});

test('each new UDP client goes to the next backend, and its replies come back', async () => {
  const sockets: dgram.Socket[] = [];
  let shared = 0;
  for (const address of names) {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (_message, from) => socket.send(address, from.port, from.address));
    await new Promise<void>((resolve) => socket.bind(shared, address, resolve));
    shared = socket.address().port;
    sockets.push(socket);
  }
  await withBalancer(async (lb) => {
    await lb.update(vipView(shared, names, 'udp'));
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const client = dgram.createSocket('udp4');
      answers.push(await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no UDP reply')), exchangeTimeoutMs);
        client.once('message', (reply) => { clearTimeout(timer); resolve(reply.toString()); });
        client.send('who', shared, vip);
      }).finally(() => client.close()));
    }
    assert.equal(answers, [...names, ...names]);
  }).finally(() => sockets.forEach((s) => s.close()));
});

test.run();
