import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateStatus } from '../cluster/records.js';
import { isSwarmError } from '../core/errors.js';
import type { ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import { NotConvergedError, watchConvergence, type ConvergeOptions, type ConvergeTarget } from './converge.js';

/** The watcher against scripted polls and a simulated clock: no real time passes. */

function summary(name: string, image: string, running: number, desired: number, update?: UpdateStatus['state']): ServiceSummary {
  return {
    id: `id-${name}`, name, stack: 'demo', mode: 'replicated', image, running, desired, ports: [],
    update: update === undefined ? undefined : { state: update, startedAtMs: 0, completedAtMs: undefined, message: update.includes('paused') ? 'task exited with 1' : '' },
    createdAt: 0, updatedAt: 0,
  };
}

function task(name: string, serviceId: string, state: TaskSummary['state'], error: string): TaskSummary {
  return { id: `t-${name}`, serviceId, name, slot: 1, image: 'x', nodeId: undefined, node: undefined, desiredState: 'running', state, health: undefined, error, containerId: undefined, exitCode: undefined, address: undefined, createdAt: 0, updatedAt: 0 };
}

/** Each poll answers the next script entry (the last one repeats); returns what was printed. */
function run(script: ServiceSummary[][], expected: ConvergeTarget['expected'], tasks: TaskSummary[] = [], timeoutMs = 10_000) {
  let now = 0;
  let poll = 0;
  const printed: string[] = [];
  const target: ConvergeTarget = { what: 'stack demo', followWith: 'swarmts stack ps demo', expected, services: async () => script[Math.min(poll++, script.length - 1)]!, tasks: async () => tasks };
  const options: ConvergeOptions = { timeoutMs, pollIntervalMs: 500, nowMs: () => now, sleep: async (ms) => void (now += ms), print: (line) => printed.push(line) };
  return { done: watchConvergence(target, options), printed, polls: () => poll };
}

const web = (image: string, replicas: number) => new Map([['demo_web', { image, replicas }]]);

test('a line per change, none for repeated states, done when every service runs its replicas', async () => {
  const w = run([[summary('demo_web', 'nginx:1', 0, 2)], [summary('demo_web', 'nginx:1', 0, 2)], [summary('demo_web', 'nginx:1', 1, 2)], [summary('demo_web', 'nginx:1', 2, 2)]], web('nginx:1', 2));
  await w.done;
  assert.equal(w.printed, ['demo_web: 0/2 running', 'demo_web: 1/2 running', 'demo_web: 2/2 running', 'stack demo converged.']);
  assert.is(w.polls(), 4);
});

test('the state from before the change is not taken for convergence', async () => {
  const w = run([[summary('demo_web', 'nginx:1', 2, 2)], [summary('demo_web', 'nginx:2', 2, 2, 'updating')], [summary('demo_web', 'nginx:2', 2, 2, 'completed')]], web('nginx:2', 2));
  await w.done;
  assert.equal(w.printed, ['demo_web: 2/2 running, updating', 'demo_web: 2/2 running, update completed', 'stack demo converged.']);
});

test('a paused update fails at once with what to do', async () => {
  const w = run([[summary('demo_web', 'nginx:2', 1, 2, 'paused')]], web('nginx:2', 2));
  try {
    await w.done;
    assert.unreachable();
  } catch (err) {
    if (!isSwarmError(err, 'CONFLICT') || !(err instanceof NotConvergedError)) throw err;
    assert.match(err.message, 'the update of demo_web paused: task exited with 1; see `swarmts service ps demo_web`');
  }
});

test('after the timeout, the tasks still not running are listed with their errors', async () => {
  const tasks = [task('demo_web.1', 'id-demo_web', 'running', ''), task('demo_web.2', 'id-demo_web', 'pending', 'no suitable node: 1 node is drained'), task('other.1', 'id-other', 'pending', 'x')];
  const w = run([[summary('demo_web', 'nginx:1', 1, 2)]], web('nginx:1', 2), tasks, 2_000);
  try {
    await w.done;
    assert.unreachable();
  } catch (err) {
    if (!isSwarmError(err, 'TIMEOUT') || !(err instanceof NotConvergedError)) throw err;
    assert.is(err.message, 'stack demo did not converge within 2 seconds; tasks not running:\n  demo_web.2 (pending): no suitable node: 1 node is drained\nThe cluster keeps trying; follow it with `swarmts stack ps demo`');
  }
  assert.is(w.polls(), 5, 'polls at 0, 500, 1000, 1500 and 2000 ms');
});

test.run();
