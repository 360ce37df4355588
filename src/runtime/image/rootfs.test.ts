import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { ImageStore } from './image-store.js';
import { importPath } from './import-archive.js';
import { currentMounts } from './mounts.js';
import { mountOptionBytesMax } from './rootfs.js';
import { buildTestImage } from './testing/images.js';
import { mountsUnder, withTempDir } from './testing/temp-dir.js';

async function storeWith(dir: string, layers: Parameters<typeof buildTestImage>[1], reference: string, config = {}) {
  const layout = join(dir, `layout-${reference.replace(/\W/g, '-')}`);
  await buildTestImage(layout, layers, { reference, config });
  const store = await ImageStore.open(join(dir, 'images'));
  await importPath(store, layout);
  return store;
}

test('a two-layer image whose top layer deletes a file and makes a directory opaque shows the right tree', () => withTempDir('rootfs', async (dir) => {
  const store = await storeWith(dir, [
    { 'etc/keep': 'kept', 'etc/gone': 'deleted above', 'data/old': 'hidden', 'data/sub/old2': 'hidden', 'olddir/x': 'x' },
    { 'etc/.wh.gone': '', 'data/.wh..wh..opq': '', 'data/new': 'visible', '.wh.olddir': '', 'etc/added': 'added' },
  ], 'whiteouts:1', { Cmd: ['sh'], Env: ['A=1'] });
  const rootfsRoot = join(dir, 'rootfs');
  const prepared = await store.prepareRootfs('whiteouts:1', 'c1', rootfsRoot);
  try {
    const root = prepared.rootfsPath;
    assert.is(root, join(rootfsRoot, 'c1', 'merged'));
    assert.equal(readdirSync(join(root, 'etc')).sort(), ['added', 'keep']);
    assert.equal(readdirSync(join(root, 'data')), ['new']);
    assert.not.ok(existsSync(join(root, 'olddir')));
    assert.is(readFileSync(join(root, 'etc', 'keep'), 'utf8'), 'kept');
    assert.equal(prepared.imageConfig, { cmd: ['sh'], env: ['A=1'] });
    writeFileSync(join(root, 'written'), 'by the container');
    assert.ok(existsSync(join(rootfsRoot, 'c1', 'upper', 'written')), 'writes land in the upper layer');
    assert.equal(await mountsUnder(rootfsRoot), [join(rootfsRoot, 'c1', 'merged')]);
  } finally {
    await prepared.release();
  }
  assert.equal(await mountsUnder(dir), []);
  assert.not.ok(existsSync(join(rootfsRoot, 'c1')));
}));

test('mounting a mounted root, or mounting twice at once, gives one mount; unmount keeps the upper layer so a restart sees its files', () => withTempDir('rootfs', async (dir) => {
  const store = await storeWith(dir, [{ 'f': 'base' }], 'one:1');
  const rootfsRoot = join(dir, 'rootfs');
  const manager = store.rootfs(rootfsRoot);
  const image = store.inspect('one:1');
  const diffIds = image.layers.map((l) => l.diffId);
  try {
    const [root, again] = await Promise.all([manager.mount('c2', diffIds), manager.mount('c2', diffIds)]);
    assert.is(again, root);
    assert.is(await manager.mount('c2', diffIds), root);
    assert.is((await mountsUnder(rootfsRoot)).length, 1);
    writeFileSync(join(root, 'state'), 'kept across restarts');
    await manager.unmount('c2');
    assert.equal(await mountsUnder(rootfsRoot), []);
    await manager.unmount('c2');
    await manager.mount('c2', diffIds);
    assert.is(readFileSync(join(root, 'state'), 'utf8'), 'kept across restarts');
  } finally {
    await manager.remove('c2');
  }
  assert.equal(await mountsUnder(dir), []);
}));

test('after a crash, cleanLeftovers removes roots no container owns and keeps the others', () => withTempDir('rootfs', async (dir) => {
  const store = await storeWith(dir, [{ 'f': 'x' }], 'one:1');
  const rootfsRoot = join(dir, 'rootfs');
  for (const id of ['owned', 'orphan']) await store.prepareRootfs('one:1', id, rootfsRoot);
  mkdirSync(join(rootfsRoot, 'half-made', 'upper'), { recursive: true });
  const manager = store.rootfs(rootfsRoot);
  const removed = await manager.cleanLeftovers((id) => id === 'owned');
  assert.equal(removed, ['half-made', 'orphan']);
  assert.equal(await mountsUnder(rootfsRoot), [join(rootfsRoot, 'owned', 'merged')]);
  assert.equal(readdirSync(rootfsRoot), ['owned']);
  await manager.cleanLeftovers(() => false);
  assert.equal(await mountsUnder(dir), []);
  assert.equal(readdirSync(rootfsRoot), []);
}));

test('an image of 120 layers mounts: short layer names keep the options under the page-size limit', () => withTempDir('rootfs', async (dir) => {
  const layers = Array.from({ length: 120 }, (_, i) => ({ [`layer-${i}`]: String(i), 'top': String(i) }));
  const store = await storeWith(dir, layers, 'tall:1');
  const prepared = await store.prepareRootfs('tall:1', 'tall', join(dir, 'rootfs'));
  try {
    assert.is(readdirSync(prepared.rootfsPath).length, 121);
    assert.is(readFileSync(join(prepared.rootfsPath, 'top'), 'utf8'), '119', 'the last layer is on top');
    const mount = (await currentMounts()).find((m) => m.mountPoint === prepared.rootfsPath);
    assert.ok(mount && mount.superOptions.length < mountOptionBytesMax);
  } finally {
    await prepared.release();
  }
  assert.equal(await mountsUnder(dir), []);
}));

test('container ids that are not a plain name are refused', () => withTempDir('rootfs', async (dir) => {
  const store = await storeWith(dir, [{ 'f': 'x' }], 'one:1');
  for (const id of ['', '../x', 'a/b', '.hidden', 'x'.repeat(129)]) {
    await store.prepareRootfs('one:1', id, join(dir, 'rootfs')).then(
      () => assert.unreachable(`${id} should be refused`),
      (err: unknown) => assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'), String(err)),
    );
  }
  assert.equal(await mountsUnder(dir), []);
}));

test('prepareRootfs of an unknown image is IMAGE_NOT_FOUND', () => withTempDir('rootfs', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await store.prepareRootfs('nothere:1', 'c', join(dir, 'rootfs')).then(
    () => assert.unreachable('should fail'),
    (err: unknown) => assert.ok(isSwarmError(err, 'IMAGE_NOT_FOUND'), String(err)),
  );
}));

test.run();
