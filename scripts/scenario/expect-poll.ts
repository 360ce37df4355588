/**
 * Waiting for an `expect` step: every observer is asked each round (`node ls --format json`
 * for membership checks, its API for the orchestration ones), until all agree or `within`
 * passes; with `for`, they must then keep agreeing that long.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { formatMs } from './duration.js';
import { containersOn, hostOfTaskIn, learnNodeIds, statusesOf, tasksOf } from './cluster-views.js';
import { judge, type MembershipCheck, type Observation, type Verdict } from './expectation.js';
import { parseNodeList } from './node-list.js';
import { judgeLeader, judgeService, judgeUnchanged } from './orchestration-judge.js';
import type { ScenarioWorld } from './scenario-world.js';
import { killedRef, type Step } from './scenario-types.js';
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
  const resolve = (h: string) => (h === killedRef ? world.lastKilled ?? h : h);
  const observers = step.on === 'all-running' ? world.observers('all-running') : step.on.map(resolve);
  const check = step.check;
  let verdict: Verdict;
  switch (check.kind) {
    case 'node':
    case 'members':
      verdict = await lookAtNodes(check, observers, world, signal);
      break;
    case 'service': {
      const [tasks, containers] = await Promise.all([tasksOf(world, observers, check.service, signal), containersOn(world, world.observers('all-running'), signal)]);
      await learnNodeIds(world, signal);
      verdict = judgeService(check, check.notOn.map(resolve), tasks, containers, hostOfTaskIn(world));
      break;
    }
    case 'leader': {
      await learnNodeIds(world, signal);
      const seen = await statusesOf(world, observers, signal);
      verdict = judgeLeader(check.host && resolve(check.host), seen, (id) => world.hostOfNodeId(id), (h) => world.daemon(h).running && world.isMember(h));
      break;
    }
    case 'unchanged': {
      const record = world.records.get(check.record);
      if (!record) throw new Error(`nothing was recorded as ${check.record}`);
      const [containers, tasks] = await Promise.all([containersOn(world, [record.host], signal), tasksOf(world, observers, record.service, signal)]);
      await learnNodeIds(world, signal);
      verdict = judgeUnchanged(record, containers.get(record.host)!, tasks, hostOfTaskIn(world));
      break;
    }
  }
  signal.throwIfAborted();
  return verdict;
}

async function lookAtNodes(check: MembershipCheck, observers: string[], world: ScenarioWorld, signal: AbortSignal): Promise<Verdict> {
  const seen = await Promise.all(observers.map(async (h): Promise<[string, Observation]> => {
    const result = await swarmts(world.stateDir(h), ['node', 'ls', '--format', 'json'], nodeLsTimeoutMs, signal);
    if (result.code !== 0) return [h, { error: describeResult(result) }];
    const nodes = parseNodeList(result.stdout);
    return [h, nodes instanceof Error ? { error: nodes.message } : { nodes }];
  }));
  signal.throwIfAborted();
  return judge(check, new Map(seen), (hostname) => world.hostOf(hostname));
}

function failure(what: string, verdict: Verdict): string {
  return [what + ':', ...verdict.lines.map((l) => `  ${l}`)].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
