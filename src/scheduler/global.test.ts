import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConstraint } from '../spec/parse-placement.js';
import { selectGlobalNodes } from './global.js';
import { CPU, GiB, testNode, testService } from './testing.js';

test('a global service runs on every node that passes the filters, in id order', () => {
  const nodes = [
    testNode('n4'),
    testNode('n1', { labels: { disk: 'ssd' } }),
    testNode('n2', { availability: 'drain', labels: { disk: 'ssd' } }),
    testNode('n3', { ready: false }),
    testNode('n5', { availability: 'pause' }),
    testNode('n6', { reserved: { nanoCpus: 3.5 * CPU, memoryBytes: 0 } }),
    testNode('n0', { role: 'manager' }),
  ];
  const service = testService('agent', { nanoCpus: 1 * CPU, placement: { constraints: [parseConstraint('node.role == worker')] } });
  assert.equal(selectGlobalNodes(nodes, service), {
    nodeIds: ['n1', 'n4'],
    rejectedNodeIds: ['n0', 'n2', 'n3', 'n5', 'n6'],
    reason: '1 node is not ready, 1 node is paused, 1 node is drained, 1 node does not satisfy node.role == worker, 1 node lacks 1 CPU',
  });
});

test('a node already running the task keeps it, even when paused or full, but not when drained, down or unmatched', () => {
  const running = { tasksByService: { agent: 1 }, tasksTotal: 1, reserved: { nanoCpus: 0, memoryBytes: 8 * GiB } };
  const nodes = [
    testNode('full', running),
    testNode('paused', { ...running, availability: 'pause' }),
    testNode('drained', { ...running, availability: 'drain' }),
    testNode('down', { ...running, ready: false }),
    testNode('moved', { ...running, labels: { zone: 'b' } }),
  ];
  const service = testService('agent', { memoryBytes: GiB, placement: { constraints: [parseConstraint('node.labels.zone != b')] } });
  const selection = selectGlobalNodes(nodes, service);
  assert.equal(selection.nodeIds, ['full', 'paused']);
  assert.equal(selection.rejectedNodeIds, ['down', 'drained', 'moved']);
});

test('with every node eligible the reason is empty', () => {
  assert.equal(selectGlobalNodes([testNode('b'), testNode('a')], testService('agent')), { nodeIds: ['a', 'b'], rejectedNodeIds: [], reason: '' });
});

test('with no nodes nothing is selected', () => {
  assert.equal(selectGlobalNodes([], testService('agent')), { nodeIds: [], rejectedNodeIds: [], reason: '' });
});

test('a paused node that no longer matches the constraints loses its task (orchestration sim: SWARMTS_SEED=11 SWARMTS_SIM_NODES=5 SWARMTS_SIM_SCENARIO=random)', () => {
  const running = { tasksByService: { agent: 1 }, tasksTotal: 1 };
  const nodes = [testNode('paused', { ...running, availability: 'pause', labels: { zone: 'b' } }), testNode('kept', { ...running, availability: 'pause', labels: { zone: 'a' } })];
  const service = testService('agent', { placement: { constraints: [parseConstraint('node.labels.zone == a')] } });
  const selection = selectGlobalNodes(nodes, service);
  assert.equal(selection.nodeIds, ['kept']);
  assert.equal(selection.reason, '1 node does not satisfy node.labels.zone == a');
});

test.run();
