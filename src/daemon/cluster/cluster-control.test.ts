import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseJoinToken } from '../../admission/join-token.js';
import { isSwarmError, type ErrorCode } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { waitFor } from '../../p2p/wait-for.js';
import type { NodeStatus } from '../api-types.js';
import { ClusterControl } from './cluster-control.js';

// Real libp2p hosts on loopback, one state directory each: the daemon's cluster side without the daemon.
const root = mkdtempSync(join(tmpdir(), 'swarmts-cluster-'));
const basePort = 20_000 + Math.floor(Math.random() * 20_000);
const controls: ClusterControl[] = [];

function control(name: string): ClusterControl {
  const made = new ClusterControl(join(root, name), name, silentLogger(), undefined);
  controls.push(made);
  return made;
}

const address = (i: number) => `127.0.0.1:${basePort + i}`;
const addresses = (i: number) => ({ listenAddress: address(i), advertiseAddress: address(i) });

async function rejects(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  try {
    await promise;
    assert.unreachable('expected a failure');
  } catch (err) {
    assert.ok(isSwarmError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, message);
  }
}

const statusIn = (c: ClusterControl, hostname: string): NodeStatus | undefined => c.nodes().find((n) => n.hostname === hostname)?.status;

test.after(async () => {
  await Promise.allSettled(controls.map((c) => c.close()));
  rmSync(root, { recursive: true, force: true });
});

test('init, join as worker and manager, see each other; crash, restart, leave', async () => {
  const a = control('a');
  const b = control('b');
  const c = control('c');
  const init = await a.init({ ...addresses(0), labels: { zone: 'z1' } });
  assert.is(init.advertiseAddr, address(0));
  assert.equal(a.status(), { ...a.status(), member: true, role: 'manager', advertiseAddr: address(0) });

  assert.equal((await b.join({ ...addresses(1), token: init.workerToken, remoteAddress: address(0) })).role, 'worker');
  assert.equal((await c.join({ ...addresses(2), token: init.managerToken, remoteAddress: address(0) })).role, 'manager');
  await waitFor('every node lists three ready nodes', () => [a, b, c].every((x) => x.nodes().filter((n) => n.status === 'ready').length === 3));
  const fromB = b.node('a');
  assert.is(fromB.role, 'manager');
  assert.equal(fromB.labels, { zone: 'z1' });
  assert.is(fromB.admission?.role, 'manager');
  assert.equal(b.nodes().map((n) => [n.hostname, n.role, n.self]), [['a', 'manager', false], ['c', 'manager', false], ['b', 'worker', true]]);

  // Secrets stay root-only; workers hold no authority key.
  for (const name of ['a', 'b']) {
    for (const file of readdirSync(join(root, name, 'cluster'))) assert.is(statSync(join(root, name, 'cluster', file)).mode & 0o077, 0, `${name}/${file}`);
  }
  assert.not.ok(readdirSync(join(root, 'b', 'cluster')).includes('manager-secrets.json'));
  await rejects(b.joinToken('worker', false), 'PERMISSION_DENIED', /worker: join tokens are kept by managers/);

  // The new manager admits too, with the same tokens.
  const d = control('d');
  assert.is((await d.join({ ...addresses(3), token: (await c.joinToken('worker', false)).token, remoteAddress: address(2) })).role, 'worker');
  await waitFor('a sees d', () => statusIn(a, 'd') === 'ready');

  // A stopped daemon looks dead to the others, then comes back with the state it saved.
  await b.close();
  await waitFor('a and c mark b down', () => statusIn(a, 'b') === 'down' && statusIn(c, 'b') === 'down', { timeoutMs: 30_000 });
  const bAgain = control('b');
  await bAgain.boot();
  await waitFor('b is ready again everywhere', () => [a, c, bAgain].every((x) => statusIn(x, 'b') === 'ready'), { timeoutMs: 30_000 });

  await bAgain.leave(false);
  await waitFor('a sees b left', () => statusIn(a, 'b') === 'left');
  assert.is(bAgain.status().member, false);
  assert.not.ok(readdirSync(join(root, 'b')).includes('cluster'), 'leave removes the cluster files');
  assert.ok(readdirSync(join(root, 'b')).includes('p2p-identity.key'), 'the node keeps its identity');
  await rejects(a.leave(false), 'CONFLICT', /manager: leaving removes one of the cluster's managers. Use --force/);
});

test('bad tokens and bad requests are refused and leave the node as it was', async () => {
  const a = control('t-a');
  const x = control('t-x');
  const init = await a.init(addresses(10));
  const worker = init.workerToken;
  const otherCluster = worker.replace(/^SWMTKN-1-[0-9a-f]{64}/, `SWMTKN-1-${'ab'.repeat(32)}`);
  await rejects(x.join({ ...addresses(11), token: otherCluster, remoteAddress: address(10) }), 'UNAVAILABLE', /network key is not this cluster's/);
  const rotated = (await a.joinToken('worker', true)).token;
  assert.is.not(rotated, worker);
  assert.equal([...parseJoinToken(rotated).psk], [...parseJoinToken(worker).psk], 'rotation keeps the network key');
  await rejects(x.join({ ...addresses(11), token: worker, remoteAddress: address(10) }), 'PERMISSION_DENIED', /refused this node: the join token was refused/);
  await rejects(x.join({ ...addresses(11), token: 'SWMTKN-1-nope', remoteAddress: address(10) }), 'INVALID_ARGUMENT', /malformed/);
  await rejects(x.join({ ...addresses(11), token: rotated, remoteAddress: 'not an address' }), 'INVALID_ARGUMENT', /manager address: expected HOST\[:PORT\]/);
  await rejects(x.join({ ...addresses(11), token: rotated, remoteAddress: `127.0.0.1:${basePort + 19}` }), 'UNAVAILABLE', /could not connect to the manager/);
  await rejects(x.init({ ...addresses(11), labels: { 'bad key': 'v' } }), 'INVALID_ARGUMENT', /label key "bad key"/);
  assert.is(x.status().member, false);
  assert.not.ok(readdirSync(join(root, 't-x')).includes('cluster'), 'a refused join saves nothing');
  await rejects(x.leave(false), 'CONFLICT', /not part of a cluster/);
  assert.throws(() => x.nodes(), /not part of a cluster: run `swarmts init`/);

  // The same port is free again: the refused attempts closed their hosts.
  assert.is((await x.join({ ...addresses(11), token: rotated, remoteAddress: address(10) })).role, 'worker');
  await rejects(x.join({ ...addresses(12), token: rotated, remoteAddress: address(10) }), 'CONFLICT', /already part of a cluster/);
  await rejects(a.init(addresses(13)), 'CONFLICT', /already part of a cluster/);
  await rejects(a.joinToken('admin', false), 'INVALID_ARGUMENT', /expected worker or manager/);
  await waitFor('a lists x', () => statusIn(a, 't-x') === 'ready');
  assert.throws(() => a.node('nobody'), /no node "nobody"/);
});

test.run();
