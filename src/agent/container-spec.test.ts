import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { buildContainerSpec, taskContainerName, taskReplicaName } from './container-spec.js';
import { taskLabels } from './task-labels.js';
import { taskOf, webSpec } from './test-fixtures.js';

const node = { id: 'n1', hostname: 'host-one' };

test('container names follow Swarm: service.slot.task for replicated tasks, service.node.task for global ones', () => {
  const spec = webSpec();
  const cases: Array<[Parameters<typeof taskOf>[2], string, string]> = [
    [{ slot: 1 }, 'demo_web.1', 'demo_web.1.t1'],
    [{ slot: 12 }, 'demo_web.12', 'demo_web.12.t1'],
    [{ slot: 0, nodeId: '12D3KooWGLRWzaVB1uCHX4NpJW5X3AxjR7mnrPS3A1L3fVP9viuc' }, 'demo_web.A1L3fVP9viuc', 'demo_web.A1L3fVP9viuc.t1'],
  ];
  for (const [over, replica, name] of cases) {
    const task = taskOf(spec, 't1', over);
    assert.is(taskReplicaName(task), replica);
    assert.is(taskContainerName(task), name);
  }
  const long = webSpec().name.padEnd(60, 'x');
  const named = taskContainerName(taskOf({ ...webSpec(), name: long }, 'q1e92occh9quwb92igor3aqhi', { slot: 7 }));
  assert.is(named.length, 63, 'a long service name is cut so the name fits the runtime');
  assert.ok(named.endsWith('.q1e92occh9quwb92igor3aqhi'), 'the task id stays whole: it keeps names unique');
});

test('a full spec maps field by field to the container spec', () => {
  const spec = webSpec([
    '    image: busybox:1.36',
    '    entrypoint: ["/bin/sh", "-c"]',
    '    command: ["echo $$A"]',
    '    user: "1000:1000"',
    '    working_dir: /work',
    '    read_only: true',
    '    stop_signal: SIGQUIT',
    '    stop_grace_period: 2500ms',
    '    environment: { A: "1", B: "x=y" }',
    '    labels: { team: blue, swarmts.task.id: forged }',
    '    deploy:',
    '      resources:',
    '        limits: { cpus: "0.5", memory: 64M, pids: 100 }',
    '',
  ].join('\n'));
  const container = buildContainerSpec(taskOf(spec, 't1'), node, []);
  assert.equal(container, {
    name: 'demo_web.1.t1',
    image: 'busybox:1.36',
    entrypoint: ['/bin/sh', '-c'],
    command: ['echo $A'],
    env: ['A=1', 'B=x=y'],
    user: '1000:1000',
    workingDir: '/work',
    hostname: 't1',
    labels: { team: 'blue', [taskLabels.taskId]: 't1', [taskLabels.serviceId]: 'svc-web', [taskLabels.serviceName]: 'demo_web', [taskLabels.nodeId]: 'n1' },
    resources: { nanoCpus: 500_000_000, memoryBytes: 64 * 1024 * 1024, pidsLimit: 100 },
    network: { mode: 'none' },
    mounts: [],
    readOnlyRootfs: true,
    stopSignal: 'SIGQUIT',
    stopTimeoutMs: 2_500,
  });
});

test('a minimal spec keeps the image\'s command, entrypoint, user and working dir, and sets no limits', () => {
  const container = buildContainerSpec(taskOf(webSpec(), 't1'), node, []);
  for (const key of ['command', 'entrypoint', 'user', 'workingDir', 'stopSignal'] as const) assert.is(container[key], undefined, key);
  assert.equal(container.resources, {});
  assert.equal(container.env, []);
  assert.is(container.stopTimeoutMs, 10_000, 'compose\'s default grace period');
});

test('templates expand in env values and hostname, cut to Linux\'s 63 characters; the default hostname is the task id\'s start', () => {
  const spec = webSpec('    image: busybox\n    hostname: "{{.Node.Hostname}}-{{.Task.Slot}}"\n    environment:\n      WHO: "{{.Node.ID}}/{{.Service.Name}}/{{.Service.ID}}/{{.Task.ID}}/{{.Task.Name}}"\n');
  const container = buildContainerSpec(taskOf(spec, 't1', { slot: 3 }), node, []);
  assert.is(container.hostname, 'host-one-3');
  assert.equal(container.env, ['WHO=n1/demo_web/svc-web/t1/demo_web.3.t1']);
  const plain = buildContainerSpec(taskOf(webSpec(), 'q1e92occh9quwb92igor3aqhi', { slot: 2 }), node, []);
  assert.is(plain.hostname, 'q1e92occh9qu', 'no hostname: the task id\'s first 12 characters, with no dot');
  const long = buildContainerSpec(taskOf({ ...webSpec(), hostname: '{{.Node.ID}}' }, 't1', { slot: 0, nodeId: 'x'.repeat(80) }), { ...node, id: 'x'.repeat(80) }, []);
  assert.is(long.hostname?.length, 63);
});

test('a bad template in a task (made by hand, not by the parser) is an INVALID_ARGUMENT naming the field', () => {
  const spec = { ...webSpec(), env: { A: '{{.Nope}}' } };
  try {
    buildContainerSpec(taskOf(spec, 't1'), node, []);
    assert.unreachable('should throw');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'));
    assert.match((err as Error).message, /^environment A: unknown template "\{\{\.Nope\}\}"/);
  }
});

test.run();
