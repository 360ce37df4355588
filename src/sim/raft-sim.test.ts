import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { RaftCluster } from './raft-cluster.js';
import { clusterConfigFor, defaultRaftSimConfig, RaftSimFailure, runRaftSim } from './raft-sim.js';

const seed = testSeed();

test('the same seed replays the same run exactly', () => {
  const run = () => {
    const random = new SeededRandom(seed);
    const cluster = new RaftCluster(random.nextUint32(), clusterConfigFor(random, 3));
    cluster.start();
    for (let i = 0; i < 30; i++) {
      if (i === 10) cluster.crash(cluster.leader() ?? 'n1');
      if (i === 20) cluster.restart(cluster.ids().find((id) => !cluster.host(id).isUp()) ?? 'n1');
      cluster.loop.runUntil(cluster.loop.nowMs() + 50);
    }
    return { history: cluster.history, stats: cluster.network.stats(), commit: cluster.invariants.commitIndex() };
  };
  const first = run();
  assert.ok(first.history.length > 5, `seed ${seed}: only ${first.history.length} operations`);
  assert.equal(run(), first, `seed ${seed}`);
  assert.equal(runRaftSim(seed, defaultRaftSimConfig(3)), runRaftSim(seed, defaultRaftSimConfig(3)), `seed ${seed}`);
});

test('a cluster without faults elects a leader and commits every client operation', () => {
  const random = new SeededRandom(seed);
  const config = { ...clusterConfigFor(random, 5), network: { delayMsMin: 1, delayMsMax: 5, dropRate: 0, duplicateRate: 0 } };
  const cluster = new RaftCluster(seed, config);
  cluster.start();
  cluster.loop.runUntil(3000);
  assert.ok(cluster.leader() !== undefined, `seed ${seed}: no leader after 3 s`);
  assert.ok(cluster.history.length > 20, `seed ${seed}: only ${cluster.history.length} operations in 3 s`);
  // Operations issued before the first election may run out of attempts; none after it.
  const late = cluster.history.filter((op) => op.callMs >= 1000);
  assert.ok(late.length > 10 && late.every((op) => op.output !== undefined), `seed ${seed}: an operation timed out without faults`);
});

test('a failure names the seed, the voters, the step and the replay command', () => {
  const failure = new RaftSimFailure(42, 5, 17, 'InvariantViolation: election safety: n1 and n2 are both leader in term 3');
  assert.match(failure.message, 'seed 42, step 17');
  assert.match(failure.message, 'SWARMTS_SIM_VOTERS=5 SWARMTS_SEED=42 npx tsx src/sim/raft-sim-run.ts');
});

test.run();
