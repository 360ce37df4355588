import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConstraint } from '../spec/parse-placement.js';
import { FailureTally, formatBytes, formatCpus } from './explain.js';
import type { FilterFailure } from './filters.js';
import { CPU, GiB, MiB, testService } from './testing.js';

const bytes: [number, string][] = [
  [0, '0 B'],
  [1, '1 B'],
  [1023, '1023 B'],
  [1024, '1 KiB'],
  [1536, '1.5 KiB'],
  [512 * MiB, '512 MiB'],
  [2 * GiB, '2 GiB'],
  [1.5 * GiB, '1.5 GiB'],
  [123_456_789, '117.74 MiB'],
  [3 * 1024 * GiB, '3 TiB'],
];
for (const [n, text] of bytes) test(`formatBytes(${n}) is "${text}"`, () => assert.is(formatBytes(n), text));

const cpus: [number, string][] = [
  [1 * CPU, '1 CPU'],
  [2 * CPU, '2 CPUs'],
  [0.5 * CPU, '0.5 CPUs'],
  [2.25 * CPU, '2.25 CPUs'],
  [0.001 * CPU, '0.001 CPUs'],
  [1, '1e-9 CPUs'],
];
for (const [n, text] of cpus) test(`formatCpus(${n}) is "${text}"`, () => assert.is(formatCpus(n), text));

const service = testService('web', {
  nanoCpus: 1.5 * CPU,
  memoryBytes: 2 * GiB,
  placement: { constraints: [parseConstraint('node.labels.zone == a'), parseConstraint('node.role != manager')], maxReplicasPerNode: 2 },
});

function reason(...failures: [FilterFailure, number][]): string {
  const tally = new FailureTally(service);
  for (const [failure, count] of failures) for (let i = 0; i < count; i++) tally.add(failure);
  return tally.reason();
}

test('a tally reads largest count first', () => {
  assert.is(
    reason([{ kind: 'constraint', constraint: 0 }, 1], [{ kind: 'drained' }, 2], [{ kind: 'memory' }, 3]),
    'no suitable node: 3 nodes lack 2 GiB of memory, 2 nodes are drained, 1 node does not satisfy node.labels.zone == a',
  );
});

test('equal counts read in pipeline order', () => {
  assert.is(
    reason([{ kind: 'memory' }, 1], [{ kind: 'cpu' }, 1], [{ kind: 'max-replicas' }, 1], [{ kind: 'constraint', constraint: 1 }, 1],
      [{ kind: 'constraint', constraint: 0 }, 1], [{ kind: 'drained' }, 1], [{ kind: 'paused' }, 1], [{ kind: 'not-ready' }, 1]),
    'no suitable node: 1 node is not ready, 1 node is paused, 1 node is drained, 1 node does not satisfy node.labels.zone == a, '
      + '1 node does not satisfy node.role != manager, max replicas per node (2) reached on 1 node, 1 node lacks 1.5 CPUs, 1 node lacks 2 GiB of memory',
  );
});

test('plural phrases', () => {
  assert.is(
    reason([{ kind: 'not-ready' }, 7], [{ kind: 'paused' }, 6], [{ kind: 'max-replicas' }, 4], [{ kind: 'cpu' }, 3], [{ kind: 'constraint', constraint: 1 }, 2]),
    'no suitable node: 7 nodes are not ready, 6 nodes are paused, max replicas per node (2) reached on 4 nodes, 3 nodes lack 1.5 CPUs, 2 nodes do not satisfy node.role != manager',
  );
});

test('with no node at all the reason says so', () => {
  assert.is(reason(), 'no suitable node: there are no nodes');
  assert.is(new FailureTally(service).summary(), '');
});

test.run();
