import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConstraint } from '../spec/parse-placement.js';
import { nodeFailure } from './filters.js';
import { CPU, GiB, testNode, testService, type TestNodeOptions } from './testing.js';

const manager: TestNodeOptions = {
  hostname: 'alpha',
  role: 'manager',
  labels: { zone: 'a', disk: 'ssd' },
  platform: { os: 'linux', arch: 'aarch64' },
};

/** [constraint, passes on node n1 (alpha, manager, linux/aarch64, zone=a, disk=ssd)] */
const constraintCases: [string, boolean][] = [
  ['node.id == n1', true],
  ['node.id == n2', false],
  ['node.id != n2', true],
  ['node.id != n1', false],
  ['node.hostname == alpha', true],
  ['node.hostname == beta', false],
  ['node.hostname != beta', true],
  ['node.hostname != alpha', false],
  ['node.role == manager', true],
  ['node.role == worker', false],
  ['node.role != worker', true],
  ['node.role != manager', false],
  ['node.platform.os == linux', true],
  ['node.platform.os == windows', false],
  ['node.platform.os != windows', true],
  ['node.platform.arch == aarch64', true],
  ['node.platform.arch != aarch64', false],
  ['node.labels.zone == a', true],
  ['node.labels.zone == b', false],
  ['node.labels.zone != b', true],
  ['node.labels.zone != a', false],
  ['node.labels.zone == A', true], // values compare case-insensitively, as in swarmkit
  ['node.labels.rack == r1', false], // a missing label reads as ''
  ['node.labels.rack != r1', true],
];

for (const [text, passes] of constraintCases) {
  test(`constraint ${text} ${passes ? 'admits' : 'turns away'} the node`, () => {
    const service = testService('web', { placement: { constraints: [parseConstraint(text)] } });
    const failure = nodeFailure(testNode('n1', manager), service);
    assert.equal(failure, passes ? undefined : { kind: 'constraint', constraint: 0 });
  });
}

test('the first unmet constraint is the one charged', () => {
  const constraints = ['node.role == manager', 'node.labels.zone == b', 'node.labels.disk == hdd'].map(parseConstraint);
  assert.equal(nodeFailure(testNode('n1', manager), testService('web', { placement: { constraints } })), { kind: 'constraint', constraint: 1 });
});

/** [name, node options, service options, expected failure kind or undefined] */
const cases: [string, TestNodeOptions, Parameters<typeof testService>[1], string | undefined][] = [
  ['a ready active node takes a task', {}, {}, undefined],
  ['a node that is not ready takes nothing', { ready: false }, {}, 'not-ready'],
  ['a paused node takes nothing new', { availability: 'pause' }, {}, 'paused'],
  ['a drained node takes nothing new', { availability: 'drain' }, {}, 'drained'],
  ['not ready is charged before drained', { ready: false, availability: 'drain' }, {}, 'not-ready'],
  ['drained is charged before a missing label', { availability: 'drain' }, { placement: { constraints: [parseConstraint('node.labels.x == y')] } }, 'drained'],
  ['cpu that exactly fills the node fits', { reserved: { nanoCpus: 3 * CPU, memoryBytes: 0 } }, { nanoCpus: 1 * CPU }, undefined],
  ['one nano-CPU too many does not fit', { reserved: { nanoCpus: 3 * CPU + 1, memoryBytes: 0 } }, { nanoCpus: 1 * CPU }, 'cpu'],
  ['more cpu than the node has does not fit an empty node', {}, { nanoCpus: 5 * CPU }, 'cpu'],
  ['memory that exactly fills the node fits', { reserved: { nanoCpus: 0, memoryBytes: 6 * GiB } }, { memoryBytes: 2 * GiB }, undefined],
  ['one byte of memory too many does not fit', { reserved: { nanoCpus: 0, memoryBytes: 6 * GiB + 1 } }, { memoryBytes: 2 * GiB }, 'memory'],
  ['cpu is charged before memory', { reserved: { nanoCpus: 4 * CPU, memoryBytes: 8 * GiB } }, { nanoCpus: 1, memoryBytes: 1 }, 'cpu'],
  ['a task without reservations fits an overcommitted node', { reserved: { nanoCpus: 9 * CPU, memoryBytes: 99 * GiB } }, {}, undefined],
  ['a node with no reported capacity takes tasks without reservations', { resources: { nanoCpus: 0, memoryBytes: 0 } }, {}, undefined],
  ['a node with no reported capacity takes no reserving task', { resources: { nanoCpus: 0, memoryBytes: 0 } }, { memoryBytes: 1 }, 'memory'],
  ['below max replicas per node fits', { tasksByService: { web: 1 } }, { placement: { maxReplicasPerNode: 2 } }, undefined],
  ['at max replicas per node does not fit', { tasksByService: { web: 2 } }, { placement: { maxReplicasPerNode: 2 } }, 'max-replicas'],
  ['other services do not count towards max replicas', { tasksByService: { db: 5 }, tasksTotal: 5 }, { placement: { maxReplicasPerNode: 1 } }, undefined],
  ['max replicas per node 0 means no limit', { tasksByService: { web: 50 } }, { placement: { maxReplicasPerNode: 0 } }, undefined],
  ['max replicas is charged before resources', { tasksByService: { web: 1 }, reserved: { nanoCpus: 4 * CPU, memoryBytes: 0 } }, { nanoCpus: CPU, placement: { maxReplicasPerNode: 1 } }, 'max-replicas'],
];

for (const [name, node, service, expected] of cases) {
  test(name, () => {
    assert.equal(nodeFailure(testNode('n1', node), testService('web', service))?.kind, expected);
  });
}

test.run();
