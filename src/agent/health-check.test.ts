import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { SimRuntime } from '../runtime/sim-runtime.js';
import type { HealthcheckSpec } from '../spec/service-spec.js';
import { HealthCheck, healthProbeArgs, type HealthStatus } from './health-check.js';
import { ManualTimers } from './timers.js';

test('health test forms: CMD runs its arguments, CMD-SHELL runs sh -c, NONE and malformed ones run nothing', () => {
  const cases: Array<[string[], string[] | undefined]> = [
    [['CMD', 'curl', '-f', 'http://localhost'], ['curl', '-f', 'http://localhost']],
    [['CMD-SHELL', 'exit 1'], ['/bin/sh', '-c', 'exit 1']],
    [['NONE'], undefined],
    [['CMD'], undefined],
    [['CMD-SHELL', 'a', 'b'], undefined],
    [[], undefined],
    [['curl'], undefined],
  ];
  for (const [testForm, args] of cases) assert.equal(healthProbeArgs(testForm), args, JSON.stringify(testForm));
});

/** A SimRuntime whose every exec returns `probeResult`: 0 passes, anything else fails. */
class ScriptedProbeRuntime extends SimRuntime {
  probeResult = 0;
  override async exec(): Promise<number> {
    return this.probeResult;
  }
}

/** A health check on a running container; interval 1 s, 2 retries, no start period unless given. */
async function setup(check: Partial<HealthcheckSpec>): Promise<{ timers: ManualTimers; changes: HealthStatus[]; probe: { probeResult: number }; health: HealthCheck }> {
  const clock = new ManualClock(0);
  const timers = new ManualTimers(clock);
  const runtime = new ScriptedProbeRuntime(clock);
  const c = await runtime.create({ image: 'busybox', command: ['sleep', '1000'], env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false });
  await runtime.start(c.id);
  const changes: HealthStatus[] = [];
  const spec: HealthcheckSpec = { test: ['CMD-SHELL', 'probe'], intervalMs: 1_000, timeoutMs: 500, retries: 2, startPeriodMs: 0, ...check };
  const health = new HealthCheck({ runtime, timers, clock, log: silentLogger() }, c.id, spec, ['probe'], (s) => changes.push(s), 4096);
  health.start();
  return { timers, changes, probe: runtime, health };
}

test('an unhealthy container that passes again turns healthy; one failure after healthy does not flip it', async () => {
  const { timers, changes, probe } = await setup({});
  probe.probeResult = 1;
  await timers.advance(2_000);
  assert.equal(changes, ['unhealthy']);
  probe.probeResult = 0;
  await timers.advance(1_000);
  assert.equal(changes, ['unhealthy', 'healthy']);
  probe.probeResult = 1;
  await timers.advance(1_000);
  assert.equal(changes, ['unhealthy', 'healthy'], 'one failure of two retries');
  await timers.advance(1_000);
  assert.equal(changes, ['unhealthy', 'healthy', 'unhealthy']);
});

test('a success during start_period ends it: later failures count at once', async () => {
  const { timers, changes, probe } = await setup({ startPeriodMs: 60_000 });
  await timers.advance(1_000);
  assert.equal(changes, ['healthy']);
  probe.probeResult = 1;
  await timers.advance(2_000);
  assert.equal(changes, ['healthy', 'unhealthy']);
});

test('after stop() no probe runs and no change is heard', async () => {
  const { timers, changes, probe, health } = await setup({});
  probe.probeResult = 1;
  await timers.advance(1_000);
  health.stop();
  await timers.advance(10_000);
  assert.equal(changes, []);
  assert.is(timers.pendingCount, 0);
  assert.is(health.status, 'starting');
});

test.run();
