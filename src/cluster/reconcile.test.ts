import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStack } from '../spec/parse-stack.js';
import { ClusterStore } from './cluster-store.js';
import type { NodeView, ReconcileInput } from './orchestrator-types.js';
import type { TaskRecord, TaskStatusReport } from './records.js';
import { reconcile } from './reconcile.js';
import { passScheduler } from './scheduling.js';
import { isLive } from './service-health.js';

/** A small cluster: the store, nodes that can go down or drain, the real scheduler, and agents that do what they are told. */
class World {
  readonly store = new ClusterStore();
  nowMs = 1000;
  private ids = 0;
  readonly nodes = new Map<string, NodeView>();

  constructor(nodeIds: string[]) {
    for (const id of nodeIds) this.nodes.set(id, { ready: true, info: { id, hostname: id, role: 'worker', availability: 'active', labels: {}, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCpus: 2e9, memoryBytes: 2 ** 31 } } });
  }

  deploy(yaml: string): void {
    const services = parseStack({ fileName: 's.yml', text: yaml, stackName: 'demo', env: {}, readFile: () => undefined, baseDir: '/' }).stack.services;
    const result = this.store.apply({ type: 'deploy-stack', stack: 'demo', services: services.map((spec) => ({ id: `svc-${spec.name}`, spec })), prune: false, atMs: this.nowMs });
    assert.ok(result.ok, JSON.stringify(result));
  }

  /** One orchestrator pass, applied; returns how many commands it made. */
  pass(): number {
    const nodes = [...this.nodes.values()];
    const input: ReconcileInput = { nodes, nowMs: this.nowMs, newId: () => `t${++this.ids}`, ...passScheduler(this.store, nodes, 'spread') };
    const { commands } = reconcile(this.store, input);
    for (const command of commands) this.store.apply(command);
    return commands.length;
  }

  /** Agents on ready nodes start what is assigned to them and stop what should stop. */
  agents(options: { fail?: (task: TaskRecord) => boolean; health?: 'healthy' | 'unhealthy' } = {}): void {
    const reports = this.store.taskList().flatMap((task): TaskStatusReport[] => {
      const node = task.nodeId === undefined ? undefined : this.nodes.get(task.nodeId);
      if (node === undefined || !node.ready) return [];
      if (task.desiredState === 'running' && task.state === 'assigned') {
        const failed = options.fail?.(task) ?? false;
        return [{ taskId: task.id, state: failed ? ('failed' as const) : ('running' as const), error: failed ? 'exit 1' : '', exitCode: failed ? 1 : undefined, health: task.spec.healthcheck ? options.health ?? 'healthy' : undefined, atMs: this.nowMs }];
      }
      if (task.desiredState !== 'running' && isLive({ ...task, desiredState: 'running' })) return [{ taskId: task.id, state: 'shutdown' as const, error: '', atMs: this.nowMs }];
      return [];
    });
    this.store.apply({ type: 'task-status', reports });
  }

  /** Passes and agent rounds until nothing changes (bounded). */
  settle(options: Parameters<World['agents']>[0] = {}): void {
    for (let i = 0; i < 20; i++) {
      const before = JSON.stringify(this.store.exportSnapshot());
      this.pass();
      this.agents(options);
      if (JSON.stringify(this.store.exportSnapshot()) === before) return;
    }
    assert.unreachable('the cluster did not settle in 20 rounds');
  }

  running(service = 'demo_web'): Array<[number, string | undefined, number]> {
    const id = this.store.service(service)!.id;
    return this.store.tasksOf(id).filter((t) => t.state === 'running' && t.desiredState === 'running').map((t) => [t.slot, t.nodeId, t.specVersion] as [number, string | undefined, number]).sort((a, b) => a[0] - b[0] || String(a[1]).localeCompare(String(b[1])));
  }
}

const web = (extra = '', replicas = 3) => `services:\n  web:\n    image: busybox\n    deploy:\n      replicas: ${replicas}\n${extra}`;

test('replicas are created, spread and kept; a dead node\'s tasks move; scaling down shuts the highest slots', () => {
  const w = new World(['n1', 'n2']);
  w.deploy(web());
  w.settle();
  assert.equal(w.running(), [[1, 'n1', 1], [2, 'n2', 1], [3, 'n1', 1]]);
  assert.is(w.pass(), 0, 'a matching state needs no command');

  w.nodes.get('n1')!.ready = false;
  w.settle();
  assert.equal(w.running(), [[1, 'n2', 1], [2, 'n2', 1], [3, 'n2', 1]]);
  w.nodes.get('n1')!.ready = true;
  w.store.apply({ type: 'scale-service', service: 'demo_web', replicas: 1, atMs: w.nowMs });
  w.settle();
  assert.equal(w.running(), [[1, 'n2', 1]]);
});

test('the restart policy: delay, on-failure, max_attempts within the window', () => {
  const w = new World(['n1']);
  w.deploy(web('      restart_policy:\n        condition: on-failure\n        delay: 5s\n        max_attempts: 2\n', 1));
  w.settle({ fail: () => true });
  const tasks = () => w.store.tasksOf('svc-web').sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  assert.equal(tasks().map((t) => t.state), ['failed'], 'no replacement before the delay');
  w.nowMs += 5000;
  w.settle({ fail: () => true });
  assert.equal(tasks().map((t) => t.state), ['failed', 'failed']);
  w.nowMs += 5000;
  w.settle({ fail: () => true });
  w.nowMs += 5000;
  w.settle({ fail: () => true });
  assert.equal(tasks().map((t) => t.state), ['failed', 'failed', 'failed'], 'two restarts, then it gives up');
});

test('stop-first rolling update, one at a time, with the delay between batches', () => {
  const w = new World(['n1', 'n2', 'n3']);
  w.deploy(web('      update_config:\n        parallelism: 1\n        delay: 10s\n        order: stop-first\n'));
  w.settle();
  w.deploy(web('      update_config:\n        parallelism: 1\n        delay: 10s\n        order: stop-first\n').replace('image: busybox', 'image: busybox:2'));
  w.settle();
  assert.equal(w.running().map((t) => t[2]), [2, 1, 1], 'one batch, then the delay');
  assert.is(w.store.service('demo_web')!.update?.state, 'updating');
  for (let i = 0; i < 2; i++) {
    w.nowMs += 10_000;
    w.settle();
  }
  assert.equal(w.running().map((t) => t[2]), [2, 2, 2]);
  w.settle();
  assert.is(w.store.service('demo_web')!.update?.state, 'completed');
});

test('start-first keeps every replica running while it replaces them', () => {
  const w = new World(['n1', 'n2']);
  const spec = '      update_config:\n        parallelism: 2\n        order: start-first\n';
  w.deploy(web(spec, 2));
  w.settle();
  w.deploy(web(spec, 2).replace('image: busybox', 'image: busybox:2'));
  w.pass();
  const live = w.store.tasksOf('svc-web').filter((t) => t.desiredState === 'running');
  assert.is(live.length, 4, 'the new tasks start beside the old ones');
  w.agents();
  w.pass();
  w.agents();
  assert.equal(w.running().map((t) => t[2]), [2, 2]);
  w.settle();
  assert.is(w.store.service('demo_web')!.update?.state, 'completed');
});

test('a failing update rolls back to the previous spec', () => {
  const w = new World(['n1', 'n2']);
  const spec = '      update_config:\n        parallelism: 1\n        failure_action: rollback\n';
  w.deploy(web(spec, 2));
  w.settle();
  w.deploy(web(spec, 2).replace('image: busybox', 'image: broken'));
  w.settle({ fail: (t) => t.spec.image === 'broken' });
  const service = w.store.service('demo_web')!;
  assert.is(service.spec.image, 'busybox');
  assert.is(service.update?.state, 'rollback_completed');
  assert.equal(w.running().map((t) => t[2]), [3, 3]);
});

test('global services run one task per eligible node; a drained node\'s task stops and is not replaced', () => {
  const w = new World(['n1', 'n2', 'n3']);
  w.deploy('services:\n  web:\n    image: busybox\n    deploy:\n      mode: global\n');
  w.settle();
  assert.equal(w.running(), [[0, 'n1', 1], [0, 'n2', 1], [0, 'n3', 1]]);
  w.nodes.get('n2')!.info.availability = 'drain';
  w.settle();
  assert.equal(w.running(), [[0, 'n1', 1], [0, 'n3', 1]]);
});

test('a rolling update leaves a paused node\'s global task as it is and rolls it once the node is active again', () => {
  const w = new World(['n1', 'n2', 'n3']);
  const agent = (image: string) => `services:\n  agent:\n    image: ${image}\n    deploy:\n      mode: global\n      update_config:\n        order: stop-first\n`;
  w.deploy(agent('busybox'));
  w.settle();
  w.nodes.get('n3')!.info.availability = 'pause';
  w.deploy(agent('busybox:2'));
  w.settle();
  assert.equal(w.running('demo_agent'), [[0, 'n1', 2], [0, 'n2', 2], [0, 'n3', 1]], 'the paused node keeps its old task');
  assert.is(w.store.service('demo_agent')!.update?.state, 'completed');

  w.nodes.get('n3')!.info.availability = 'active';
  w.pass();
  assert.is(w.store.service('demo_agent')!.update?.state, 'updating', 'the update resumes');
  w.settle();
  assert.equal(w.running('demo_agent'), [[0, 'n1', 2], [0, 'n2', 2], [0, 'n3', 2]]);
  assert.is(w.store.service('demo_agent')!.update?.state, 'completed');
});

test('a paused node gets no new global task, not even for one that was unhealthy', () => {
  const w = new World(['n1', 'n2']);
  w.deploy('services:\n  agent:\n    image: busybox\n    healthcheck:\n      test: ["CMD", "true"]\n    deploy:\n      mode: global\n');
  w.settle();
  w.nodes.get('n2')!.info.availability = 'pause';
  const sick = w.store.tasksOf('svc-agent').find((t) => t.nodeId === 'n2')!;
  w.store.apply({ type: 'task-status', reports: [{ taskId: sick.id, state: 'running', error: 'health check failed 3 times', health: 'unhealthy', atMs: w.nowMs }] });
  w.settle();
  assert.equal(w.running('demo_agent'), [[0, 'n1', 1]]);
  w.nodes.get('n2')!.info.availability = 'active';
  w.settle();
  assert.equal(w.running('demo_agent'), [[0, 'n1', 1], [0, 'n2', 1]]);
});

test('an unhealthy task is shut down and a fresh task takes its slot', () => {
  const w = new World(['n1', 'n2']);
  w.deploy(web('    healthcheck:\n      test: ["CMD", "true"]\n', 2));
  w.settle();
  const sick = w.store.tasksOf('svc-web').find((t) => t.slot === 1)!;
  w.store.apply({ type: 'task-status', reports: [{ taskId: sick.id, state: 'running', error: 'health check failed 3 times', health: 'unhealthy', atMs: w.nowMs }] });
  w.settle();
  assert.is(w.store.task(sick.id)!.desiredState, 'shutdown');
  assert.is(w.store.task(sick.id)!.state, 'shutdown');
  assert.equal(w.running().map(([slot]) => slot), [1, 2]);
  assert.ok(w.store.tasksOf('svc-web').some((t) => t.slot === 1 && t.id !== sick.id && t.state === 'running' && t.health === 'healthy'));
});

test('depends_on holds a service back until its dependency is healthy', () => {
  const w = new World(['n1']);
  w.deploy('services:\n  db:\n    image: busybox\n    healthcheck:\n      test: ["CMD", "true"]\n  web:\n    image: busybox\n    depends_on:\n      db:\n        condition: service_healthy\n');
  w.pass();
  w.agents({ health: 'unhealthy' });
  w.pass();
  const webTask = () => w.store.tasksOf('svc-web')[0]!;
  assert.equal([webTask().state, webTask().error], ['pending', 'waiting for demo_db to be healthy']);
  w.settle({ health: 'healthy' });
  w.store.apply({ type: 'task-status', reports: [{ taskId: w.store.tasksOf('svc-db')[0]!.id, state: 'running', error: '', health: 'healthy', atMs: w.nowMs }] });
  w.settle();
  assert.is(webTask().state, 'running');
});

test('no suitable node: tasks stay pending with the reason; removing the stack ends and deletes its tasks', () => {
  const w = new World(['n1']);
  w.nodes.get('n1')!.ready = false;
  w.deploy(web('', 2));
  w.settle();
  assert.equal(w.store.tasksOf('svc-web').map((t) => [t.state, t.error]), [['pending', 'no suitable node: 1 node is not ready'], ['pending', 'no suitable node: 1 node is not ready']]);
  w.nodes.get('n1')!.ready = true;
  w.settle();
  assert.is(w.running().length, 2);
  w.store.apply({ type: 'remove-stack', stack: 'demo', atMs: w.nowMs });
  w.settle();
  assert.is(w.store.taskList().length, 0);
});

test('reservations of every service on a node count: what no longer fits waits with the reason', () => {
  const w = new World(['n1']);
  const reserved = (name: string) => `  ${name}:\n    image: busybox\n    deploy:\n      resources:\n        reservations:\n          memory: 1536M\n`;
  w.deploy(`services:\n${reserved('a')}${reserved('b')}`);
  w.settle();
  assert.is(w.running('demo_a').length, 1);
  assert.equal(w.store.tasksOf('svc-b').map((t) => [t.state, t.error]), [['pending', 'no suitable node: 1 node lacks 1.5 GiB of memory']]);
});

test('a rollback during a start-first update starts one task per slot (orchestration sim: SWARMTS_SEED=104 SWARMTS_SIM_NODES=5 SWARMTS_SIM_SCENARIO=failed-update)', () => {
  const w = new World(['n1', 'n2']);
  const spec = '      update_config:\n        parallelism: 2\n        order: start-first\n        failure_action: rollback\n      rollback_config:\n        parallelism: 2\n        order: start-first\n';
  w.deploy(web(spec, 2));
  w.settle();
  w.deploy(web(spec, 2).replace('image: busybox', 'image: broken'));
  w.pass();
  assert.is(w.store.tasksOf('svc-web').filter((t) => t.specVersion === 2).length, 2, 'the update\'s tasks are in flight');
  w.store.apply({ type: 'rollback-service', service: 'demo_web', atMs: w.nowMs });
  w.pass();
  const live = w.store.tasksOf('svc-web').filter(isLive);
  const bySlot = [1, 2].map((slot) => live.filter((t) => t.slot === slot).map((t) => t.specVersion).sort());
  assert.equal(bySlot, [[1, 3], [1, 3]], 'each slot keeps its running task and gets one replacement');
  w.settle();
  assert.equal(w.running().map((t) => t[2]), [3, 3]);
  assert.is(w.store.service('demo_web')!.update?.state, 'rollback_completed');
});

test('a replicated task leaves a node that no longer matches its constraints (orchestration sim: SWARMTS_SEED=2 SWARMTS_SIM_NODES=5 SWARMTS_SIM_SCENARIO=random)', () => {
  const w = new World(['n1', 'n2', 'n3']);
  for (const id of ['n1', 'n2']) w.nodes.get(id)!.info.labels = { zone: 'a' };
  w.deploy(web('      placement:\n        constraints: [node.labels.zone == a]\n', 2));
  w.settle();
  assert.equal(w.running().map((t) => t[1]), ['n1', 'n2']);
  w.nodes.get('n1')!.info.labels = {};
  w.settle();
  assert.equal(w.running().map((t) => t[1]), ['n2', 'n2'], 'the task on n1 moves to the one node still in the zone');
});

test('an update refills a slot whose task gave up under the restart policy, and attempts count afresh (orchestration sim: SWARMTS_SEED=20 SWARMTS_SIM_NODES=3 SWARMTS_SIM_SCENARIO=random)', () => {
  const w = new World(['n1']);
  const spec = '      restart_policy:\n        condition: on-failure\n        delay: 1s\n        max_attempts: 1\n';
  const fail = { fail: (t: TaskRecord) => t.spec.image.startsWith('broken') };
  const rounds = () => {
    for (let i = 0; i < 3; i++) {
      w.settle(fail);
      w.nowMs += 1000;
    }
  };
  w.deploy(web(spec, 1).replace('image: busybox', 'image: broken'));
  rounds();
  assert.equal(w.store.tasksOf('svc-web').map((t) => t.state), ['failed', 'failed'], 'one restart, then it gives up');
  w.deploy(web(spec, 1).replace('image: busybox', 'image: broken2'));
  rounds();
  const v2 = w.store.tasksOf('svc-web').filter((t) => t.specVersion === 2);
  assert.equal(v2.map((t) => t.state), ['failed', 'failed'], 'the new spec gets its own first try and one restart');
  w.deploy(web(spec, 1));
  rounds();
  assert.equal(w.running().map((t) => t[2]), [3], 'a good spec runs in the slot that had given up');
});

test('a pass planned before the stack was removed brings none of its tasks back; a task left without its service is shut down (orchestration sim: SWARMTS_SEED=70115 SWARMTS_SIM_NODES=3 SWARMTS_SIM_SCENARIO=random)', () => {
  const w = new World(['n1']);
  w.deploy(web('', 2));
  const nodes = [...w.nodes.values()];
  const planned = reconcile(w.store, { nodes, nowMs: w.nowMs, newId: () => 'early', ...passScheduler(w.store, nodes, 'spread') });
  w.store.apply({ type: 'remove-stack', stack: 'demo', atMs: w.nowMs });
  for (const command of planned.commands) w.store.apply(command);
  assert.equal(w.store.taskList(), [], 'the late pass creates nothing');

  const snapshot = w.store.exportSnapshot();
  const orphan: TaskRecord = { ...newTaskLike('orphan'), nodeId: 'n1', state: 'running' };
  w.store.importSnapshot({ ...snapshot, tasks: [orphan] });
  w.pass();
  assert.is(w.store.task('orphan')?.desiredState, 'shutdown');
  w.settle();
  assert.equal(w.store.taskList(), [], 'once it ended it is deleted');
});

function newTaskLike(id: string): TaskRecord {
  const spec = parseStack({ fileName: 's.yml', text: web(), stackName: 'demo', env: {}, readFile: () => undefined, baseDir: '/' }).stack.services[0]!;
  return { id, serviceId: 'svc-gone', slot: 1, nodeId: undefined, desiredState: 'running', state: 'new', error: '', createdAtMs: 0, updatedAtMs: 0, spec, specVersion: 1, containerId: undefined, exitCode: undefined, health: undefined, address: undefined, networks: [] };
}

test.run();
