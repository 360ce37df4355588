import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../core/logger.js';
import { ContainerManager } from './container-manager.js';
import { buildBusyboxImage, ImageStore, importPath, LocalImages } from './image/index.js';
import { buildBundleConfig } from './oci/bundle-config.js';
import { nativeBinary } from './oci/native-binaries.js';
import { defaultOciRuntimeConfig, OciRuntime } from './oci/oci-runtime.js';
import { removeCgroupTree } from './oci/test-cgroups.js';
import { runtimeContract } from './runtime.contract.js';
import type { ContainerSpec } from './runtime.js';

/** One node's real runtime in a temp state directory, as the daemon wires it. */
async function openNode(stateDir: string, cgroupParent: string): Promise<{ manager: ContainerManager; images: LocalImages }> {
  const store = await ImageStore.open(join(stateDir, 'images'));
  let manager: ContainerManager | undefined;
  const images = new LocalImages({ store, rootfsRoot: join(stateDir, 'rootfs'), inUse: (id) => manager?.usesImage(id) ?? true });
  manager = new ContainerManager({
    containersDir: join(stateDir, 'containers'), cgroupParent, images, buildBundleConfig, log: silentLogger(),
    oci: new OciRuntime(defaultOciRuntimeConfig({ runtimePath: nativeBinary('swarmts-runtime'), runtimeRoot: join(stateDir, 'runtime'), monitorPath: nativeBinary('swarmts-monitor') })),
  });
  await manager.recover();
  return { manager, images };
}

async function importBusybox(stateDir: string): Promise<void> {
  const layout = join(stateDir, 'busybox-layout');
  await buildBusyboxImage({ outDir: layout });
  await importPath(await ImageStore.open(join(stateDir, 'images')), layout);
}

const cgroupRoot = `/swarmts-cm-test-${process.pid}`;
const dirs: string[] = [];

runtimeContract('ContainerManager with swarmts-runtime', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-cm-'));
  dirs.push(stateDir);
  await importBusybox(stateDir);
  const { manager } = await openNode(stateDir, `${cgroupRoot}/contract`);
  return { runtime: manager, image: 'busybox', cleanup: async () => {} };
});

const spec = (over: Partial<ContainerSpec>): ContainerSpec => ({
  image: 'busybox', env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: false, ...over,
});

test('a container outlives its daemon: a new manager on the same state finds it running, then it stops cleanly', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-cm-'));
  dirs.push(stateDir);
  await importBusybox(stateDir);
  const first = await openNode(stateDir, `${cgroupRoot}/restart`);
  const c = await first.manager.create(spec({ name: 'survivor', command: ['sh', '-c', 'echo up; exec sleep 1000'], env: ['GREETING=hi'] }));
  const started = await first.manager.start(c.id);
  // The first manager goes away as an exiting daemon's does; the container does not.
  first.manager.close();
  const second = await openNode(stateDir, `${cgroupRoot}/restart`);
  const found = await second.manager.inspect('survivor');
  assert.is(found.state, 'running');
  assert.is(found.pid, started.pid);
  assert.ok(existsSync(`/proc/${started.pid}`));
  const lines: string[] = [];
  for await (const line of second.manager.logs('survivor', { follow: false })) lines.push(line.text);
  assert.equal(lines, ['up']);
  const stopped = await second.manager.stop('survivor', 200);
  assert.is(stopped.state, 'exited');
  assert.is(stopped.exit?.exitCode, 137);
  await second.manager.remove('survivor', false);
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(stateDir), 'a root is still mounted');
  assert.not.ok(existsSync(`/sys/fs/cgroup/memory${cgroupRoot}/restart/${c.id}`), 'the cgroup is still there');
});

test('image env, user lookup and limits reach the process; an image in use cannot be removed', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-cm-'));
  dirs.push(stateDir);
  await importBusybox(stateDir);
  const { manager, images } = await openNode(stateDir, `${cgroupRoot}/env`);
  const c = await manager.create(spec({ command: ['sh', '-c', 'echo $PATH; id -u; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'], user: 'nobody', resources: { memoryBytes: 48 * 1024 * 1024 } }));
  await manager.start(c.id);
  assert.is((await manager.wait(c.id)).exitCode, 0);
  const lines: string[] = [];
  for await (const line of manager.logs(c.id, { follow: false })) lines.push(line.text);
  assert.equal(lines, ['/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '65534', String(48 * 1024 * 1024)]);
  try {
    await images.remove('busybox', false);
    assert.unreachable('removing an image in use should fail');
  } catch (err) {
    assert.match(String(err), /CONFLICT|in use|used by/i);
  }
  await manager.remove(c.id, false);
  await images.remove('busybox', false);
  assert.equal(await images.list(), []);
});

test('starting a container whose program is missing fails with the runtime\'s reason and leaves it startable', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-cm-'));
  dirs.push(stateDir);
  await importBusybox(stateDir);
  const { manager } = await openNode(stateDir, `${cgroupRoot}/missing`);
  const c = await manager.create(spec({ command: ['/bin/no-such-program'] }));
  try {
    await manager.start(c.id);
    assert.unreachable('start should fail');
  } catch (err) {
    assert.match(String(err), /no-such-program/);
  }
  assert.is((await manager.inspect(c.id)).state, 'created');
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(stateDir), 'a failed start left its root mounted');
  await manager.remove(c.id, false);
});

test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  removeCgroupTree(cgroupRoot);
});

test.run();
