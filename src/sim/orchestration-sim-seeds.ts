import { appendFileSync } from 'node:fs';
import { scenarioNames, type ScenarioName } from './orchestration-scenarios.js';
import { defaultOrchestrationSimOptions, OrchestrationSimFailure, runOrchestrationSim } from './orchestration-sim.js';

/**
 * Runs orchestration simulations over seeds, sizes and scenarios: what the CI test and the
 * long-run command share. A failure is appended to a bug file and rethrown.
 */

export const orchestrationBugFile = '/tmp/orchestration-bugs.txt';

/** Totals over many runs. */
export interface OrchestrationSeedSummary {
  runs: number;
  virtualMs: number;
  commands: number;
  nodeCrashes: number;
  containerCrashes: number;
  terms: number;
  checkedIndexes: number;
  floorChecks: number;
}

export function emptySummary(): OrchestrationSeedSummary {
  return { runs: 0, virtualMs: 0, commands: 0, nodeCrashes: 0, containerCrashes: 0, terms: 0, checkedIndexes: 0, floorChecks: 0 };
}

export function addSummaries(a: OrchestrationSeedSummary, b: OrchestrationSeedSummary): OrchestrationSeedSummary {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof OrchestrationSeedSummary)[]) out[key] += b[key];
  return out;
}

/**
 * Runs seeds `firstSeed .. firstSeed+count-1`; each seed runs once per size in `sizes`,
 * with the scenario `scenarios[seed % scenarios.length]`. Throws the first failure.
 */
export function runOrchestrationSeeds(firstSeed: number, count: number, sizes: readonly number[], scenarios: readonly ScenarioName[] = scenarioNames, trace?: (line: string) => void): OrchestrationSeedSummary {
  const summary = emptySummary();
  for (let i = 0; i < count; i++) {
    const seed = (firstSeed + i) >>> 0;
    const scenario = scenarios[seed % scenarios.length]!;
    for (const nodes of sizes) {
      try {
        const stats = runOrchestrationSim(seed, defaultOrchestrationSimOptions(nodes, scenario), trace);
        summary.runs++;
        summary.virtualMs += stats.virtualMs;
        summary.commands += stats.commands;
        summary.nodeCrashes += stats.nodeCrashes;
        summary.containerCrashes += stats.containerCrashes;
        summary.terms += stats.termMax;
        summary.checkedIndexes += stats.checkedIndexes;
        summary.floorChecks += stats.floorChecks;
      } catch (err) {
        if (err instanceof OrchestrationSimFailure) recordBug(err);
        throw err;
      }
    }
  }
  return summary;
}

function recordBug(failure: OrchestrationSimFailure): void {
  try {
    appendFileSync(orchestrationBugFile, `nodes=${failure.nodes} scenario=${failure.scenario} seed=${failure.seed} ${failure.reason.replace(/\n/g, ' ')}\n  replay: ${failure.replayCommand}\n`);
  } catch {
    // The bug file is a convenience; the failure itself is thrown to the caller regardless.
  }
}
