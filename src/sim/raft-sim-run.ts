/**
 * The long raft simulation run, and the way to replay one failing seed.
 *
 *   SWARMTS_SEED=123 SWARMTS_SIM_VOTERS=5 npx tsx src/sim/raft-sim-run.ts   # replay one seed
 *   SWARMTS_SIM_SEEDS=100000 npx tsx src/sim/raft-sim-run.ts                # many seeds
 *
 *   SWARMTS_SIM_SEEDS       seeds to run (default 1000), from SWARMTS_SIM_FIRST_SEED
 *                           (default: a fresh random one, printed)
 *   SWARMTS_SIM_VOTERS      3, 5 or "both" (default both: each seed runs with 3 and with 5)
 *   SWARMTS_SIM_JOBS        processes to split the seeds over (default 2, the machine's cores)
 *   SWARMTS_SIM_TRACE=1     with SWARMTS_SEED: print every fault injected, with its virtual time
 *
 * Failing seeds are appended to /tmp/raft-bugs.txt with the command that replays them.
 */
import { spawn } from 'node:child_process';
import { testSeed } from '../core/seed.js';
import { envInt } from './sim-env.js';
import { addSummaries, runSeeds } from './raft-sim-seeds.js';

function votersList(): number[] {
  const raw = process.env['SWARMTS_SIM_VOTERS'] ?? 'both';
  if (raw === 'both') return [3, 5];
  if (raw === '3' || raw === '5') return [Number(raw)];
  throw new Error(`SWARMTS_SIM_VOTERS must be 3, 5 or both, got "${raw}"`);
}

/** Runs a share of the seeds in this process and prints its summary as JSON. */
function runShare(first: number, count: number): void {
  const totals = votersList().map((voters) => runSeeds(first, count, voters));
  console.log(JSON.stringify(totals.reduce(addSummaries)));
}

async function main(): Promise<void> {
  if (process.env['SWARMTS_SEED'] !== undefined && process.env['SWARMTS_SEED'] !== '') {
    const seed = testSeed();
    console.log(`replaying seed ${seed}`);
    const trace = process.env['SWARMTS_SIM_TRACE'] === '1' ? (line: string) => console.log(line) : undefined;
    for (const voters of votersList()) console.log(JSON.stringify(runSeeds(seed, 1, voters, trace)));
    return;
  }
  const seeds = envInt('SWARMTS_SIM_SEEDS', 1000);
  const first = envInt('SWARMTS_SIM_FIRST_SEED', testSeed());
  if (process.env['SWARMTS_SIM_WORKER'] === '1') {
    runShare(first, seeds);
    return;
  }
  const jobs = Math.max(1, Math.min(envInt('SWARMTS_SIM_JOBS', 2), seeds));
  console.log(`running ${seeds} seeds from ${first} (voters ${votersList().join(' and ')}) in ${jobs} processes`);
  const per = Math.ceil(seeds / jobs);
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, j) => {
      const count = Math.max(0, Math.min(per, seeds - j * per));
      const env = { ...process.env, SWARMTS_SIM_WORKER: '1', SWARMTS_SIM_FIRST_SEED: String((first + j * per) >>> 0), SWARMTS_SIM_SEEDS: String(count) };
      return new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
    }),
  );
  for (const r of results) process.stdout.write(r.out);
  if (results.some((r) => r.code !== 0)) {
    console.log('FAILED: see above and /tmp/raft-bugs.txt');
    process.exit(1);
  }
}

await main();
