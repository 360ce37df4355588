import { appendFileSync } from 'node:fs';
import { defaultRaftSimConfig, RaftSimFailure, runRaftSim, type RaftSimStats } from './raft-sim.js';

/**
 * Runs raft simulations over a range of seeds: what the CI test and the long-run command
 * share. A failure is appended to a bug file (for the raft core's owner) and rethrown.
 */

/** Where failing seeds are written for the raft core's owner to replay. */
export const raftBugFile = '/tmp/raft-bugs.txt';

/** The per-run counters that are simply summed over seeds. */
const summedStats = ['operations', 'unknownOutcomes', 'committed', 'crashes', 'snapshotsTaken', 'snapshotsInstalled', 'readIndexReads'] as const;

/** Totals over many seeds. */
export type SeedRunSummary = Pick<RaftSimStats, (typeof summedStats)[number]> & {
  seeds: number;
  /** Sum over seeds of the highest term reached. */
  terms: number;
  /** Seeds whose history was too tangled to check within the search limit. */
  uncheckedHistories: number;
};

/** Adds two summaries field by field. */
export function addSummaries(a: SeedRunSummary, b: SeedRunSummary): SeedRunSummary {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof SeedRunSummary)[]) out[key] += b[key];
  return out;
}

/** Runs `count` seeds from `firstSeed` with `voters` voters; throws the first RaftSimFailure. */
export function runSeeds(firstSeed: number, count: number, voters: number, trace?: (line: string) => void): SeedRunSummary {
  const summary: SeedRunSummary = {
    seeds: 0, operations: 0, unknownOutcomes: 0, committed: 0, crashes: 0,
    snapshotsTaken: 0, snapshotsInstalled: 0, readIndexReads: 0, terms: 0, uncheckedHistories: 0,
  };
  const config = { ...defaultRaftSimConfig(voters), trace };
  for (let i = 0; i < count; i++) {
    const seed = (firstSeed + i) >>> 0;
    let stats: RaftSimStats;
    try {
      stats = runRaftSim(seed, config);
    } catch (err) {
      if (err instanceof RaftSimFailure) recordBug(err);
      throw err;
    }
    summary.seeds++;
    for (const key of summedStats) summary[key] += stats[key];
    summary.terms += stats.termMax;
    if (stats.linearizability === 'unknown') summary.uncheckedHistories++;
  }
  return summary;
}

function recordBug(failure: RaftSimFailure): void {
  const line = `voters=${failure.voters} seed=${failure.seed} step=${failure.step} ${failure.reason.replace(/\n/g, ' ')}\n  replay: ${failure.replayCommand}\n`;
  try {
    appendFileSync(raftBugFile, line);
  } catch {
    // The bug file is a convenience; the failure itself is thrown to the caller regardless.
  }
}
