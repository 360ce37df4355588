#!/usr/bin/env node
/**
 * Runs scenario files against real daemons:
 *   npx tsx scripts/scenario/run.ts scenarios/membership-join.yml [more.yml ...]
 *   node dist/scripts/scenario/run.js scenarios/*.yml
 * Every file is checked before any runs; then each runs in turn, on its own hosts, and is
 * torn down before the next. Exit 0 when every scenario passed, 1 otherwise. SIGINT or
 * SIGTERM stops the running scenario, tears it down, and skips the rest.
 */
import { existsSync } from 'node:fs';
import { swarmtsMain } from './repo-root.js';
import { loadScenarioFile } from './scenario-file.js';
import { runScenario } from './scenario-runner.js';
import type { Scenario } from './scenario-types.js';

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('usage: run.ts SCENARIO.yml [SCENARIO.yml ...]');
    return 1;
  }
  if (process.getuid?.() !== 0) {
    console.error('scenarios make network namespaces, bridges and cgroups: run them as root');
    return 1;
  }
  if (!existsSync(swarmtsMain)) {
    console.error(`${swarmtsMain} is missing: build first with npx tsc -p tsconfig.json`);
    return 1;
  }
  const scenarios: Scenario[] = [];
  let problems = 0;
  for (const file of files) {
    const result = await loadScenarioFile(file);
    if (result.ok) scenarios.push(result.scenario);
    else {
      problems += result.problems.length;
      for (const p of result.problems) console.error(p);
    }
  }
  if (problems > 0) {
    console.error(`${problems} problem${problems === 1 ? '' : 's'} in scenario files: nothing ran`);
    return 1;
  }
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) console.error(`${signal}: still tearing down`);
    else interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const outcomes: string[] = [];
  for (const scenario of scenarios) {
    if (interrupt.signal.aborted) {
      outcomes.push(`SKIP ${scenario.name}`);
      continue;
    }
    const { pass, ms } = await runScenario(scenario, interrupt.signal, (line) => console.log(line));
    outcomes.push(`${pass ? 'PASS' : 'FAIL'} ${scenario.name} (${(ms / 1000).toFixed(1)} s)`);
  }
  const failed = outcomes.filter((o) => !o.startsWith('PASS')).length;
  if (scenarios.length > 1) console.log(`\n${outcomes.join('\n')}\n${scenarios.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
