import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStack } from '../spec/parse-stack.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import type { ClusterCommand } from './commands.js';
import { ClusterStore } from './cluster-store.js';
import type { TaskRecord } from './records.js';

function specs(text: string, stack = 'demo'): ServiceSpec[] {
  return parseStack({ fileName: 'stack.yml', text, stackName: stack, env: {}, readFile: () => undefined, baseDir: '/srv' }).stack.services;
}

const [web, db] = specs('services:\n  web:\n    image: busybox\n    deploy:\n      replicas: 3\n  db:\n    image: busybox\n');
const deploy = (services: ServiceSpec[], atMs: number, prune = false): ClusterCommand => ({
  type: 'deploy-stack',
  stack: 'demo',
  services: services.map((spec) => ({ id: `id-${spec.name}-${atMs}`, spec })),
  prune,
  atMs,
});

function task(id: string, serviceId: string, spec: ServiceSpec, slot: number): TaskRecord {
  return { id, serviceId, slot, nodeId: undefined, desiredState: 'running', state: 'new', error: '', createdAtMs: 0, updatedAtMs: 0, spec, specVersion: 1, containerId: undefined, exitCode: undefined, health: undefined, address: undefined, networks: [] };
}

test('deploy creates, then updates only what changed; scale keeps the version; prune removes', () => {
  const store = new ClusterStore();
  assert.equal(store.apply(deploy([web!, db!], 10)), { ok: true, created: ['demo_web', 'demo_db'], updated: [], unchanged: [], removed: [] });
  const id = store.service('demo_web')!.id;
  assert.is(id, 'id-web-10');
  const changed = { ...web!, image: 'busybox:1.36' };
  assert.equal(store.apply(deploy([changed, db!], 20)), { ok: true, created: [], updated: ['demo_web'], unchanged: ['demo_db'], removed: [] });
  const service = store.service(id)!;
  assert.is(service.version, 2);
  assert.is(service.previousSpec?.image, 'busybox');
  assert.is(service.update?.state, 'updating');

  assert.equal(store.apply({ type: 'scale-service', service: 'demo_web', replicas: 5, atMs: 30 }), { ok: true, updated: ['demo_web'] });
  assert.is(store.service(id)!.version, 2, 'scaling rolls nothing');
  assert.is(store.service(id)!.spec.replicas, 5);

  assert.equal(store.apply(deploy([changed], 40)), { ok: true, created: [], updated: ['demo_web'], unchanged: [], removed: [] });
  assert.is(store.service(id)!.spec.replicas, 3, 'the file\'s replica count wins again');
  assert.is(store.service(id)!.version, 2);
  assert.equal(store.stack('demo')?.services, ['demo_web', 'demo_db'], 'without prune the old service stays');
  assert.equal(store.apply(deploy([changed], 50, true)), { ok: true, created: [], updated: [], unchanged: ['demo_web'], removed: ['demo_db'] });
  assert.is(store.service('demo_db'), undefined);
  assert.equal(store.stack('demo')?.services, ['demo_web']);
});

test('rollback returns to the previous spec as a new version; refusals change nothing', () => {
  const store = new ClusterStore();
  store.apply(deploy([web!], 1));
  assert.equal(store.apply({ type: 'rollback-service', service: 'demo_web', atMs: 2 }), { ok: false, code: 'CONFLICT', message: 'demo_web has no previous spec to roll back to' });
  store.apply({ type: 'update-service', service: 'demo_web', spec: { ...web!, env: { A: '1' } }, atMs: 3 });
  store.apply({ type: 'rollback-service', service: 'demo_web', atMs: 4 });
  const service = store.service('demo_web')!;
  assert.equal(service.spec.env, web!.env);
  assert.is(service.version, 3);
  assert.is(service.update?.state, 'rollback_started');
  const before = store.exportSnapshot();
  assert.equal(store.apply({ type: 'scale-service', service: 'nope', replicas: 1, atMs: 5 }), { ok: false, code: 'NOT_FOUND', message: 'no service nope' });
  assert.equal(store.apply({ type: 'scale-service', service: 'demo_web', replicas: -1, atMs: 5 }).ok, false);
  assert.equal(store.apply({ type: 'remove-stack', stack: 'other', atMs: 5 }).ok, false);
  assert.equal(store.exportSnapshot(), before);
});

test('task states only move forward; tasks of a removed stack are told to shut down', () => {
  const store = new ClusterStore();
  store.apply(deploy([web!], 1));
  const serviceId = store.service('demo_web')!.id;
  store.apply({ type: 'orchestrate', createTasks: [task('t1', serviceId, web!, 1), task('t2', serviceId, web!, 2)], assign: [{ taskId: 't1', nodeId: 'n1' }], desired: [], pending: [{ taskId: 't2', error: 'no suitable node: 1 node is drained' }], deleteTasks: [], updates: [], atMs: 2 });
  assert.equal([store.task('t1')?.state, store.task('t1')?.nodeId], ['assigned', 'n1']);
  assert.equal([store.task('t2')?.state, store.task('t2')?.error], ['pending', 'no suitable node: 1 node is drained']);

  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'running', error: '', containerId: 'c1', atMs: 3 }] });
  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'starting', error: '', atMs: 4 }] });
  assert.is(store.task('t1')?.state, 'running', 'a stale report is ignored');
  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'running', error: '', health: 'healthy', atMs: 5 }] });
  assert.is(store.task('t1')?.health, 'healthy');
  store.apply({ type: 'task-status', reports: [{ taskId: 't1', state: 'failed', error: 'exit 1', exitCode: 1, atMs: 6 }, { taskId: 't1', state: 'running', error: '', atMs: 7 }] });
  assert.equal([store.task('t1')?.state, store.task('t1')?.exitCode], ['failed', 1]);

  assert.equal(store.apply({ type: 'remove-stack', stack: 'demo', atMs: 8 }), { ok: true, removed: ['demo_web'] });
  assert.is(store.task('t2')?.desiredState, 'shutdown');
  store.apply({ type: 'orchestrate', createTasks: [], assign: [], desired: [], pending: [], deleteTasks: ['t1', 't2'], updates: [], atMs: 9 });
  assert.is(store.taskList().length, 0);
});

test('nodes are registered with hostname and role, then updated; a snapshot restores the same state', () => {
  const store = new ClusterStore();
  assert.equal(store.apply({ type: 'update-node', node: 'n1', availability: 'drain', atMs: 1 }).ok, false);
  store.apply({ type: 'update-node', node: 'n1', hostname: 'a', role: 'manager', atMs: 1 });
  store.apply({ type: 'update-node', node: 'n1', availability: 'drain', labelsAdd: { zone: 'z1', disk: 'ssd' }, atMs: 2 });
  store.apply({ type: 'update-node', node: 'n1', labelsRemove: ['disk'], atMs: 3 });
  assert.equal(store.node('n1'), { id: 'n1', hostname: 'a', role: 'manager', availability: 'drain', labels: { zone: 'z1' }, subnet: '10.200.1.0/24', lastTaskAddress: undefined });
  store.apply(deploy([web!, db!], 4));
  const copy = new ClusterStore();
  copy.importSnapshot(store.exportSnapshot());
  assert.equal(copy.exportSnapshot(), store.exportSnapshot());
  assert.is(copy.service('demo_db')?.id, 'id-db-4');
  assert.equal(store.apply({ type: 'remove-node', node: 'n1', atMs: 5 }), { ok: true, removed: ['n1'] });
});

test('set-node-role: changes the role, answers unchanged for the same role, refuses to demote the last manager', () => {
  const store = new ClusterStore();
  store.apply({ type: 'update-node', node: 'm', hostname: 'a', role: 'manager', atMs: 1 });
  store.apply({ type: 'update-node', node: 'w', hostname: 'b', role: 'worker', atMs: 1 });
  const cases: Array<[ClusterCommand, ReturnType<ClusterStore['apply']>]> = [
    [{ type: 'set-node-role', node: 'nope', role: 'manager', atMs: 2 }, { ok: false, code: 'NOT_FOUND', message: 'no node nope' }],
    [{ type: 'set-node-role', node: 'w', role: 'worker', atMs: 2 }, { ok: true, unchanged: ['w'] }],
    [{ type: 'set-node-role', node: 'm', role: 'manager', atMs: 2 }, { ok: true, unchanged: ['m'] }],
    [{ type: 'set-node-role', node: 'm', role: 'worker', atMs: 2 }, { ok: false, code: 'CONFLICT', message: "a is the cluster's last manager: promote another node first (`swarmts node promote NODE`), then demote it" }],
    [{ type: 'set-node-role', node: 'w', role: 'manager', atMs: 3 }, { ok: true, updated: ['w'] }],
    [{ type: 'set-node-role', node: 'm', role: 'worker', atMs: 4 }, { ok: true, updated: ['m'] }],
    // Two demotions racing through the log: the second one would leave no manager.
    [{ type: 'set-node-role', node: 'w', role: 'worker', atMs: 5 }, { ok: false, code: 'CONFLICT', message: "b is the cluster's last manager: promote another node first (`swarmts node promote NODE`), then demote it" }],
  ];
  for (const [command, want] of cases) assert.equal(store.apply(command), want, JSON.stringify(command));
  assert.equal(store.nodeList().map((n) => [n.id, n.role]), [['m', 'worker'], ['w', 'manager']]);
});

test.run();
