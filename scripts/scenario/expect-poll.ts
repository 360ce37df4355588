/**
 * Waiting for an `expect` step: every observer is asked (`node ls --format json`) each round,
 * until all agree or `within` passes; with `for`, they must then keep agreeing that long.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { formatMs } from './duration.js';
import { judge, type Observation, type Verdict } from './expectation.js';
import { parseNodeList } from './node-list.js';
import type { ScenarioWorld } from './scenario-world.js';
import type { Step } from './scenario-types.js';
import { describeResult, swarmts } from './swarmts-cli.js';

/** Pause between rounds: a round costs one CLI process per observer, about 0.2 s of CPU each. */
const pollIntervalMs = 200;
/** One `node ls` that takes longer counts as a failed look. */
const nodeLsTimeoutMs = 10_000;

/** Thrown when an expectation does not hold in time; the message says what each observer saw. */
export class ExpectationFailed extends Error {
  override readonly name = 'ExpectationFailed';
}

/** Resolves with a summary once the expectation holds; throws ExpectationFailed otherwise. */
export async function awaitExpectation(step: Extract<Step, { kind: 'expect' }>, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const started = Date.now();
  const deadline = started + step.withinMs;
  let heldSince: number | undefined;
  let rounds = 0;
  for (;;) {
    const verdict = await look(step, world, signal);
    rounds++;
    const now = Date.now();
    if (verdict.pass) {
      heldSince ??= now;
      if (now - heldSince >= step.holdMs) return `held after ${formatMs(heldSince - started)}${step.holdMs ? ` and for ${formatMs(now - heldSince)}` : ''} (${plural(rounds, 'round')})`;
    } else if (heldSince !== undefined) {
      throw new ExpectationFailed(failure(`held from ${formatMs(heldSince - started)} but stopped holding after ${formatMs(now - heldSince)}, before ${formatMs(step.holdMs)}`, verdict));
    } else if (now >= deadline) {
      throw new ExpectationFailed(failure(`not met within ${formatMs(step.withinMs)} (${plural(rounds, 'round')}); last seen`, verdict));
    }
    await delay(pollIntervalMs, undefined, { signal });
  }
}

async function look(step: Extract<Step, { kind: 'expect' }>, world: ScenarioWorld, signal: AbortSignal): Promise<Verdict> {
  const observers = world.observers(step.on);
  const seen = await Promise.all(observers.map(async (h): Promise<[string, Observation]> => {
    const result = await swarmts(world.stateDir(h), ['node', 'ls', '--format', 'json'], nodeLsTimeoutMs, signal);
    if (result.code !== 0) return [h, { error: describeResult(result) }];
    const nodes = parseNodeList(result.stdout);
    return [h, nodes instanceof Error ? { error: nodes.message } : { nodes }];
  }));
  signal.throwIfAborted();
  return judge(step.check, new Map(seen), (hostname) => world.hostOf(hostname));
}

function failure(what: string, verdict: Verdict): string {
  return [what + ':', ...verdict.lines.map((l) => `  ${l}`)].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
