import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TaskStatusReport } from '../cluster/records.js';
import { RealClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { ContainerManager } from '../runtime/container-manager.js';
import { buildBusyboxImage, ImageStore, importPath, LocalImages } from '../runtime/image/index.js';
import { buildBundleConfig } from '../runtime/oci/bundle-config.js';
import { nativeBinary } from '../runtime/oci/native-binaries.js';
import { defaultOciRuntimeConfig, OciRuntime } from '../runtime/oci/oci-runtime.js';
import { removeCgroupTree } from '../runtime/oci/test-cgroups.js';
import { Agent } from './agent.js';
import { PullingImageService } from './image-service.js';
import { taskOf, webSpec } from './test-fixtures.js';
import { RealTimers } from './timers.js';

/**
 * The agent over the real runtime (ContainerManager, swarmts-runtime, busybox), as the
 * daemon will wire it: a task runs, is reported running, then is shut down and removed.
 * Needs root and the C build; everything lives in a temp state dir and its own cgroup.
 */

const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-agent-'));
const cgroupRoot = `/swarmts-agent-test-${process.pid}`;
let manager: ContainerManager | undefined;

async function openNode(): Promise<{ manager: ContainerManager; images: LocalImages }> {
  const layout = join(stateDir, 'busybox-layout');
  await buildBusyboxImage({ outDir: layout });
  const store = await ImageStore.open(join(stateDir, 'images'));
  await importPath(store, layout);
  let runtime: ContainerManager | undefined;
  const images = new LocalImages({ store, rootfsRoot: join(stateDir, 'rootfs'), inUse: (id) => runtime?.usesImage(id) ?? true });
  runtime = new ContainerManager({
    containersDir: join(stateDir, 'containers'), cgroupParent: cgroupRoot, images, buildBundleConfig, log: silentLogger(),
    oci: new OciRuntime(defaultOciRuntimeConfig({ runtimePath: nativeBinary('swarmts-runtime'), runtimeRoot: join(stateDir, 'runtime'), monitorPath: nativeBinary('swarmts-monitor') })),
  });
  await runtime.recover();
  return { manager: runtime, images };
}

test('a task runs in a real container, is reported running and healthy, then is stopped, removed and reported shutdown', async () => {
  const node = await openNode();
  manager = node.manager;
  const reports: TaskStatusReport[] = [];
  const agent = new Agent({
    nodeId: 'n1', nodeHostname: 'host-one', runtime: node.manager, images: new PullingImageService(node.images),
    volumesDir: join(stateDir, 'volumes'), clock: new RealClock(), timers: new RealTimers(), log: silentLogger(),
    report: (batch) => reports.push(...batch),
  });
  await agent.recover();
  const spec = webSpec([
    '    image: busybox',
    "    command: sh -c 'echo hi; sleep 30'",
    '    stop_grace_period: 1s',
    '    healthcheck:',
    '      test: grep -q sleep /proc/1/cmdline',
    '      interval: 200ms',
    '      timeout: 5s',
    '',
  ].join('\n'));
  const task = taskOf(spec, 'real1');
  await agent.sync([task]);
  assert.equal(reports.map((r) => r.state), ['preparing', 'starting', 'running']);
  const containerId = reports[2]!.containerId!;
  const running = await node.manager.inspect(containerId);
  assert.is(running.state, 'running');
  assert.is(running.name, 'demo_web.1.real1');
  assert.ok(existsSync(`/proc/${running.pid}`));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  const lines: string[] = [];
  for await (const line of node.manager.logs(containerId, { follow: true }, abort.signal)) {
    lines.push(line.text);
    break;
  }
  clearTimeout(timer);
  assert.equal(lines, ['hi']);
  for (let i = 0; i < 100 && reports.at(-1)?.health !== 'healthy'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(reports.map((r) => [r.state, r.health]), [['preparing', undefined], ['starting', undefined], ['running', 'starting'], ['running', 'healthy']]);

  await agent.sync([{ ...task, state: 'running', desiredState: 'shutdown' }]);
  assert.equal(reports.map((r) => r.state), ['preparing', 'starting', 'running', 'running', 'shutdown']);
  assert.is(reports[4]!.exitCode, 137, 'sh as PID 1 ignores SIGTERM: killed after the 1 s grace period');
  assert.equal(await node.manager.list(), []);
  assert.not.ok(existsSync(`/proc/${running.pid}`), 'the container\'s process is still there');
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(stateDir), 'a root is still mounted');
  agent.close();
});

test.after(async () => {
  if (manager !== undefined) {
    for (const c of await manager.list()) await manager.remove(c.id, true).catch(() => undefined);
    manager.close();
  }
  removeCgroupTree(cgroupRoot);
  rmSync(stateDir, { recursive: true, force: true });
});

test.run();
