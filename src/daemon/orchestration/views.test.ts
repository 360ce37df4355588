import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClusterStore } from '../../cluster/cluster-store.js';
import { parseStack } from '../../spec/parse-stack.js';
import { serviceDetail } from './views.js';

test('service inspect shows the VIP, the published ports, the networks and the running tasks\' addresses', () => {
  const store = new ClusterStore();
  store.apply({ type: 'update-node', node: 'node-a', hostname: 'a', role: 'manager', atMs: 1 });
  const [spec] = parseStack({ fileName: 's.yml', text: 'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n', stackName: 'shop', env: {}, readFile: () => undefined, baseDir: '/' }).stack.services;
  store.apply({ type: 'deploy-stack', stack: 'shop', services: [{ id: 'svc', spec: spec! }], prune: false, atMs: 1 });
  const task = (id: string, slot: number) => ({
    id, serviceId: 'svc', slot, nodeId: undefined, desiredState: 'running' as const, state: 'new' as const, error: '', createdAtMs: 1, updatedAtMs: 1,
    spec: spec!, specVersion: 1, containerId: undefined, exitCode: undefined, health: undefined, address: undefined, networks: ['shop_default'],
  });
  store.apply({ type: 'orchestrate', createTasks: [task('t1', 1), task('t2', 2)], assign: [{ taskId: 't1', nodeId: 'node-a' }, { taskId: 't2', nodeId: 'node-a' }], desired: [], pending: [], deleteTasks: [], updates: [], atMs: 2 });
  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'running', error: '', atMs: 3 }] });

  const detail = serviceDetail(store, store.service('shop_web')!);
  assert.equal(detail.endpoint, { vip: '10.201.0.1', ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }] });
  assert.equal(detail.networks, ['shop_default']);
  assert.equal(detail.endpoints, [{ task: 'shop_web.1', address: '10.200.1.2', node: 'node-a', healthy: true }], 'only the running task');
});

test.run();
