import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConstraint } from '../spec/parse-placement.js';
import type { NodeState } from './node-state.js';
import { placeTasks, type PlacementResult } from './place-tasks.js';
import { GiB, taskIds, testNode, testService } from './testing.js';

/** Label value (or '' when missing) -> tasks placed on nodes with it. */
function perLabel(result: PlacementResult, nodes: readonly NodeState[], label: string): Record<string, number> {
  const byId = new Map(nodes.map((n) => [n.info.id, n]));
  const counts: Record<string, number> = {};
  for (const { nodeId } of result.placements) {
    const value = byId.get(nodeId)!.info.labels[label] ?? '';
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

const zoneSpread = { preferences: [{ spread: 'node.labels.zone' }] };

test('spread over a label divides tasks evenly between its values, not between nodes', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' } }),
    testNode('b1', { labels: { zone: 'b' } }),
    testNode('b2', { labels: { zone: 'b' } }),
    testNode('b3', { labels: { zone: 'b' } }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { placement: zoneSpread }), taskIds: taskIds(6) });
  assert.equal(perLabel(result, nodes, 'zone'), { a: 3, b: 3 });
  assert.equal(result.placements.filter((p) => p.nodeId === 'a1').length, 3);
});

test('within a value, tasks spread over its nodes', () => {
  const nodes = [testNode('a1', { labels: { zone: 'a' } }), testNode('a2', { labels: { zone: 'a' } }), testNode('b1', { labels: { zone: 'b' } })];
  const result = placeTasks({ nodes, service: testService('web', { placement: zoneSpread }), taskIds: taskIds(4) });
  assert.equal(result.placements.map((p) => p.nodeId), ['a1', 'b1', 'a2', 'b1']);
});

test('nodes without the label form a group of their own', () => {
  const nodes = [testNode('a1', { labels: { zone: 'a' } }), testNode('x1'), testNode('x2'), testNode('b1', { labels: { zone: 'b' } })];
  const result = placeTasks({ nodes, service: testService('web', { placement: zoneSpread }), taskIds: taskIds(6) });
  assert.equal(perLabel(result, nodes, 'zone'), { '': 2, a: 2, b: 2 });
});

test('tasks already running count: new tasks go to the values that have fewest', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' }, tasksByService: { web: 3 }, tasksTotal: 3 }),
    testNode('b1', { labels: { zone: 'b' }, tasksByService: { web: 1 }, tasksTotal: 1 }),
    testNode('c1', { labels: { zone: 'c' } }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { placement: zoneSpread }), taskIds: taskIds(5) });
  assert.equal(result.placements.map((p) => p.nodeId), ['c1', 'b1', 'c1', 'b1', 'c1']);
  assert.equal(perLabel(result, nodes, 'zone'), { b: 2, c: 3 });
});

test('a value whose nodes are full or filtered out takes nothing, the others share the rest', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' }, resources: { nanoCpus: 4e9, memoryBytes: 2 * GiB } }),
    testNode('b1', { labels: { zone: 'b' } }),
    testNode('c1', { labels: { zone: 'c' }, availability: 'drain' }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: GiB, placement: zoneSpread }), taskIds: taskIds(6) });
  assert.equal(perLabel(result, nodes, 'zone'), { a: 2, b: 4 });
  assert.equal(result.unplaced, []);
});

test('as in swarmkit, tasks on a node that cannot take one more do not count towards its value', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' }, tasksByService: { web: 4 }, tasksTotal: 4, reserved: { nanoCpus: 0, memoryBytes: 8 * GiB } }),
    testNode('a2', { labels: { zone: 'a' } }),
    testNode('b1', { labels: { zone: 'b' } }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: GiB, placement: zoneSpread }), taskIds: taskIds(4) });
  assert.equal(result.placements.map((p) => p.nodeId), ['a2', 'b1', 'a2', 'b1']);
});

test('nested preferences: even over zones first, then over racks within each zone', () => {
  const nodes = [
    testNode('a-r1-1', { labels: { zone: 'a', rack: 'r1' } }),
    testNode('a-r1-2', { labels: { zone: 'a', rack: 'r1' } }),
    testNode('a-r1-3', { labels: { zone: 'a', rack: 'r1' } }),
    testNode('a-r2-1', { labels: { zone: 'a', rack: 'r2' } }),
    testNode('b-r3-1', { labels: { zone: 'b', rack: 'r3' } }),
    testNode('b-r4-1', { labels: { zone: 'b', rack: 'r4' } }),
    testNode('b-r5-1', { labels: { zone: 'b', rack: 'r5' } }),
  ];
  const placement = { preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }] };
  const result = placeTasks({ nodes, service: testService('web', { placement }), taskIds: taskIds(12) });
  assert.equal(perLabel(result, nodes, 'zone'), { a: 6, b: 6 });
  assert.equal(perLabel(result, nodes, 'rack'), { r1: 3, r2: 3, r3: 2, r4: 2, r5: 2 });
  const r1 = result.placements.filter((p) => p.nodeId.startsWith('a-r1-')).map((p) => p.nodeId).sort();
  assert.equal(r1, ['a-r1-1', 'a-r1-2', 'a-r1-3']);
});

test('preferences over fixed attributes: node.role and node.platform.arch', () => {
  const nodes = [testNode('m1', { role: 'manager' }), testNode('w1'), testNode('w2'), testNode('w3', { platform: { os: 'linux', arch: 'aarch64' } })];
  const byRole = placeTasks({ nodes, service: testService('web', { placement: { preferences: [{ spread: 'node.role' }] } }), taskIds: taskIds(4) });
  assert.equal(byRole.placements.filter((p) => p.nodeId === 'm1').length, 2);
  const byArch = placeTasks({ nodes, service: testService('web', { placement: { preferences: [{ spread: 'node.platform.arch' }] } }), taskIds: taskIds(4) });
  assert.equal(byArch.placements.filter((p) => p.nodeId === 'w3').length, 2);
});

test('preferences combine with constraints: groups hold only matching nodes', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a', disk: 'ssd' } }),
    testNode('a2', { labels: { zone: 'a', disk: 'hdd' } }),
    testNode('b1', { labels: { zone: 'b', disk: 'ssd' } }),
    testNode('c1', { labels: { zone: 'c', disk: 'hdd' } }),
  ];
  const service = testService('web', { placement: { ...zoneSpread, constraints: [parseConstraint('node.labels.disk == ssd')] } });
  const result = placeTasks({ nodes, service, taskIds: taskIds(4) });
  assert.equal(result.placements.map((p) => p.nodeId), ['a1', 'b1', 'a1', 'b1']);
});

test('binpack within preference groups: even over values, packed within', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' } }),
    testNode('a2', { labels: { zone: 'a' }, reserved: { nanoCpus: 0, memoryBytes: 2 * GiB }, tasksTotal: 1 }),
    testNode('b1', { labels: { zone: 'b' } }),
    testNode('b2', { labels: { zone: 'b' } }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: GiB, placement: zoneSpread }), taskIds: taskIds(4), strategy: 'binpack' });
  assert.equal(result.placements.map((p) => p.nodeId), ['a2', 'b1', 'a2', 'b1']);
});

test('when every group is exhausted the reason counts the nodes of all of them', () => {
  const nodes = [
    testNode('a1', { labels: { zone: 'a' }, resources: { nanoCpus: 4e9, memoryBytes: GiB } }),
    testNode('b1', { labels: { zone: 'b' }, resources: { nanoCpus: 4e9, memoryBytes: GiB } }),
    testNode('c1', { labels: { zone: 'c' }, ready: false }),
  ];
  const result = placeTasks({ nodes, service: testService('web', { memoryBytes: GiB, placement: zoneSpread }), taskIds: taskIds(3) });
  assert.equal(result.placements.map((p) => p.nodeId), ['a1', 'b1']);
  assert.equal(result.unplaced, [{ taskId: 't3', reason: 'no suitable node: 2 nodes lack 1 GiB of memory, 1 node is not ready' }]);
});

test.run();
