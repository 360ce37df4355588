/**
 * Runs the membership scenarios over many seeds and prints each seed's figures, for
 * finding the rare seed a single CI run would not:
 *
 *   npx tsx src/sim/membership-soak.ts <firstSeed> <seedCount> [scenario ...]
 *
 * Scenarios: join300, crash50, partition, loss, degraded (default: all). A seed printed with FAIL
 * replays in the test file with SWARMTS_SEED=<seed>, since both derive scenario seeds alike.
 */
import {
  crashScenario,
  degradedScenario,
  joinScenario,
  lossScenario,
  partitionScenario,
  scenarioSeed,
  type Times,
} from './membership-scenarios.js';

const worst = (times: Times, observers: readonly string[]) =>
  observers.every((o) => times.has(o)) ? Math.max(...times.values()) : Infinity;
const median = (times: Times) => [...times.values()].sort((a, b) => a - b)[Math.floor(times.size / 2)] ?? Infinity;

/** Each scenario returns a one-line summary and whether the test's deadline was met. */
const scenarios: Record<string, (base: number) => [string, boolean]> = {
  join300: (base) => {
    const { ids, join } = joinScenario({ seed: scenarioSeed(base, 4) }, 300, 30_000, 250);
    const max = worst(join, ids);
    return [`join300 median ${median(join)} max ${max}`, max <= 30_000];
  },
  crash50: (base) => {
    const { rest, detect, othersAlive } = crashScenario({ seed: scenarioSeed(base, 6) }, 50, 30_000);
    const max = worst(detect, rest);
    return [`crash50 median ${median(detect)} max ${max}`, max <= 30_000 && othersAlive];
  },
  partition: (base) => {
    const { ids, detect, heal, sidesKeptOwnAlive } = partitionScenario({ seed: scenarioSeed(base, 10) }, 50, 20, 90_000);
    const detectMax = worst(detect, ids);
    const healMax = worst(heal, ids);
    return [`partition20|30 detect max ${detectMax} heal max ${healMax}`, detectMax <= 90_000 && healMax <= 60_000 && sidesKeptOwnAlive];
  },
  loss: (base) => {
    const result = lossScenario({ seed: scenarioSeed(base, 11) }, 50, 0.1, 10 * 60_000);
    return [`loss suspects ${result.suspicions} deaths ${result.falseDeaths.join(',') || 0}`, result.falseDeaths.length === 0];
  },
  degraded: (base) => {
    const result = degradedScenario({ seed: scenarioSeed(base, 16) }, 20, 0.5, 5 * 60_000);
    return [`degraded health max ${result.healthMax} deaths ${result.healthyDeaths.join(',') || 0}`, result.healthMax >= 2 && result.healthyDeaths.length === 0];
  },
};

const [first = '1', count = '10', ...chosen] = process.argv.slice(2);
const names = chosen.length > 0 ? chosen : Object.keys(scenarios);
let failures = 0;
for (let seed = Number(first); seed < Number(first) + Number(count); seed++) {
  const lines = names.map((name) => {
    const run = scenarios[name];
    if (run === undefined) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    const [line, ok] = run(seed);
    if (!ok) failures++;
    return ok ? line : `FAIL ${line}`;
  });
  console.log(`seed ${seed}: ${lines.join(' | ')}`);
}
console.log(`${failures} failures`);
process.exit(failures > 0 ? 1 : 0);
