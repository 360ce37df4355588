import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testSeed } from '../core/seed.js';
import { scenarioNames, type ScenarioName } from './orchestration-scenarios.js';
import { defaultOrchestrationSimOptions, OrchestrationSimFailure, runOrchestrationSim } from './orchestration-sim.js';

/**
 * The orchestration simulation in CI: every scenario at 3, 5 and 10 nodes, the heaviest at
 * 50, and a batch of random-fault seeds. Seeds come from SWARMTS_SEED (a fresh one
 * otherwise); a failure names the seed and the command that replays it with a trace.
 */

const seed = testSeed();

function run(runSeed: number, nodes: number, scenario: ScenarioName): void {
  try {
    runOrchestrationSim(runSeed >>> 0, defaultOrchestrationSimOptions(nodes, scenario));
  } catch (err) {
    if (err instanceof OrchestrationSimFailure) assert.unreachable(`(SWARMTS_SEED=${seed}) ${err.message}`);
    throw err;
  }
}

test('the same seed replays the same run exactly', () => {
  const once = () => {
    const lines: string[] = [];
    const stats = runOrchestrationSim(seed, defaultOrchestrationSimOptions(5, 'random'), (line) => lines.push(line));
    return { stats, lines };
  };
  const first = once();
  assert.ok(first.lines.length > 10, `seed ${seed}: only ${first.lines.length} trace lines`);
  assert.equal(once(), first, `seed ${seed}`);
});

for (const nodes of [3, 5, 10]) {
  test(`every scenario keeps the invariants and converges after its faults with ${nodes} nodes`, () => {
    for (const [i, scenario] of scenarioNames.entries()) run(seed + i, nodes, scenario);
  });
}

test('50 nodes: node crashes, leader failover during a rolling update, drain and random faults', () => {
  for (const [i, scenario] of (['node-crash', 'failover-during-update', 'drain', 'random'] as const).entries()) run(seed + i, 50, scenario);
});

test('a batch of random-fault seeds at 3, 5 and 10 nodes', () => {
  for (let i = 0; i < 16; i++) run(seed + 100 + i, 3, 'random');
  for (let i = 0; i < 8; i++) run(seed + 200 + i, 5, 'random');
  for (let i = 0; i < 4; i++) run(seed + 300 + i, 10, 'random');
});

test('a failure names the seed, the size, the scenario and the replay command', () => {
  const failure = new OrchestrationSimFailure(42, 10, 'random', 'InvariantViolation: one task per slot', ['1200 ms: crash n3']);
  assert.match(failure.message, 'seed 42');
  assert.match(failure.message, '1200 ms: crash n3');
  assert.match(failure.message, 'SWARMTS_SEED=42 SWARMTS_SIM_NODES=10 SWARMTS_SIM_SCENARIO=random SWARMTS_SIM_TRACE=1 npx tsx src/sim/orchestration-sim-run.ts');
});

test.run();
