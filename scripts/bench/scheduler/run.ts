/**
 * Scheduler throughput: places 10,000 tasks of five services on 1,000 simulated nodes
 * (zones a/b/c, ssd/hdd disks, racks, mixed capacities, some nodes paused, drained or
 * down, some load already there), with constraints, spread preferences, max replicas per
 * node, reservations and both strategies. Each run starts from the same nodes and
 * places the services one batch after another, each batch seeing the ones before. The
 * result is then checked: every placement passes every filter on the node as it was at
 * that moment, no node ends over capacity, and a second run decides exactly the same.
 *
 *   npx tsx scripts/bench/scheduler/run.ts [--nodes 1000] [--tasks 10000] [--runs 7] [--seed 1]
 *
 * The last line printed is JSON: {"placements_per_s":…}, the median of `runs` timed runs
 * after two warm-up runs.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SeededRandom, type Random } from '../../../src/core/random.js';
import { parseConstraint } from '../../../src/spec/parse-placement.js';
import { type PlacementStrategy, nodeFailure, type NodeState, placeTasks, type SchedulingService, withPlacedTasks } from '../../../src/scheduler/index.js';
import { CPU, GiB, MiB, taskIds, testNode, testService } from '../../../src/scheduler/testing.js';

interface BenchOptions {
  nodes: number;
  tasks: number;
  runs: number;
  seed: number;
}

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      tasks: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '7' },
      seed: { type: 'string', default: '1' },
    },
  });
  const int = (name: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got ${raw}`);
    return n;
  };
  return { nodes: int('nodes', values.nodes), tasks: int('tasks', values.tasks), runs: int('runs', values.runs), seed: int('seed', values.seed) };
}

/** Nodes with varied labels and capacities; about 6% cannot take tasks and most carry some load. */
function makeNodes(count: number, random: Random): NodeState[] {
  return Array.from({ length: count }, (_, i) => {
    const labels: Record<string, string> = { disk: random.chance(0.4) ? 'ssd' : 'hdd', rack: `r${random.intBetween(1, 20)}` };
    if (random.chance(0.95)) labels['zone'] = random.pick(['a', 'b', 'c']);
    const resources = { nanoCpus: random.pick([4, 8, 16]) * CPU, memoryBytes: random.pick([8, 16, 32, 64]) * GiB };
    const existing = random.int(6);
    return testNode(`node-${String(i).padStart(4, '0')}`, {
      role: i < 5 ? 'manager' : 'worker',
      labels,
      ready: random.chance(0.98),
      availability: random.chance(0.96) ? 'active' : random.pick(['pause', 'drain'] as const),
      resources,
      reserved: { nanoCpus: existing * 0.25 * CPU, memoryBytes: existing * 512 * MiB },
      tasksTotal: existing,
      tasksByService: { legacy: existing },
    });
  });
}

interface Workload {
  service: SchedulingService;
  share: number;
  strategy: PlacementStrategy;
}

const workloads: Workload[] = [
  { share: 0.3, strategy: 'spread', service: testService('web', { nanoCpus: 0.1 * CPU, memoryBytes: 128 * MiB, placement: { preferences: [{ spread: 'node.labels.zone' }] } }) },
  { share: 0.2, strategy: 'spread', service: testService('api', { nanoCpus: 0.25 * CPU, memoryBytes: 256 * MiB, placement: { constraints: [parseConstraint('node.labels.disk == ssd')], preferences: [{ spread: 'node.labels.zone' }] } }) },
  { share: 0.2, strategy: 'spread', service: testService('worker', { nanoCpus: 0.5 * CPU, memoryBytes: 512 * MiB, placement: { constraints: [parseConstraint('node.role != manager')] } }) },
  { share: 0.15, strategy: 'spread', service: testService('cache', { memoryBytes: 1 * GiB, placement: { constraints: [parseConstraint('node.labels.disk == ssd'), parseConstraint('node.labels.zone != c')], maxReplicasPerNode: 8, preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }] } }) },
  { share: 0.15, strategy: 'binpack', service: testService('batch', { nanoCpus: 0.25 * CPU, memoryBytes: 256 * MiB, placement: { maxReplicasPerNode: 12 } }) },
];

interface RunResult {
  placements: { service: SchedulingService; taskId: string; nodeId: string }[];
  unplaced: number;
  nodes: NodeState[];
  seconds: number;
}

/** One timed run: every workload as one batch, in order, each seeing the nodes the last left. */
function run(start: NodeState[], tasks: number): RunResult {
  const placements: RunResult['placements'] = [];
  let unplaced = 0;
  let nodes = start;
  const began = performance.now();
  for (const { service, share, strategy } of workloads) {
    const result = placeTasks({ nodes, service, taskIds: taskIds(Math.round(tasks * share), `${service.id}.`), strategy });
    nodes = result.nodes;
    unplaced += result.unplaced.length;
    for (const p of result.placements) placements.push({ service, ...p });
  }
  const seconds = (performance.now() - began) / 1000;
  return { placements, unplaced, nodes, seconds };
}

/** Replays the placements one by one and returns every problem found (none when valid). */
function validate(start: NodeState[], result: RunResult): string[] {
  const problems: string[] = [];
  const nodes = new Map(start.map((n) => [n.info.id, n]));
  for (const { service, taskId, nodeId } of result.placements) {
    const node = nodes.get(nodeId);
    if (node === undefined) {
      problems.push(`${taskId}: placed on unknown node ${nodeId}`);
      continue;
    }
    const failure = nodeFailure(node, service);
    if (failure !== undefined) problems.push(`${taskId}: placed on ${nodeId}, which fails ${JSON.stringify(failure)}`);
    nodes.set(nodeId, withPlacedTasks(node, service, 1));
  }
  for (const node of result.nodes) {
    const { nanoCpus, memoryBytes } = node.info.resources;
    if (node.reserved.nanoCpus > nanoCpus || node.reserved.memoryBytes > memoryBytes) problems.push(`${node.info.id}: over capacity ${JSON.stringify(node.reserved)}`);
    if (JSON.stringify(node) !== JSON.stringify(nodes.get(node.info.id))) problems.push(`${node.info.id}: returned state differs from the replay`);
  }
  return problems;
}

function main(): void {
  const opts = options();
  const start = makeNodes(opts.nodes, new SeededRandom(opts.seed));
  for (let i = 0; i < 2; i++) run(start, opts.tasks);
  const runs = Array.from({ length: opts.runs }, () => run(start, opts.tasks));
  const first = runs[0]!;

  const problems = validate(start, first);
  const fingerprint = (r: RunResult) => r.placements.map((p) => p.nodeId).join(',');
  if (runs.some((r) => fingerprint(r) !== fingerprint(first))) problems.push('two runs placed differently');
  if (problems.length > 0) {
    console.error(`${problems.length} problems:\n${problems.slice(0, 20).join('\n')}`);
    process.exit(1);
  }

  const byZone: Record<string, number> = {};
  const zoneOf = new Map(start.map((n) => [n.info.id, n.info.labels['zone'] ?? '(none)']));
  for (const p of first.placements) if (p.service.id === 'web') byZone[zoneOf.get(p.nodeId)!] = (byZone[zoneOf.get(p.nodeId)!] ?? 0) + 1;
  const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const median = seconds[Math.floor(seconds.length / 2)]!;
  const placed = first.placements.length;
  console.log(`${opts.nodes} nodes, ${placed} tasks placed, ${first.unplaced} unplaced, ${workloads.length} services; valid and deterministic`);
  console.log(`web tasks per zone: ${JSON.stringify(byZone)}`);
  console.log(`run times ms: ${seconds.map((s) => (s * 1000).toFixed(1)).join(' ')}`);
  console.log(JSON.stringify({ placements_per_s: Math.round(placed / median) }));
}

main();
