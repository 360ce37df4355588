import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConstraint } from '../spec/parse-placement.js';
import { placeTasks, type PlacementResult } from './place-tasks.js';
import { CPU, GiB, taskIds, testNode, testService } from './testing.js';

/** Node id -> tasks placed there, in node id order, to compare results in one line. */
function perNode(result: PlacementResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { nodeId } of [...result.placements].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1))) counts[nodeId] = (counts[nodeId] ?? 0) + 1;
  return counts;
}

/** Node ids in the order the tasks were placed. */
const order = (result: PlacementResult): string[] => result.placements.map((p) => p.nodeId);

test('spread puts an equal share of tasks on each node', () => {
  const result = placeTasks({ nodes: ['n1', 'n2', 'n3'].map((id) => testNode(id)), service: testService('web'), taskIds: taskIds(6) });
  assert.equal(perNode(result), { n1: 2, n2: 2, n3: 2 });
  assert.equal(result.unplaced, []);
});

test('ties between equal nodes go to the smaller node id, whatever the input order', () => {
  const service = testService('web');
  const forward = placeTasks({ nodes: ['n1', 'n2', 'n3'].map((id) => testNode(id)), service, taskIds: taskIds(4) });
  const backward = placeTasks({ nodes: ['n3', 'n2', 'n1'].map((id) => testNode(id)), service, taskIds: taskIds(4) });
  assert.equal(order(forward), ['n1', 'n2', 'n3', 'n1']);
  assert.equal(order(backward), order(forward));
});

test('spread picks the node with fewest tasks of the service, then fewest in total', () => {
  const nodes = [
    testNode('n1', { tasksByService: { web: 1 }, tasksTotal: 1 }),
    testNode('n2', { tasksByService: { db: 3 }, tasksTotal: 3 }),
    testNode('n3', { tasksByService: { db: 1 }, tasksTotal: 1 }),
  ];
  const result = placeTasks({ nodes, service: testService('web'), taskIds: taskIds(3) });
  assert.equal(order(result), ['n3', 'n2', 'n1']);
});

test('the batch sees its own reservations: a node full after two tasks takes no third', () => {
  const nodes = [testNode('n1', { resources: { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB } })];
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: 2 * GiB }), taskIds: taskIds(3) });
  assert.equal(order(result), ['n1', 'n1']);
  assert.equal(result.unplaced, [{ taskId: 't3', reason: 'no suitable node: 1 node lacks 2 GiB of memory' }]);
});

test('the batch sees its own counts: max replicas per node caps each node', () => {
  const nodes = ['n1', 'n2'].map((id) => testNode(id));
  const result = placeTasks({ nodes, service: testService('web', { placement: { maxReplicasPerNode: 2 } }), taskIds: taskIds(5) });
  assert.equal(perNode(result), { n1: 2, n2: 2 });
  assert.equal(result.unplaced, [{ taskId: 't5', reason: 'no suitable node: max replicas per node (2) reached on 2 nodes' }]);
});

test('max replicas per node counts the tasks already there', () => {
  const nodes = [testNode('n1', { tasksByService: { web: 2 }, tasksTotal: 2 }), testNode('n2')];
  const result = placeTasks({ nodes, service: testService('web', { placement: { maxReplicasPerNode: 2 } }), taskIds: taskIds(3) });
  assert.equal(order(result), ['n2', 'n2']);
  assert.is(result.unplaced[0]?.reason, 'no suitable node: max replicas per node (2) reached on 2 nodes');
});

test('resources already reserved by other services count against capacity', () => {
  const nodes = [
    testNode('n1', { reserved: { nanoCpus: 3.5 * CPU, memoryBytes: 0 }, tasksTotal: 1 }),
    testNode('n2', { reserved: { nanoCpus: 2 * CPU, memoryBytes: 0 }, tasksTotal: 5 }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { nanoCpus: 1 * CPU }), taskIds: taskIds(3) });
  assert.equal(order(result), ['n2', 'n2']);
  assert.is(result.unplaced[0]?.reason, 'no suitable node: 2 nodes lack 1 CPU');
});

test('the result carries the nodes with the batch added, and leaves the input as it was', () => {
  const nodes = [testNode('n1', { tasksByService: { db: 1 }, tasksTotal: 1, reserved: { nanoCpus: CPU, memoryBytes: GiB } }), testNode('n2', { availability: 'drain' })];
  const before = JSON.stringify(nodes);
  const result = placeTasks({ nodes, service: testService('web', { nanoCpus: CPU / 2, memoryBytes: GiB }), taskIds: taskIds(2) });
  assert.is(JSON.stringify(nodes), before);
  assert.equal(result.nodes[0]?.reserved, { nanoCpus: 2 * CPU, memoryBytes: 3 * GiB });
  assert.equal(result.nodes[0]?.tasksByService, { db: 1, web: 2 });
  assert.is(result.nodes[0]?.tasksTotal, 3);
  assert.is(result.nodes[1], nodes[1], 'an untouched node is passed through');
});

test('paused, drained and unready nodes take nothing; active ones take everything', () => {
  const nodes = [
    testNode('n1', { availability: 'pause' }),
    testNode('n2', { availability: 'drain' }),
    testNode('n3', { ready: false }),
    testNode('n4'),
  ];
  assert.equal(perNode(placeTasks({ nodes, service: testService('web'), taskIds: taskIds(3) })), { n4: 3 });
});

test('constraints keep tasks on matching nodes', () => {
  const nodes = [
    testNode('n1', { labels: { disk: 'ssd' } }),
    testNode('n2', { labels: { disk: 'hdd' } }),
    testNode('n3', { labels: { disk: 'ssd' }, role: 'manager' }),
    testNode('n4'),
  ];
  const ssd = testService('web', { placement: { constraints: [parseConstraint('node.labels.disk == ssd')] } });
  assert.equal(perNode(placeTasks({ nodes, service: ssd, taskIds: taskIds(4) })), { n1: 2, n3: 2 });
  const ssdWorker = testService('web', { placement: { constraints: [parseConstraint('node.labels.disk == ssd'), parseConstraint('node.role != manager')] } });
  assert.equal(perNode(placeTasks({ nodes, service: ssdWorker, taskIds: taskIds(2) })), { n1: 2 });
});

test('binpack fills the fullest node that still fits before the next', () => {
  const nodes = [
    testNode('n1', { reserved: { nanoCpus: 1 * CPU, memoryBytes: 2 * GiB }, tasksTotal: 1 }),
    testNode('n2', { reserved: { nanoCpus: 2 * CPU, memoryBytes: 4 * GiB }, tasksTotal: 1 }),
    testNode('n3'),
  ];
  const service = testService('web', { nanoCpus: 1 * CPU, memoryBytes: 2 * GiB });
  const binpack = placeTasks({ nodes, service, taskIds: taskIds(5), strategy: 'binpack' });
  assert.equal(order(binpack), ['n2', 'n2', 'n1', 'n1', 'n1']);
  const spread = placeTasks({ nodes, service, taskIds: taskIds(5), strategy: 'spread' });
  assert.equal(order(spread), ['n3', 'n1', 'n2', 'n3', 'n1']);
});

test('binpack without reservations stacks on the busiest node', () => {
  const nodes = [testNode('n1', { tasksTotal: 1, tasksByService: { db: 1 } }), testNode('n2', { tasksTotal: 2, tasksByService: { db: 2 } })];
  assert.equal(perNode(placeTasks({ nodes, service: testService('web'), taskIds: taskIds(3), strategy: 'binpack' })), { n2: 3 });
});

test('binpack ties between equally full nodes go to the smaller id', () => {
  const nodes = ['n3', 'n1', 'n2'].map((id) => testNode(id));
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: 4 * GiB }), taskIds: taskIds(4), strategy: 'binpack' });
  assert.equal(order(result), ['n1', 'n1', 'n2', 'n2']);
});

test('a task that fits nowhere says why, per filter, counting each node once', () => {
  const service = testService('web', { memoryBytes: 2 * GiB, placement: { constraints: [parseConstraint('node.labels.zone == a')] } });
  const full = { reserved: { nanoCpus: 0, memoryBytes: 7 * GiB }, labels: { zone: 'a' } };
  const nodes = [
    testNode('n1', full),
    testNode('n2', full),
    testNode('n3', full),
    testNode('n4', { availability: 'drain', labels: { zone: 'a' } }),
    testNode('n5', { availability: 'drain' }),
    testNode('n6', { labels: { zone: 'b' } }),
  ];
  const result = placeTasks({ nodes, service, taskIds: taskIds(2) });
  const reason = 'no suitable node: 3 nodes lack 2 GiB of memory, 2 nodes are drained, 1 node does not satisfy node.labels.zone == a';
  assert.equal(result.placements, []);
  assert.equal(result.unplaced, [{ taskId: 't1', reason }, { taskId: 't2', reason }]);
});

const impossible: [string, Parameters<typeof testNode>[1][], Parameters<typeof testService>[1], string][] = [
  ['no nodes', [], {}, 'no suitable node: there are no nodes'],
  ['every node down', [{ ready: false }, { ready: false }], {}, 'no suitable node: 2 nodes are not ready'],
  ['one paused node', [{ availability: 'pause' }], {}, 'no suitable node: 1 node is paused'],
  ['too much cpu', [{}, { availability: 'pause' }], { nanoCpus: 8 * CPU }, 'no suitable node: 1 node is paused, 1 node lacks 8 CPUs'],
  ['too much memory', [{}, {}], { memoryBytes: 512 * GiB }, 'no suitable node: 2 nodes lack 512 GiB of memory'],
  ['a platform nobody has', [{}, {}, {}], { placement: { constraints: [parseConstraint('node.platform.arch == riscv64')] } }, 'no suitable node: 3 nodes do not satisfy node.platform.arch == riscv64'],
  ['max replicas on a single node', [{ tasksByService: { web: 1 } }], { placement: { maxReplicasPerNode: 1 } }, 'no suitable node: max replicas per node (1) reached on 1 node'],
];
for (const [name, nodeOptions, serviceOptions, reason] of impossible) {
  test(`impossible placement, ${name}: "${reason}"`, () => {
    const nodes = nodeOptions.map((options, i) => testNode(`n${i + 1}`, options));
    const result = placeTasks({ nodes, service: testService('web', serviceOptions), taskIds: ['t1'] });
    assert.equal(result.unplaced, [{ taskId: 't1', reason }]);
  });
}

test('an empty batch places nothing and returns the nodes unchanged', () => {
  const nodes = [testNode('n1')];
  const result = placeTasks({ nodes, service: testService('web'), taskIds: [] });
  assert.equal(result, { placements: [], unplaced: [], nodes });
});

test('duplicate node ids are a programmer error', () => {
  assert.throws(() => placeTasks({ nodes: [testNode('n1'), testNode('n1')], service: testService('web'), taskIds: ['t1'] }), /node ids are unique/);
});

test.run();
