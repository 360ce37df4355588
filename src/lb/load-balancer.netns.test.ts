/**
 * The load balancer for real, in both modes: a node namespace with a bridge, three backend
 * namespaces running HTTP servers that answer their name, a client on the bridge and one
 * outside. The balancer runs in the node namespace (lb-stdio-host). Needs root, nft,
 * conntrack; skips with a message when not root.
 */
import { createInterface } from 'node:readline';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LbView } from './lb-view.js';
import { holdConnection, httpSequence, udpSequence } from './netns-clients.js';
import { sh, siblingScript, testNet, TestNetwork } from './netns-fixture.js';
import { backends, port, testService } from './test-views.js';

const names = ['b1', 'b2', 'b3'];
const publishedPort = 8080;

const view = (ips: readonly string[]): LbView => ({
  node: { subnet: testNet.subnet, gateway: testNet.gateway },
  services: [testService({
    vip: testNet.vip,
    ports: [port(80, publishedPort), port(5353, undefined, { protocol: 'udp' })],
    backends: backends([...ips]),
  })],
});

/** A LoadBalancer in the node namespace, fed views over stdin. */
async function startBalancer(network: TestNetwork, mode: 'nftables' | 'userland') {
  const child = network.start(network.node, [...siblingScript('lb-stdio-host'), mode]);
  const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    update: async (next: LbView) => {
      child.stdin!.write(JSON.stringify(next) + '\n');
      const reply = JSON.parse(((await replies.next()).value as string | undefined) ?? '{"ok":false,"error":"lb host exited"}');
      assert.ok(reply.ok, `update failed: ${reply.error}`);
    },
    close: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.stdin!.end(); }),
  };
}

const count = (answers: string[]) => Object.fromEntries([...new Set(answers)].sort().map((a) => [a, answers.filter((x) => x === a).length]));

async function checkMode(mode: 'nftables' | 'userland'): Promise<void> {
  const network = new TestNetwork(`lb${process.pid}${mode[0]}`);
  try {
    await network.create();
    const lb = await startBalancer(network, mode);
    await lb.update(view(testNet.backends));

    const thirty = httpSequence(network.client, testNet.vip, 80, 30);
    assert.equal(thirty, Array.from({ length: 10 }, () => names).flat(), `${mode}: VIP round-robin`);

    assert.equal(udpSequence(network.client, testNet.vip, 5353, 6), [...names, ...names], `${mode}: UDP VIP round-robin`);

    const outside = httpSequence(network.outside, testNet.nodeOutside, publishedPort, 3);
    assert.equal(count(outside), { b1: 1, b2: 1, b3: 1 }, `${mode}: published port from outside`);
    const fromNode = httpSequence(network.node, '127.0.0.1', publishedPort, 3);
    assert.equal(count(fromNode), { b1: 1, b2: 1, b3: 1 }, `${mode}: published port on the node's loopback`);
    const hairpin = httpSequence(network.client, testNet.gateway, publishedPort, 3);
    assert.equal(count(hairpin), { b1: 1, b2: 1, b3: 1 }, `${mode}: published port from a container on the node`);

    const held = await holdConnection(network, network.client, testNet.vip, 80);
    const heldIp = testNet.backends[names.indexOf(held.first)];
    assert.ok(heldIp !== undefined, `${mode}: kept-alive connection answered ${held.first}`);
    const kept = testNet.backends.filter((ip) => ip !== heldIp);
    await lb.update(view(kept));
    const outcome = await held.again();
    // nftables: conntrack forgot the flow, the next backend resets it; userland: the proxy reset it.
    assert.match(outcome, /^(early-)?(ECONNRESET|EPIPE|closed)$/, `${mode}: the connection to the removed backend ended with "${outcome}"`);
    const after = httpSequence(network.client, testNet.vip, 80, 20);
    assert.equal(count(after), Object.fromEntries(kept.map((ip) => [names[testNet.backends.indexOf(ip)]!, 10])), `${mode}: rotation without the removed backend`);

    if (mode === 'nftables') {
      sh('ip', 'netns', 'exec', network.node, 'nft', 'delete', 'table', 'ip', 'swarmts_lb');
      await lb.update(view(testNet.backends));
      assert.equal(count(httpSequence(network.client, testNet.vip, 80, 3)), { b1: 1, b2: 1, b3: 1 }, 'rebuilt after the table was deleted behind its back');
    }

    await lb.update(view([]));
    assert.equal(httpSequence(network.client, testNet.vip, 80, 1), ['ECONNREFUSED'], `${mode}: VIP without backends refuses`);
    assert.equal(httpSequence(network.outside, testNet.nodeOutside, publishedPort, 1), ['ECONNREFUSED'], `${mode}: published port without backends refuses`);

    await lb.close();
    const leftover = sh('ip', 'netns', 'exec', network.node, 'nft', 'list', 'tables') + sh('ip', '-n', network.node, 'link', 'show');
    assert.not.match(leftover, 'swarmts_lb', `${mode}: table left after close`);
    assert.not.match(leftover, 'swarmts-lb0', `${mode}: dummy interface left after close`);
  } finally {
    network.destroy();
  }
}

const isRoot = process.getuid?.() === 0;

test('nftables mode: VIP round-robin (TCP, UDP), published port, backend removal, refusal, cleanup', async () => {
  if (!isRoot) return console.log('skipped: needs root for network namespaces');
  await checkMode('nftables');
});

test('userland mode: VIP round-robin (TCP, UDP), published port, backend removal, refusal, cleanup', async () => {
  if (!isRoot) return console.log('skipped: needs root for network namespaces');
  await checkMode('userland');
});

test.run();
