import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TaskStatusReport } from '../cluster/records.js';
import { taskStates } from '../spec/task.js';
import type { ImageService } from './image-service.js';
import { taskLabels } from './task-labels.js';
import { AgentHarness, taskOf, webSpec } from './test-fixtures.js';
import { settle } from './timers.js';

const harnesses: AgentHarness[] = [];
function harness(options?: ConstructorParameters<typeof AgentHarness>[0]): AgentHarness {
  const h = new AgentHarness(options);
  harnesses.push(h);
  return h;
}

/** Every task's reports only move forward; a repeated state is a health change. */
function assertForward(reports: readonly TaskStatusReport[]): void {
  const last = new Map<string, TaskStatusReport>();
  for (const report of reports) {
    const before = last.get(report.taskId);
    if (before !== undefined) {
      const [a, b] = [taskStates.indexOf(before.state), taskStates.indexOf(report.state)];
      assert.ok(b > a || (b === a && report.health !== before.health), `task ${report.taskId} went ${before.state} -> ${report.state}`);
    }
    last.set(report.taskId, report);
  }
}

const sleeper = webSpec("    image: busybox\n    command: sleep 1000\n");

test('a task desired running is prepared, started and reported running with its container', async () => {
  const h = harness();
  await h.sync([taskOf(sleeper, 't1')]);
  assert.equal(h.states('t1'), ['preparing', 'starting', 'running']);
  const [container] = await h.runtime.list();
  assert.ok(container);
  assert.is(container.state, 'running');
  assert.is(container.name, 'demo_web.1.t1');
  assert.is(h.last('t1')?.containerId, container.id);
  assert.equal(container.spec.network, { mode: 'none' });
  assert.is(container.labels[taskLabels.taskId], 't1');
  assert.is(container.labels[taskLabels.serviceId], 'svc-web');
  assert.is(container.labels[taskLabels.serviceName], 'demo_web');
  assert.is(container.labels[taskLabels.nodeId], 'n1');
  assert.equal(h.images.requests, ['busybox']);
  assert.is(h.reports[0]?.atMs, 1_000, 'reports carry the injected clock');
});

test('a container that exits 0 completes its task; exit 3 fails it with the code; OOM fails it as OOM killed', async () => {
  const h = harness();
  const ok = taskOf(webSpec("    image: busybox\n    command: sh -c 'exit 0'\n"), 'ok', { slot: 1 });
  const bad = taskOf(webSpec("    image: busybox\n    command: sh -c 'exit 3'\n"), 'bad', { slot: 2 });
  const oom = taskOf(sleeper, 'oom', { slot: 3 });
  await h.sync([ok, bad, oom]);
  assert.equal(h.states('ok'), ['preparing', 'starting', 'running', 'complete']);
  assert.equal([h.last('ok')?.exitCode, h.last('ok')?.error], [0, '']);
  assert.equal(h.states('bad'), ['preparing', 'starting', 'running', 'failed']);
  assert.equal([h.last('bad')?.exitCode, h.last('bad')?.error], [3, 'exit code 3']);
  h.runtime.oomKill('demo_web.3.oom');
  await settle();
  assert.equal(h.states('oom'), ['preparing', 'starting', 'running', 'failed']);
  assert.equal([h.last('oom')?.exitCode, h.last('oom')?.error], [137, 'OOM killed']);
  // Ended containers stay (for logs) until their task is shut down; nothing is restarted.
  await h.sync([ok, bad, oom]);
  assert.is((await h.runtime.list()).filter((c) => c.state === 'exited').length, 3);
  assert.is(h.reports.length, 12);
  await h.sync([ok, bad, oom].map((t) => ({ ...t, desiredState: 'shutdown' as const })));
  assert.equal(await h.runtime.list(), []);
  assert.is(h.reports.length, 12, 'an ended task is not reported shut down');
  assertForward(h.reports);
});

test('a task desired shutdown is stopped with its grace period, removed and reported shutdown', async () => {
  const h = harness();
  const spec = webSpec("    image: busybox\n    command: sleep 1000\n    stop_grace_period: 3s\n    stop_signal: SIGINT\n");
  const task = taskOf(spec, 't1');
  await h.sync([task]);
  const [container] = await h.runtime.list();
  assert.equal([container?.spec.stopSignal, container?.spec.stopTimeoutMs], ['SIGINT', 3_000]);
  await h.sync([{ ...task, state: 'running', desiredState: 'shutdown' }]);
  assert.equal(await h.runtime.list(), []);
  assert.equal(h.states('t1'), ['preparing', 'starting', 'running', 'shutdown']);
  assert.is(h.last('t1')?.containerId, container?.id);
  await h.sync([{ ...task, state: 'shutdown', desiredState: 'shutdown' }]);
  assert.is(h.reports.length, 4, 'shutting down twice reports once');
});

test('a task desired shutdown before it started is reported shutdown without a container', async () => {
  const h = harness();
  await h.sync([taskOf(sleeper, 't1', { desiredState: 'shutdown' })]);
  assert.equal(h.states('t1'), ['shutdown']);
  assert.equal(await h.runtime.list(), []);
});

test('a deleted task\'s container is stopped and removed, and containers of other nodes are left alone', async () => {
  const h = harness();
  await h.sync([taskOf(sleeper, 't1'), taskOf(sleeper, 't2', { slot: 2 })]);
  const other = await h.runtime.create({ image: 'busybox', command: ['sleep', '1'], env: [], labels: { [taskLabels.nodeId]: 'n2', [taskLabels.taskId]: 'x' }, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false });
  const plain = await h.runtime.create({ image: 'busybox', env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false });
  await h.sync([taskOf(sleeper, 't2', { slot: 2, state: 'running' })]);
  assert.equal((await h.runtime.list()).map((c) => c.name).sort(), ['demo_web.2.t2', other.name, plain.name].sort());
  assert.equal(h.states('t1'), ['preparing', 'starting', 'running'], 'a deleted task gets no more reports');
});

test('a container with this node\'s labels and no task (left by an earlier run) is removed', async () => {
  const h = harness();
  const stray = await h.runtime.create({ image: 'busybox', command: ['sleep', '1000'], env: [], labels: { [taskLabels.nodeId]: 'n1', [taskLabels.taskId]: 'old' }, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false });
  await h.runtime.start(stray.id);
  await h.sync([]);
  assert.equal(await h.runtime.list(), []);
  assert.equal(h.states('old'), ['running'], 'adopted at recovery, then removed without a report');
});

test('an image that cannot be pulled rejects the task with the pull error', async () => {
  const h = harness();
  await h.sync([taskOf(webSpec('    image: example.com/missing:1\n'), 't1')]);
  assert.equal(h.states('t1'), ['preparing', 'rejected']);
  assert.match(h.last('t1')!.error, /^pulling image example\.com\/missing:1: .*manifest unknown/);
  assert.equal(await h.runtime.list(), []);
  await h.sync([taskOf(webSpec('    image: example.com/missing:1\n'), 't1', { state: 'rejected' })]);
  assert.is(h.images.requests.length, 1, 'a rejected task is not tried again');
});

test('a bind mount whose source does not exist rejects the task', async () => {
  const h = harness();
  await h.sync([taskOf(webSpec('    image: busybox\n    volumes:\n      - /no/such/dir:/data\n'), 't1')]);
  assert.equal(h.states('t1'), ['preparing', 'rejected']);
  assert.is(h.last('t1')?.error, 'mounts[0] (target /data): bind source path does not exist: /no/such/dir');
  assert.equal(await h.runtime.list(), []);
});

test('a named volume is a directory made at first use and reused by the next task of the slot', async () => {
  const h = harness();
  const spec = webSpec('    image: busybox\n    command: sleep 1000\n    volumes:\n      - data:/var/data\n      - /tmp:/host-tmp:ro\n    tmpfs: /run:size=1m\n', ['data']);
  await h.sync([taskOf(spec, 't1')]);
  const dir = join(h.volumesDir, 'demo_data');
  assert.ok(existsSync(dir));
  const [first] = await h.runtime.list();
  assert.equal(first?.spec.mounts, [
    { type: 'bind', source: dir, target: '/var/data', readOnly: false },
    { type: 'bind', source: '/tmp', target: '/host-tmp', readOnly: true },
    { type: 'tmpfs', source: '', target: '/run', readOnly: false, tmpfsSizeBytes: 1024 * 1024 },
  ]);
  writeFileSync(join(dir, 'kept'), 'from t1');
  // The orchestrator replaces t1 with t2 in the same slot.
  await h.sync([taskOf(spec, 't1', { state: 'running', desiredState: 'shutdown' }), taskOf(spec, 't2')]);
  const containers = await h.runtime.list();
  assert.equal(containers.map((c) => c.name), ['demo_web.1.t2']);
  assert.is(containers[0]?.spec.mounts[0]?.source, dir);
  assert.is(readFileSync(join(dir, 'kept'), 'utf8'), 'from t1');
});

test('templates in env values, hostname and volume names are expanded per task', async () => {
  const h = harness();
  const spec = webSpec([
    '    image: busybox',
    '    command: sleep 1000',
    '    hostname: "{{.Service.Name}}-{{.Task.Slot}}.{{.Node.Hostname}}"',
    '    environment:',
    '      NODE: "{{.Node.ID}}"',
    '      TASK: "{{.Task.Name}}"',
    '      PLAIN: x',
    '    volumes:',
    '      - "data-{{.Task.Slot}}:/data"',
    '',
  ].join('\n'));
  await h.sync([taskOf(spec, 't1', { slot: 2 })]);
  const [c] = await h.runtime.list();
  assert.is(c?.spec.hostname, 'demo_web-2.host-one');
  assert.equal(c?.spec.env, ['NODE=n1', 'TASK=demo_web.2.t1', 'PLAIN=x']);
  assert.is(c?.spec.mounts[0]?.source, join(h.volumesDir, 'demo_data-2'));
});

test('a health check that passes reports healthy; the running report says starting first', async () => {
  const h = harness();
  const spec = webSpec('    image: busybox\n    command: sleep 1000\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 10s\n      timeout: 2s\n');
  await h.sync([taskOf(spec, 't1')]);
  assert.equal(h.reports.map((r) => [r.state, r.health]), [['preparing', undefined], ['starting', undefined], ['running', 'starting']]);
  await h.timers.advance(9_999);
  assert.is(h.reports.length, 3);
  await h.timers.advance(1);
  assert.equal(h.last('t1'), { taskId: 't1', state: 'running', error: '', containerId: h.last('t1')!.containerId!, health: 'healthy', atMs: 11_000 });
  await h.timers.advance(60_000);
  assert.is(h.reports.length, 4, 'an unchanged health is not reported again');
});

test('a failing health check turns unhealthy after retries consecutive failures, and checking stops with the task', async () => {
  const h = harness();
  const spec = webSpec('    image: busybox\n    command: sleep 1000\n    healthcheck:\n      test: exit 1\n      interval: 5s\n      retries: 3\n');
  const task = taskOf(spec, 't1');
  await h.sync([task]);
  await h.timers.advance(14_999);
  assert.equal(h.reports.map((r) => r.health), [undefined, undefined, 'starting']);
  await h.timers.advance(1);
  assert.equal(h.last('t1')?.health, 'unhealthy');
  assert.is(h.last('t1')?.state, 'running', 'the agent reports; the orchestrator decides');
  await h.sync([{ ...task, desiredState: 'shutdown' }]);
  assert.is(h.timers.pendingCount, 0, 'no probe is scheduled for a stopped task');
  assert.is(h.last('t1')?.state, 'shutdown');
  assertForward(h.reports);
});

test('health probe failures within start_period do not count; a probe that hangs past its timeout fails', async () => {
  const h = harness();
  const spec = webSpec('    image: busybox\n    command: sleep 1000\n    healthcheck:\n      test: ["CMD", "hang"]\n      interval: 10s\n      timeout: 1s\n      retries: 1\n      start_period: 25s\n');
  await h.sync([taskOf(spec, 't1')]);
  // Probes start at 10 s and 21 s (the next starts an interval after one times out) and fail at 11 s and 22 s: within the start period.
  await h.timers.advance(32_999);
  assert.is(h.last('t1')?.health, 'starting');
  await h.timers.advance(1); // the probe started at 32 s times out at 33 s: counted, and one is all retries allows
  assert.is(h.last('t1')?.health, 'unhealthy');
  assert.is(h.last('t1')?.atMs, 1_000 + 33_000);
});

test('recover() adopts a running container without restarting it and watches it again', async () => {
  const h = harness();
  const task = taskOf(sleeper, 't1');
  await h.sync([task]);
  const before = (await h.runtime.list())[0]!;
  const agent = h.restart();
  await agent.recover();
  assert.equal(h.reports.slice(3).map((r) => [r.state, r.containerId]), [['running', before.id]]);
  await h.sync([{ ...task, state: 'running', containerId: before.id }]);
  const after = await h.runtime.list();
  assert.is(after.length, 1);
  assert.equal([after[0]?.id, after[0]?.startedAt, after[0]?.pid], [before.id, before.startedAt, before.pid]);
  h.runtime.crash(before.id, 2);
  await settle();
  assert.equal(h.last('t1')?.state, 'failed');
  assert.equal(h.last('t1')?.error, 'exit code 2');
  assertForward(h.reports.slice(3)); // the new agent announces the running task once, then moves on
});

test('recover() reports a container that ended while no daemon watched; a running task with no container fails', async () => {
  const h = harness();
  await h.sync([taskOf(sleeper, 't1'), taskOf(sleeper, 't2', { slot: 2 })]);
  h.agent.close();
  h.runtime.crash('demo_web.1.t1', 7);
  await h.runtime.remove('demo_web.2.t2', true);
  const agent = h.restart();
  await agent.recover();
  assert.equal([h.last('t1')?.state, h.last('t1')?.exitCode], ['failed', 7]);
  await h.sync([taskOf(sleeper, 't1', { state: 'running' }), taskOf(sleeper, 't2', { slot: 2, state: 'running' })]);
  assert.equal([h.last('t2')?.state, h.last('t2')?.error], ['failed', 'the task\'s container is gone from this node']);
  assert.is((await h.runtime.list()).filter((c) => c.state === 'running').length, 0, 'nothing was started again');
});

test('reports only move forward: the agent never reports behind what the cluster holds', async () => {
  const h = harness();
  // The cluster already has t1 failed (say, from before a restart): desired running does not start it again.
  await h.sync([taskOf(sleeper, 't1', { state: 'failed' }), taskOf(sleeper, 't2', { slot: 2, state: 'running' })]);
  assert.equal(await h.runtime.list(), []);
  assert.equal(h.states('t1'), []);
  assert.equal(h.states('t2'), ['failed']);
  await h.sync([taskOf(sleeper, 't3', { slot: 3 })]);
  await h.sync([taskOf(sleeper, 't3', { slot: 3, state: 'starting' })]); // a stale record is not "news"
  h.runtime.crash('demo_web.3.t3', 1);
  await settle();
  await h.sync([taskOf(sleeper, 't3', { slot: 3, state: 'running', desiredState: 'shutdown' })]);
  assert.equal(h.states('t3'), ['preparing', 'starting', 'running', 'failed']);
  assertForward(h.reports);
});

test('concurrent sync calls create one container per task', async () => {
  const h = harness();
  const tasks = [taskOf(sleeper, 't1'), taskOf(sleeper, 't2', { slot: 2 })];
  await Promise.all([h.agent.sync(tasks), h.agent.sync(tasks), h.agent.sync([...tasks]), h.agent.sync(tasks)]);
  await settle();
  assert.is((await h.runtime.list()).length, 2);
  assert.equal(h.states('t1'), ['preparing', 'starting', 'running']);
  assert.equal(h.states('t2'), ['preparing', 'starting', 'running']);
});

test('a task shut down while its image is pulling never gets a container, and other tasks are not held up', async () => {
  const gate: Array<() => void> = [];
  const slowImages: ImageService = { ensureImage: (ref) => (ref === 'slow' ? new Promise<void>((resolve) => gate.push(resolve)) : Promise.resolve()) };
  const h = harness({ images: slowImages });
  const slow = taskOf(webSpec('    image: slow\n    command: sleep 1000\n'), 'slow');
  const pulling = h.agent.sync([slow]);
  await settle();
  assert.equal(h.states('slow'), ['preparing']);
  const fast = taskOf(sleeper, 'fast', { slot: 2 });
  // This sync resolves once the slow task's pull ends too, but its pass starts the fast task at once.
  const shuttingDown = h.agent.sync([{ ...slow, state: 'preparing', desiredState: 'shutdown' }, fast]);
  await settle();
  assert.equal(h.states('fast'), ['preparing', 'starting', 'running'], 'a pull does not block other tasks');
  gate[0]!();
  await Promise.all([pulling, shuttingDown]);
  await settle();
  assert.equal(h.states('slow'), ['preparing', 'shutdown']);
  assert.equal((await h.runtime.list()).map((c) => c.name), ['demo_web.2.fast']);
  assertForward(h.reports);
});

test('a report the callback refuses is offered again with the next batch', async () => {
  let refuse = true;
  const h = harness({ report: () => { if (refuse) throw new Error('gossip down'); } });
  await h.sync([taskOf(sleeper, 't1')]);
  assert.equal(h.reports, []);
  refuse = false;
  await h.sync([taskOf(sleeper, 't1', { state: 'running', desiredState: 'shutdown' })]);
  assert.equal(h.batches.map((batch) => batch.map((r) => r.state)), [['preparing', 'starting', 'running'], ['shutdown']]);
  assert.match(h.logLines.join('\n'), /the report callback failed; keeping the reports/);
});

test.after(() => {
  for (const h of harnesses.splice(0)) h.cleanup();
});

test.run();
