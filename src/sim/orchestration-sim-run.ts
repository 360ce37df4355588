/**
 * The long orchestration simulation run, and the way to replay one failing seed.
 *
 *   SWARMTS_SEED=123 SWARMTS_SIM_NODES=10 SWARMTS_SIM_SCENARIO=random SWARMTS_SIM_TRACE=1 \
 *     npx tsx src/sim/orchestration-sim-run.ts                                  # replay one run
 *   SWARMTS_SIM_SEEDS=1000 SWARMTS_SIM_FIRST_SEED=1 npx tsx src/sim/orchestration-sim-run.ts   # many seeds
 *
 *   SWARMTS_SIM_SEEDS       seeds to run (default 200), from SWARMTS_SIM_FIRST_SEED
 *                           (default: a fresh random one, printed)
 *   SWARMTS_SIM_NODES       comma-separated cluster sizes, each seed runs at every size
 *                           (default 3,5,10,50)
 *   SWARMTS_SIM_SCENARIO    one scenario, or "all" (default): seed s runs scenario s mod 7 of
 *                           deploy-scale, node-crash, leader-partition, failover-during-update,
 *                           drain, failed-update, random
 *   SWARMTS_SIM_JOBS        processes to split the seeds over (default 2, the machine's cores)
 *   SWARMTS_SIM_TRACE=1     with SWARMTS_SEED: print every fault, operator command and leader change
 *
 * Failing seeds are appended to /tmp/orchestration-bugs.txt with the command that replays them.
 *
 * What is simulated (orchestration-cluster.ts), all in virtual time from one seed: 3 or 5
 * managers run raft (RaftNode over a MemoryWal that tears unsynced writes on a crash)
 * replicating ClusterCommands into a ClusterStore each (orchestration-host.ts); the leader,
 * once it applied its own term's first entry, detects dead nodes by missed heartbeats
 * (swarmkit's dispatcher model: down after 1.5 s of silence, a fresh grace period for every
 * node when a new leader takes over), runs the real reconcile() and scheduler, and turns
 * agents' reports into task-status commands; every node runs a SimAgent
 * (orchestration-agent.ts: the real Agent's contract on containers that take time to
 * prepare, start and stop; why not the real Agent is said there). A stack of five services
 * (replicated stop/start-first, health-checked with max_attempts, global, and two
 * constrained to a node label) is deployed. Faults and operator commands
 * (orchestration-scenarios.ts): node and leader crashes and restarts, leader isolation,
 * partitions, lossy and duplicating links, container crashes, drain/pause/activate, label
 * changes, scaling, rolling updates (start-first and stop-first, parallelism 0-2, every
 * failure_action, broken and missing images), rollbacks, pruning deploys and stack removal.
 * Checks: orchestration-invariants.ts at every applied index and pass (forward-only task
 * states, equal replicas, one task per slot, the start-first ceiling, the stop-first floor,
 * nothing left on or placed on a down, drained or unmatched node), raft's own invariants,
 * the time-bounded ones in orchestration-run.ts every 100 virtual ms, and convergence
 * (every service at its count, every node's containers matching the leader's store, every
 * manager at the same index) within 60 virtual seconds once the faults stop.
 *
 * Not simulated: raft membership changes (voter-policy), clock skew between nodes, resource
 * reservations that do not fit, the SWIM membership layer (heartbeats stand in for it).
 */
import { spawn } from 'node:child_process';
import { testSeed } from '../core/seed.js';
import { envInt } from './sim-env.js';
import { scenarioNames, type ScenarioName } from './orchestration-scenarios.js';
import { addSummaries, emptySummary, runOrchestrationSeeds, type OrchestrationSeedSummary } from './orchestration-sim-seeds.js';

function sizes(): number[] {
  const raw = process.env['SWARMTS_SIM_NODES'] ?? '3,5,10,50';
  const list = raw.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 3 || n > 50)) throw new Error(`SWARMTS_SIM_NODES must list sizes from 3 to 50, got "${raw}"`);
  return list;
}

function scenarios(): readonly ScenarioName[] {
  const raw = process.env['SWARMTS_SIM_SCENARIO'] ?? 'all';
  if (raw === 'all') return scenarioNames;
  if (!(scenarioNames as readonly string[]).includes(raw)) throw new Error(`SWARMTS_SIM_SCENARIO must be all or one of ${scenarioNames.join(', ')}, got "${raw}"`);
  return [raw as ScenarioName];
}

async function main(): Promise<void> {
  const started = performance.now();
  if (process.env['SWARMTS_SEED'] !== undefined && process.env['SWARMTS_SEED'] !== '') {
    const seed = testSeed();
    console.log(`replaying seed ${seed}`);
    const trace = process.env['SWARMTS_SIM_TRACE'] === '1' ? (line: string) => console.log(line) : undefined;
    console.log(JSON.stringify(runOrchestrationSeeds(seed, 1, sizes(), [scenarios()[seed % scenarios().length]!], trace)));
    return;
  }
  const seeds = envInt('SWARMTS_SIM_SEEDS', 200);
  const first = envInt('SWARMTS_SIM_FIRST_SEED', testSeed());
  if (process.env['SWARMTS_SIM_WORKER'] === '1') {
    try {
      console.log(JSON.stringify(runOrchestrationSeeds(first, seeds, sizes(), scenarios())));
    } catch (err) {
      console.log(err instanceof Error ? err.message : String(err));
      process.exit(1);
    }
    return;
  }
  const jobs = Math.max(1, Math.min(envInt('SWARMTS_SIM_JOBS', 2), seeds));
  console.log(`running ${seeds} seeds from ${first} at sizes ${sizes().join(',')} in ${jobs} processes`);
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
  let total: OrchestrationSeedSummary = emptySummary();
  for (const r of results) {
    if (r.code === 0) total = addSummaries(total, JSON.parse(r.out.trim().split('\n').at(-1)!) as OrchestrationSeedSummary);
    else process.stdout.write(r.out);
  }
  console.log(JSON.stringify({ ...total, wallMs: Math.round(performance.now() - started) }));
  if (results.some((r) => r.code !== 0)) {
    console.log('FAILED: see above and /tmp/orchestration-bugs.txt');
    process.exit(1);
  }
}

await main();
