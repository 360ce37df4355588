import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../core/clock.js';
import { runtimeContract } from './runtime.contract.js';
import { SimRuntime } from './sim-runtime.js';

runtimeContract('SimRuntime', async () => ({ runtime: new SimRuntime(new ManualClock(0)), image: 'busybox', cleanup: async () => {} }));

test('SimRuntime: crash and oomKill end a running container the way the kernel would', async () => {
  const rt = new SimRuntime(new ManualClock(1000));
  const base = { image: 'busybox', env: [], labels: {}, resources: {}, network: { mode: 'none' as const }, mounts: [], readOnlyRootfs: false };
  const a = await rt.create({ ...base, command: ['sleep', '100'] });
  const b = await rt.create({ ...base, command: ['sleep', '100'] });
  await rt.start(a.id);
  await rt.start(b.id);
  rt.crash(a.id, 2);
  rt.oomKill(b.id);
  assert.equal(await rt.wait(a.id), { exitCode: 2, oomKilled: false, finishedAt: new Date(1000).toISOString() });
  const oom = await rt.wait(b.id);
  assert.is(oom.oomKilled, true);
  assert.is(oom.exitCode, 137);
});

test.run();
