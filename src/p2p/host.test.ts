import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { defaultP2pHostConfig } from './host-config.js';
import { createP2pHost, type P2pHost, type PeerEvent } from './host.js';
import { generatePsk } from './psk.js';
import { connectAll, startTestCluster } from './test-hosts.js';
import { waitFor } from './wait-for.js';

test('three hosts with one PSK connect and report peer connect and disconnect events', async () => {
  const cluster = await startTestCluster(3);
  try {
    const [a, b, c] = cluster.hosts as [P2pHost, P2pHost, P2pHost];
    const events: PeerEvent[] = [];
    a.onPeer((event) => events.push(event));
    await connectAll(cluster.hosts);
    assert.equal(new Set(a.connectedPeers()), new Set([b.peerId, c.peerId]));
    await waitFor('a saw b and c connect', () => events.filter((e) => e.type === 'connect').length >= 2);
    await c.stop();
    await waitFor('a saw c disconnect', () => events.some((e) => e.type === 'disconnect' && e.peerId === c.peerId));
  } finally {
    await cluster.stop();
  }
});

test('a host with a different PSK cannot connect', async () => {
  const cluster = await startTestCluster(1);
  try {
    // A wrong key garbles the noise handshake, so the dial ends at its timeout: keep it short.
    const stranger = await cluster.addHost({ psk: generatePsk(), dialTimeoutMs: 3000 });
    const target = cluster.hosts[0]!;
    try {
      await stranger.dial(target.multiaddrs()[0]!);
      assert.unreachable('the dial should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'UNAVAILABLE'), String(err));
    }
    assert.equal(target.connectedPeers(), []);
    assert.equal(stranger.connectedPeers(), []);
  } finally {
    await cluster.stop();
  }
});

test('the identity file keeps the peer id across restarts and has mode 0600', async () => {
  const cluster = await startTestCluster(0);
  try {
    const config = { ...defaultP2pHostConfig({ identityPath: join(cluster.directory, 'node', 'identity.key'), psk: cluster.psk }), listenAddresses: ['/ip4/127.0.0.1/tcp/0'] };
    const first = await createP2pHost(config, { logger: silentLogger() });
    const firstId = first.peerId;
    const info = await stat(config.identityPath);
    assert.is(info.mode & 0o777, 0o600);
    const second = await createP2pHost(config, { logger: silentLogger() });
    assert.is(second.peerId, firstId);
  } finally {
    await cluster.stop();
  }
});

test('dial refuses a string that is not a multiaddr with INVALID_ARGUMENT', async () => {
  const cluster = await startTestCluster(1);
  try {
    await cluster.hosts[0]!.dial('not-an-address').then(
      () => assert.unreachable('should refuse'),
      (err: unknown) => assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'), String(err)),
    );
  } finally {
    await cluster.stop();
  }
});

test('createP2pHost reports every config problem at once', async () => {
  const config = { ...defaultP2pHostConfig({ identityPath: '', psk: new Uint8Array(3) }), listenAddresses: [] };
  try {
    await createP2pHost(config, { logger: silentLogger() });
    assert.unreachable('should reject');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_CONFIG'));
    const problems = (err.details?.problems ?? []) as string[];
    assert.is(problems.length, 3, problems.join('; '));
  }
});

test.run();
