import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testSeed } from '../core/seed.js';
import { runSeeds } from './raft-sim-seeds.js';

// SWARMTS_SEED replays one seed; otherwise SWARMTS_SIM_SEEDS seeds run from a fresh base.
const replay = process.env['SWARMTS_SEED'] !== undefined && process.env['SWARMTS_SEED'] !== '';
const first = testSeed();
const count = replay ? 1 : Number(process.env['SWARMTS_SIM_SEEDS'] ?? 1400);

test(`raft with 3 voters keeps every safety invariant and a linearizable history under random faults (${count} seeds from ${first})`, () => {
  const summary = runSeeds(first, count, 3);
  console.log(`  ${JSON.stringify(summary)}`);
  assert.is(summary.seeds, count);
  assert.ok(summary.operations > count * 10, `seeds from ${first}: only ${summary.operations} client operations in ${count} runs`);
});

test.run();
