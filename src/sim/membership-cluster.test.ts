import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testSeed } from '../core/seed.js';
import { simMeta } from './membership-cluster.js';
import {
  crashScenario,
  degradedScenario,
  joinScenario,
  leaveScenario,
  lossScenario,
  newCluster,
  partitionScenario,
  restartScenario,
  scenarioSeed,
  startAll,
  type Times,
} from './membership-scenarios.js';

// One seed for the file; each scenario derives its own (scenarioSeed), so SWARMTS_SEED=<seed>
// replays every scenario exactly, and so does membership-soak.ts with the same seed.
const seed = testSeed();
const options = (index: number) => ({ seed: scenarioSeed(seed, index) });

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Asserts every observer got there within the deadline, and prints the median and worst time. */
function expectAll(what: string, times: Times, observers: readonly string[], deadlineMs: number): void {
  const late = observers.filter((o) => !((times.get(o) ?? Infinity) <= deadlineMs));
  assert.equal(late, [], `seed ${seed}: ${what}: ${late.length} nodes did not get there within ${seconds(deadlineMs)}`);
  const values = [...times.values()];
  console.log(`  ${what}: median ${seconds(quantile(values, 0.5))}, max ${seconds(Math.max(...values))} (virtual; deadline ${seconds(deadlineMs)}; seed ${seed})`);
}

for (const [index, count, deadlineMs] of [[1, 3, 3000], [2, 10, 6000], [3, 50, 15_000]] as const) {
  test(`${count} nodes joining through one seed node all see each other alive within ${seconds(deadlineMs)}`, () => {
    const { ids, join } = joinScenario(options(index), count, deadlineMs);
    expectAll(`join N=${count}`, join, ids, deadlineMs);
  });
}

test('300 nodes joining through one seed node all see each other alive within 30 s', () => {
  const { ids, join } = joinScenario(options(4), 300, 30_000, 250);
  expectAll('join N=300', join, ids, 30_000);
});

// The deadline allows a probe round plus a suspicion that got few confirmations; the
// median shows what confirmations usually make of it.
for (const [index, count, deadlineMs] of [[5, 10, 30_000], [6, 50, 30_000]] as const) {
  test(`a crashed node is marked dead by every other of ${count} within ${seconds(deadlineMs)}, and nobody else is`, () => {
    const { rest, detect, othersAlive } = crashScenario(options(index), count, deadlineMs);
    expectAll(`crash detection N=${count}`, detect, rest, deadlineMs);
    assert.ok(othersAlive, `seed ${seed}: the living stay alive`);
  });
}

test('with the gossipsub topic, the first node to declare a crash tells every other within a second', () => {
  const { rest, detect } = crashScenario({ ...options(14), gossipsub: true }, 50, 30_000);
  expectAll('crash detection N=50 with gossipsub', detect, rest, 30_000);
  const values = [...detect.values()];
  const spreadMs = Math.max(...values) - Math.min(...values);
  assert.ok(spreadMs <= 1000, `seed ${seed}: first to last took ${spreadMs} ms`);
});

test('a crashed node restarted with a higher incarnation is alive again everywhere', () => {
  const { ids, back, aliveAgain } = restartScenario(options(7), 10, true, 30_000);
  expectAll('restart with incarnation + 1, N=10: everyone alive', back, ids, 10_000);
  assert.ok(aliveAgain >= 9, `seed ${seed}: ${aliveAgain} alive-again events`);
});

test('a crashed node restarted without its old incarnation refutes its death and is alive again', () => {
  const { ids, back, incarnation } = restartScenario(options(8), 10, false, 30_000);
  expectAll('restart at incarnation 0, N=10: everyone alive', back, ids, 10_000);
  assert.ok(incarnation > 0, `seed ${seed}: it outbid its old self`);
});

// Declaring many members dead at once is Lifeguard's slow case: suspicions start up to a
// probe round late, confirmations compete for gossip space, and the prober's health
// score rises as helpers on the other side miss their nacks. Hence the long deadline.
for (const [index, count, sideA] of [[9, 5, 2], [10, 50, 20]] as const) {
  test(`a ${sideA}|${count - sideA} partition: each side marks the other dead, and after healing all are alive`, () => {
    const { ids, detect, heal, sidesKeptOwnAlive } = partitionScenario(options(index), count, sideA, 90_000);
    expectAll(`partition ${sideA}|${count - sideA}: the other side dead`, detect, ids, 90_000);
    assert.ok(sidesKeptOwnAlive, `seed ${seed}: each side keeps its own alive`);
    expectAll(`heal ${sideA}|${count - sideA}: everyone alive`, heal, ids, 60_000);
  });
}

test('no false death among 50 nodes over 10 virtual minutes at 10% uniform packet loss', () => {
  const result = lossScenario(options(11), 50, 0.1, 10 * 60_000);
  expectAll('join N=50 at 10% loss', result.join, result.ids, 30_000);
  console.log(
    `  10% loss, N=50, 10 min: ${result.suspicions} suspect events, ${result.refutations} alive-again, ` +
      `${result.falseDeaths.length} deaths (seed ${seed})`,
  );
  assert.equal(result.falseDeaths, [], `seed ${seed}: false deaths`);
});

test('a node losing half of what is sent to it raises its health score, and kills no healthy node', () => {
  const result = degradedScenario(options(16), 20, 0.5, 5 * 60_000);
  console.log(
    `  degraded node (50% inbound loss), N=20, 5 min: health max ${result.healthMax}, mean ${result.healthMean.toFixed(2)}; ` +
      `healthy nodes' health at the end at most ${result.healthyHealthMax} (seed ${seed})`,
  );
  assert.ok(result.healthMax >= 2, `seed ${seed}: health score only reached ${result.healthMax}`);
  assert.equal(result.healthyDeaths, [], `seed ${seed}: healthy nodes seen dead by healthy nodes`);
});

test('a graceful leave is seen as left, never as dead', () => {
  const { rest, left, stillLeft, deaths } = leaveScenario(options(12), 10, 10_000);
  expectAll('leave N=10: seen left', left, rest, 10_000);
  assert.ok(stillLeft, `seed ${seed}: still left a minute later`);
  assert.equal(deaths, [], `seed ${seed}`);
});

// Gossip alone misses a node now and then (retransmission is probabilistic); the periodic
// push-pull, every 20 s at this size, repairs that, hence the deadline.
test('new metadata reaches every node, with an updated event', () => {
  const c = newCluster(options(15));
  const ids = startAll(c, 20);
  c.timesUntilEachSees(ids, ids, 'alive', 10_000);
  c.updateMeta('n007', { ...simMeta('n007'), labels: { zone: 'b' } });
  const rest = ids.filter((id) => id !== 'n007');
  const seen = c.timesUntil(rest, (o) => c.node(o).member('n007')?.meta.labels['zone'] === 'b', 30_000);
  expectAll('metadata update N=20', seen, rest, 30_000);
  const updated = c.events.filter((e) => e.event.type === 'updated' && e.event.member.meta.id === 'n007').map((e) => e.observer);
  assert.equal(updated.sort(), rest, `seed ${seed}`);
});

test('the same seed replays the same run exactly', () => {
  const run = () => {
    const c = newCluster({ seed: scenarioSeed(seed, 13), network: { dropRate: 0.05, duplicateRate: 0.05 } });
    const ids = startAll(c, 8);
    c.runUntil(5000);
    c.crash(ids[3] as string);
    c.runUntil(30_000);
    return c.events.map((e) => `${e.event.atMs} ${e.observer} ${e.event.type} ${e.event.member.meta.id}@${e.event.member.incarnation}`);
  };
  const first = run();
  assert.ok(first.length > 50, `seed ${seed}: ${first.length} events`);
  assert.equal(run(), first, `seed ${seed}`);
});

test.run();
