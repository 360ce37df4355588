import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeInfo } from './node-info.js';
import { parseConstraint } from './parse-placement.js';
import { matchesConstraints, nodeAttribute } from './placement-match.js';

const node: NodeInfo = {
  id: 'n1',
  hostname: 'node-1',
  role: 'worker',
  availability: 'active',
  labels: { zone: 'east', ssd: 'true' },
  platform: { os: 'linux', arch: 'x86_64' },
  resources: { nanoCpus: 4e9, memoryBytes: 8 * 1024 ** 3 },
};

test('placement keys read the node; a missing label reads as empty; unknown keys as undefined', () => {
  const cases: Array<[string, string | undefined]> = [
    ['node.id', 'n1'], ['node.hostname', 'node-1'], ['node.role', 'worker'], ['node.platform.os', 'linux'],
    ['node.platform.arch', 'x86_64'], ['node.labels.zone', 'east'], ['node.labels.rack', ''], ['node.name', undefined],
    ['engine.labels.zone', undefined], ['node.labels.', undefined],
  ];
  for (const [key, value] of cases) assert.is(nodeAttribute(node, key), value, key);
});

test('constraints match like swarmkit: case-insensitive values, != holds for missing labels', () => {
  const cases: Array<[string[], boolean]> = [
    [[], true],
    [['node.role == worker'], true],
    [['node.role == manager'], false],
    [['node.role != manager'], true],
    [['node.hostname == NODE-1'], true],
    [['node.labels.zone == east', 'node.labels.ssd == true'], true],
    [['node.labels.zone == east', 'node.labels.ssd == false'], false],
    [['node.labels.rack == a'], false],
    [['node.labels.rack != a'], true],
    [['node.platform.os == linux', 'node.platform.arch != aarch64'], true],
    [['node.id == n2'], false],
  ];
  for (const [texts, ok] of cases) assert.is(matchesConstraints(node, texts.map(parseConstraint)), ok, texts.join(', '));
});

test.run();
