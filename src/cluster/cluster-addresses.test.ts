import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStack } from '../spec/parse-stack.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import { freeTaskAddress, subnetGateway } from './address-plan.js';
import { ClusterStore } from './cluster-store.js';
import type { ClusterCommand, StackNetworkName } from './commands.js';

function specs(text: string, stack: string): ServiceSpec[] {
  const parsed = parseStack({ fileName: 'stack.yml', text, stackName: stack, env: {}, readFile: () => undefined, baseDir: '/srv' });
  return parsed.stack.services;
}

const deploy = (stack: string, text: string, atMs: number, networks?: StackNetworkName[]): ClusterCommand => ({
  type: 'deploy-stack', stack, services: specs(text, stack).map((spec) => ({ id: `${stack}-${spec.name}`, spec })), prune: false, atMs, ...(networks ? { networks } : {}),
});

const task = (id: string, serviceId: string) => ({
  id, serviceId, slot: 1, nodeId: undefined, desiredState: 'running' as const, state: 'new' as const, error: '', createdAtMs: 0, updatedAtMs: 0,
  spec: specs('services:\n  x:\n    image: busybox\n', 'demo')[0]!, specVersion: 1, containerId: undefined, exitCode: undefined, health: undefined, address: undefined, networks: [],
});

test('every node gets its own /24 of the pool; a removed node\'s subnet is given again', () => {
  const store = new ClusterStore();
  for (const id of ['a', 'b', 'c']) store.apply({ type: 'update-node', node: id, hostname: id, role: 'worker', atMs: 1 });
  assert.equal(store.nodeList().map((n) => n.subnet), ['10.200.1.0/24', '10.200.2.0/24', '10.200.3.0/24']);
  store.apply({ type: 'remove-node', node: 'b', atMs: 2 });
  store.apply({ type: 'update-node', node: 'd', hostname: 'd', role: 'worker', atMs: 3 });
  assert.is(store.node('d')!.subnet, '10.200.2.0/24');
  assert.is(subnetGateway('10.200.2.0/24'), '10.200.2.1');
});

test('task addresses come from the node\'s subnet, are not reused while held, and the next is taken after the last', () => {
  const store = new ClusterStore();
  store.apply({ type: 'update-node', node: 'a', hostname: 'a', role: 'worker', atMs: 1 });
  store.apply(deploy('demo', 'services:\n  web:\n    image: busybox\n', 1));
  const create = (ids: string[]) => store.apply({ type: 'orchestrate', createTasks: ids.map((id) => task(id, 'demo-web')), assign: ids.map((taskId) => ({ taskId, nodeId: 'a' })), desired: [], pending: [], deleteTasks: [], updates: [], atMs: 2 });
  create(['t1', 't2']);
  assert.equal([store.task('t1')!.address, store.task('t2')!.address], ['10.200.1.2', '10.200.1.3']);
  assert.equal(store.service('demo_web')!.networks, ['demo_default'], 'no networks key means the stack\'s default network');
  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'failed', error: 'exit 1', atMs: 3 }] });
  create(['t3']);
  assert.is(store.task('t3')!.address, '10.200.1.4', 'a freed address is not the next one given');
  assert.is(freeTaskAddress('10.200.1.0/24', new Set(['10.200.1.3']), '10.200.1.254'), '10.200.1.2', 'wraps around');
  const all = new Set(Array.from({ length: 253 }, (_, i) => `10.200.1.${i + 2}`));
  assert.is(freeTaskAddress('10.200.1.0/24', all, undefined), undefined);
});

test('services get a virtual IP (none with dnsrr) and their published ports, kept across updates', () => {
  const store = new ClusterStore();
  const text = 'services:\n  web:\n    image: busybox\n    ports: ["8080:80", "81"]\n  db:\n    image: busybox\n    deploy:\n      endpoint_mode: dnsrr\n';
  assert.ok(store.apply(deploy('shop', text, 1)).ok);
  const web = store.service('shop_web')!;
  assert.equal(web.endpoint, { vip: '10.201.0.1', ports: [
    { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
    { target: 81, published: 30000, protocol: 'tcp', mode: 'ingress' },
  ] });
  assert.equal(store.service('shop_db')!.endpoint, { vip: undefined, ports: [] });
  assert.ok(store.apply(deploy('shop', text.replace('image: busybox', 'image: busybox:2'), 2)).ok);
  assert.equal(store.service('shop_web')!.endpoint, web.endpoint, 'an update keeps the VIP and the picked port');
  assert.is(store.service('shop_web')!.version, 2);
});

test('a published port another service holds is refused and nothing of the deploy is applied', () => {
  const store = new ClusterStore();
  store.apply(deploy('shop', 'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n', 1));
  const result = store.apply(deploy('blog', 'services:\n  api:\n    image: busybox\n  web:\n    image: busybox\n    ports: ["8080:80"]\n', 2));
  assert.equal(result, { ok: false, code: 'CONFLICT', message: 'blog_web: port 8080/tcp is already published by shop_web: publish 80 on another port, or remove it from shop_web' });
  assert.is(store.service('blog_api'), undefined);
  assert.is(store.stack('blog'), undefined);
  const update = store.apply({ type: 'update-service', service: 'shop_web', spec: { ...store.service('shop_web')!.spec, ports: [{ target: 80, published: 9090, protocol: 'udp', mode: 'ingress' }] }, atMs: 3 });
  assert.ok(update.ok);
  assert.ok(store.apply(deploy('blog', 'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n', 4)).ok, 'freed by the update');
});

test('stack networks are created with their stack, external ones must exist, unused ones are removed', () => {
  const store = new ClusterStore();
  const shop = 'services:\n  web:\n    image: busybox\n    networks: [front, back]\nnetworks:\n  front: {}\n  back: {}\n';
  store.apply(deploy('shop', shop, 1));
  assert.equal(store.networkList().map((n) => [n.name, n.stack]), [['shop_front', 'shop'], ['shop_back', 'shop']]);
  assert.equal(store.service('shop_web')!.networks, ['shop_front', 'shop_back']);

  const blog = 'services:\n  api:\n    image: busybox\n    networks: [shared]\nnetworks:\n  shared:\n    external: true\n    name: shop_front\n';
  const missing = store.apply(deploy('blog', blog, 2, [{ key: 'shared', name: 'nope_front', external: true }]));
  assert.equal(missing, { ok: false, code: 'NOT_FOUND', message: 'network nope_front (key shared) is declared external but does not exist: deploy the stack that creates it first, or drop external: true' });
  assert.ok(store.apply(deploy('blog', blog, 3, [{ key: 'shared', name: 'shop_front', external: true }])).ok);
  assert.equal(store.service('blog_api')!.networks, ['shop_front']);

  store.apply({ type: 'remove-stack', stack: 'shop', atMs: 4 });
  assert.equal(store.networkList().map((n) => n.name), ['shop_front'], 'still used by blog_api');
  store.apply({ type: 'remove-stack', stack: 'blog', atMs: 5 });
  assert.equal(store.networkList(), []);
});

test.run();
