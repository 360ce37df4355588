import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom, type Random } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { nodeAttribute } from '../spec/placement-match.js';
import type { PlacementConstraint } from '../spec/service-spec.js';
import type { PlacementStrategy } from './config.js';
import { FailureTally } from './explain.js';
import { nodeFailure } from './filters.js';
import { type NodeState, type SchedulingService, withPlacedTasks } from './node-state.js';
import { placeTasks, type PlacementBatch, type PlacementResult } from './place-tasks.js';
import { CPU, GiB, taskIds, testNode, testService } from './testing.js';

/**
 * placeTasks against a reference that rescans every node for every task: the same
 * filters, groups and order written the slow, obvious way. Random batches from
 * SWARMTS_SEED (printed on failure) must come out identical.
 */

function fullness(node: NodeState, service: SchedulingService): number {
  const { nanoCpus, memoryBytes } = node.info.resources;
  const cpu = nanoCpus > 0 ? (node.reserved.nanoCpus + (service.reservations.nanoCpus ?? 0)) / nanoCpus : 0;
  const memory = memoryBytes > 0 ? (node.reserved.memoryBytes + (service.reservations.memoryBytes ?? 0)) / memoryBytes : 0;
  return cpu + memory;
}

function better(a: NodeState, b: NodeState, service: SchedulingService, strategy: PlacementStrategy): boolean {
  const id = a.info.id < b.info.id;
  if (strategy === 'binpack') {
    const fa = fullness(a, service);
    const fb = fullness(b, service);
    if (fa !== fb) return fa > fb;
    return a.tasksTotal !== b.tasksTotal ? a.tasksTotal > b.tasksTotal : id;
  }
  const sa = a.tasksByService[service.id] ?? 0;
  const sb = b.tasksByService[service.id] ?? 0;
  if (sa !== sb) return sa < sb;
  return a.tasksTotal !== b.tasksTotal ? a.tasksTotal < b.tasksTotal : id;
}

function reference(batch: PlacementBatch): PlacementResult {
  const { service } = batch;
  const strategy = batch.strategy ?? 'spread';
  let nodes = batch.nodes.slice();
  const members = new Set(nodes.filter((n) => nodeFailure(n, service) === undefined).map((n) => n.info.id));
  const result: PlacementResult = { placements: [], unplaced: [], nodes };
  const value = (n: NodeState, key: string) => nodeAttribute(n.info, key) ?? '';
  for (const taskId of batch.taskIds) {
    let pool = nodes.filter((n) => members.has(n.info.id) && nodeFailure(n, service) === undefined);
    let scope = nodes.filter((n) => members.has(n.info.id));
    if (pool.length === 0) {
      const tally = new FailureTally(service);
      for (const n of nodes) tally.add(nodeFailure(n, service)!);
      result.unplaced.push({ taskId, reason: tally.reason() });
      continue;
    }
    for (const { spread } of service.placement.preferences) {
      const tasks = (v: string) => scope.filter((n) => value(n, spread) === v).reduce((sum, n) => sum + (n.tasksByService[service.id] ?? 0), 0);
      const values = [...new Set(pool.map((n) => value(n, spread)))].sort();
      const chosen = values.reduce((best, v) => (tasks(v) < tasks(best) ? v : best));
      pool = pool.filter((n) => value(n, spread) === chosen);
      scope = scope.filter((n) => value(n, spread) === chosen);
    }
    const best = pool.reduce((b, n) => (better(n, b, service, strategy) ? n : b));
    result.placements.push({ taskId, nodeId: best.info.id });
    nodes = nodes.map((n) => (n === best ? withPlacedTasks(n, service, 1) : n));
  }
  result.nodes = nodes;
  return result;
}

function randomBatch(random: Random): PlacementBatch {
  const nodes = Array.from({ length: random.intBetween(0, 25) }, (_, i) => {
    const labels: Record<string, string> = {};
    if (random.chance(0.85)) labels['zone'] = random.pick(['a', 'b', 'c']);
    if (random.chance(0.7)) labels['rack'] = random.pick(['r1', 'r2']);
    labels['disk'] = random.pick(['ssd', 'hdd']);
    const capacity = { nanoCpus: random.intBetween(1, 8) * CPU, memoryBytes: random.intBetween(1, 16) * GiB };
    return testNode(`n${String(random.int(1000)).padStart(3, '0')}-${i}`, {
      labels,
      role: random.chance(0.2) ? 'manager' : 'worker',
      ready: random.chance(0.9),
      availability: random.chance(0.85) ? 'active' : random.pick(['pause', 'drain'] as const),
      resources: capacity,
      reserved: { nanoCpus: random.int(capacity.nanoCpus / CPU + 1) * CPU, memoryBytes: random.int(capacity.memoryBytes / GiB + 1) * GiB },
      tasksByService: { web: random.int(4), db: random.int(4) },
      tasksTotal: random.int(10),
    });
  });
  const constraints: PlacementConstraint[] = [
    { key: 'node.labels.disk', op: '==', value: 'ssd' },
    { key: 'node.role', op: '!=', value: 'manager' },
    { key: 'node.labels.zone', op: '!=', value: 'c' },
  ].filter(() => random.chance(0.3)) as PlacementConstraint[];
  const preferences = [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }, { spread: 'node.role' }].filter(() => random.chance(0.4));
  const options: Parameters<typeof testService>[1] = { placement: { constraints, preferences } };
  if (random.chance(0.3)) options.placement!.maxReplicasPerNode = random.intBetween(0, 4);
  if (random.chance(0.6)) options.nanoCpus = random.intBetween(1, 4) * CPU / 2;
  if (random.chance(0.6)) options.memoryBytes = random.intBetween(1, 8) * GiB / 2;
  const ids = new Set(nodes.map((n) => n.info.id));
  return {
    nodes: nodes.filter((n) => ids.delete(n.info.id)),
    service: testService('web', options),
    taskIds: taskIds(random.int(60)),
    strategy: random.pick(['spread', 'binpack'] as const),
  };
}

test('placeTasks decides exactly as a rescan of every node per task would', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  for (let round = 0; round < 400; round++) {
    const batch = randomBatch(random);
    try {
      assert.equal(placeTasks(batch), reference(batch));
    } catch (err) {
      console.error(`SWARMTS_SEED=${seed} round ${round} differs`);
      throw err;
    }
  }
});

test.run();
