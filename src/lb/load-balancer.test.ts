/** LoadBalancer's own contract, in userland mode on loopback (no root needed). */
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { LoadBalancer } from './load-balancer.js';
import { backends, port, testService } from './test-views.js';
import { LoopbackVips } from './vip-addresses.js';

const newBalancer = () => new LoadBalancer({ mode: 'userland', logger: silentLogger(), vipAddresses: new LoopbackVips() });

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: found } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return found;
}

test('describe() names the mode and each frontend with its backends; a reordered view describes the same', async () => {
  const lb = newBalancer();
  const target = await freePort();
  try {
    assert.equal(lb.describe(), { mode: undefined, services: [] });
    const service = testService({ vip: '127.0.0.6', ports: [port(target)], backends: backends(['127.0.0.22', '127.0.0.21']) });
    await lb.update({ services: [service] });
    assert.equal(lb.describe(), {
      mode: 'userland',
      services: [{ id: 'web1', fullName: 'shop_web', endpoints: [
        { frontend: `vip 127.0.0.6:${target}/tcp`, backends: [`127.0.0.21:${target}`, `127.0.0.22:${target}`] },
      ] }],
    });
    await lb.update({ services: [{ ...service, backends: [...service.backends].reverse() }] });
    assert.is(lb.describe().services[0]?.endpoints[0]?.backends[0], `127.0.0.21:${target}`);
  } finally {
    await lb.close();
  }
});

test('an invalid view is rejected and the last good one stays in place', async () => {
  const lb = newBalancer();
  const target = await freePort();
  try {
    const good = { services: [testService({ vip: '127.0.0.6', ports: [port(target)], backends: backends(['127.0.0.21']) })] };
    await lb.update(good);
    const bad = { services: [testService({ vip: 'not-an-ip' })] };
    const error = await lb.update(bad).then(() => undefined, (err: unknown) => err);
    assert.ok(isSwarmError(error, 'INVALID_ARGUMENT'), String(error));
    assert.is(lb.describe().services[0]?.endpoints[0]?.frontend, `vip 127.0.0.6:${target}/tcp`);
  } finally {
    await lb.close();
  }
});

test('close() stops listening and later updates are refused', async () => {
  const lb = newBalancer();
  const target = await freePort();
  await lb.update({ services: [testService({ vip: '127.0.0.6', ports: [port(target)], backends: backends(['127.0.0.21']) })] });
  await lb.close();
  const refused = await new Promise<string>((resolve) => {
    const socket = net.connect(target, '127.0.0.6');
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  assert.is(refused, 'ECONNREFUSED');
  const error = await lb.update({ services: [] }).then(() => undefined, (err: unknown) => err);
  assert.ok(isSwarmError(error, 'UNAVAILABLE'));
});

test.run();
