import { createReadStream, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { ImageStore } from './image-store.js';
import { LocalImages, type PullEvent } from './local-images.js';
import { busyboxLayout, pushBusybox } from './testing/busybox.js';
import { startRegistry } from './testing/registry.js';
import { mountsUnder, withTempDir } from './testing/temp-dir.js';

async function open(dir: string, inUse: (id: string) => boolean = () => false): Promise<LocalImages> {
  return new LocalImages({ store: await ImageStore.open(join(dir, 'images')), rootfsRoot: join(dir, 'rootfs'), inUse });
}

test('pull streams per-layer progress and ends with the image summary', () => withTempDir('local', async (dir) => {
  const registry = await startRegistry();
  try {
    await pushBusybox(registry.host);
    const images = await open(dir);
    const events: PullEvent[] = [];
    for await (const event of images.pull(`${registry.host}/busybox`, new AbortController().signal)) events.push(event);
    const done = events.at(-1)!;
    assert.is(done.type, 'done');
    const { built } = await busyboxLayout();
    assert.equal(done.type === 'done' && done.image.references, [`${registry.host}/busybox:latest`]);
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 1 && progress.length < 10, `progress is throttled: ${progress.length} events`);
    assert.equal(progress.at(-1), { type: 'progress', layer: built.layers[0]!.digest, doneBytes: built.layers[0]!.sizeBytes, totalBytes: built.layers[0]!.sizeBytes });
    assert.equal((await images.list()).map((i) => i.references), [[`${registry.host}/busybox:latest`]]);
  } finally {
    await registry.stop();
  }
}));

test('a failed pull ends the event stream with its error', () => withTempDir('local', async (dir) => {
  const images = await open(dir);
  try {
    for await (const _ of images.pull('127.0.0.1:1/x:1', new AbortController().signal)) { /* none expected */ }
    assert.unreachable('should fail');
  } catch (err) {
    assert.ok(isSwarmError(err, 'REGISTRY_ERROR'), String(err));
  }
}));

test('import from a stream, resolve, mount, unmount and remove: the container manager\'s view', () => withTempDir('local', async (dir) => {
  const { layoutDir } = await busyboxLayout();
  const tar = join(dir, 'busybox.tar');
  execFileSync('tar', ['-c', '-f', tar, '-C', layoutDir, '.']);
  let using = '';
  const images = await open(dir, (id) => id === using);
  const [summary] = await images.importArchive(createReadStream(tar), 'busybox:1');
  assert.equal(summary!.references, ['busybox:1']);
  assert.ok(await images.has('busybox:1'));
  const resolved = await images.resolve('busybox:1');
  assert.equal(resolved.config.cmd, ['sh']);
  using = resolved.id;
  const root = await images.mountRootfs(resolved.id, 'c1');
  assert.is(await images.mountRootfs(resolved.id, 'c1'), root);
  assert.ok(existsSync(join(root, 'bin', 'sh')));
  await images.remove('busybox:1', false).then(() => assert.unreachable('in use'), (err: unknown) => assert.ok(isSwarmError(err, 'CONFLICT')));
  await images.unmountRootfs('c1');
  assert.equal(await mountsUnder(dir), []);
  assert.ok(existsSync(join(dir, 'rootfs', 'c1', 'upper')));
  await images.removeRootfs('c1');
  assert.not.ok(existsSync(join(dir, 'rootfs', 'c1')));
  using = '';
  await images.remove('busybox:1', false);
  assert.equal(await images.list(), []);
  await images.resolve('busybox:1').then(() => assert.unreachable('gone'), (err: unknown) => assert.ok(isSwarmError(err, 'IMAGE_NOT_FOUND')));
}));

test.run();
