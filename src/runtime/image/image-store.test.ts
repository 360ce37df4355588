import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { ImageStore } from './image-store.js';
import { importPath } from './import-archive.js';
import { buildTestImage, type LayerSpec } from './testing/images.js';
import { mountsUnder, withTempDir } from './testing/temp-dir.js';

const base: LayerSpec = { 'bin/tool': 'shared base', 'etc/os': 'base' };

async function addImage(store: ImageStore, dir: string, reference: string, layers: LayerSpec[]) {
  const layout = join(dir, `layout-${reference.replace(/\W/g, '-')}`);
  await buildTestImage(layout, layers, { reference });
  return (await importPath(store, layout))[0]!;
}

function storeContents(store: ImageStore) {
  return {
    blobs: readdirSync(store.blobs.blobsDir).length,
    layers: readdirSync(store.layers.layersDir).length,
    links: readdirSync(store.layers.linksDir).length,
  };
}

test('a layer two images share is stored and unpacked once; removing both leaves no orphan', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const a = await addImage(store, dir, 'app-a:1', [base, { 'app': 'a' }]);
  const b = await addImage(store, dir, 'app-b:1', [base, { 'app': 'b' }]);
  assert.is(a.layers[0]!.digest, b.layers[0]!.digest);
  // 2 configs + 2 manifests + 3 distinct layer blobs; 3 unpacked layers.
  assert.equal(storeContents(store), { blobs: 7, layers: 3, links: 3 });
  assert.equal((await store.remove('app-a:1')).deleted, true);
  assert.equal(storeContents(store), { blobs: 4, layers: 2, links: 2 });
  assert.ok(readdirSync(store.layers.layersDir).includes(b.layers[0]!.diffId.slice(7)), 'the shared layer survives');
  await store.remove('app-b:1');
  assert.equal(storeContents(store), { blobs: 0, layers: 0, links: 0 });
  assert.equal(store.list(), []);
}));

test('images are found by name, id, id prefix and name@digest; unknown names are IMAGE_NOT_FOUND', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await addImage(store, dir, '127.0.0.1:5000/web:2', [base]);
  const hex = image.id.slice(7);
  for (const ref of ['127.0.0.1:5000/web:2', image.id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 8)}`, `127.0.0.1:5000/web@${image.manifestDigest}`]) {
    assert.is(store.find(ref)?.id, image.id, ref);
  }
  for (const ref of ['127.0.0.1:5000/web', '127.0.0.1:5000/web:3', 'web:2', `127.0.0.1:5000/other@${image.manifestDigest}`, 'ffffffffffff']) {
    assert.is(store.find(ref), undefined, ref);
  }
  assert.throws(() => store.inspect('web:2'), (err: unknown) => isSwarmError(err, 'IMAGE_NOT_FOUND') && /web:2 is not in the image store/.test((err as Error).message));
}));

test('the index survives reopening, and a name moves to the image last given it', () => withTempDir('store', async (dir) => {
  const root = join(dir, 'images');
  let store = await ImageStore.open(root);
  const first = await addImage(store, dir, 'app:1', [base, { 'v': '1' }]);
  const second = await addImage(store, join(dir, 'x'), 'app:1', [base, { 'v': '2' }]);
  assert.is.not(first.id, second.id);
  store = await ImageStore.open(root);
  assert.is(store.inspect('app:1').id, second.id);
  assert.equal(store.inspect(first.id).references, [], 'the old image is left dangling');
  assert.equal(JSON.parse(readFileSync(join(root, 'images.json'), 'utf8')).version, 1);
}));

test('removing a name of an image with several only untags it', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await addImage(store, dir, 'app:1', [base]);
  await store.tag('app:1', 'app:latest');
  assert.equal(await store.remove('app:latest'), { untagged: ['docker.io/library/app:latest'], deleted: false });
  assert.equal(store.inspect(image.id).references, ['docker.io/library/app:1']);
  await store.tag('app:1', 'other:1');
  await store.remove(image.id).then(() => assert.unreachable('by id with two names needs force'), (err: unknown) => assert.ok(isSwarmError(err, 'CONFLICT'), String(err)));
  assert.is((await store.remove(image.id, { force: true })).deleted, true);
}));

test('an image a container uses is refused with CONFLICT, and force only untags it until the container is gone', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await addImage(store, dir, 'busy:1', [base]);
  const rootfsRoot = join(dir, 'rootfs');
  const prepared = await store.prepareRootfs('busy:1', 'c1', rootfsRoot);
  let containerAlive = true;
  const inUse = (id: string) => containerAlive && id === image.id;
  try {
    await store.remove('busy:1', { inUse }).then(() => assert.unreachable('should refuse'), (err: unknown) => {
      assert.ok(isSwarmError(err, 'CONFLICT'), String(err));
      assert.match((err as Error).message, /used by a container/);
    });
    assert.equal(await store.remove('busy:1', { inUse, force: true }), { untagged: ['docker.io/library/busy:1'], deleted: false });
    assert.is(store.find('busy:1'), undefined);
    assert.ok(store.find(image.id), 'kept, dangling, for the container');
    assert.is(readFileSync(join(prepared.rootfsPath, 'bin', 'tool'), 'utf8'), 'shared base');
  } finally {
    await prepared.release();
  }
  containerAlive = false;
  assert.is((await store.remove(image.id, { inUse })).deleted, true);
  assert.equal(storeContents(store), { blobs: 0, layers: 0, links: 0 });
  assert.equal(await mountsUnder(dir), []);
}));

test('gc keeps layers a mounted root still uses even when no image lists them', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await addImage(store, dir, 'gone:1', [{ 'only': 'here' }]);
  const prepared = await store.prepareRootfs('gone:1', 'c1', join(dir, 'rootfs'));
  try {
    await store.remove('gone:1');
    assert.is(storeContents(store).layers, 1, 'the mounted layer stays');
    assert.is(readFileSync(join(prepared.rootfsPath, 'only'), 'utf8'), 'here');
  } finally {
    await prepared.release();
  }
  const collected = await store.gc();
  assert.is(collected.layers.length, 1);
  assert.equal(storeContents(store), { blobs: 0, layers: 0, links: 0 });
}));

test('gc leaves pinned blobs and layers (fetches in flight) and takes them once unpinned', () => withTempDir('store', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const blob = await store.blobs.putBytes(Buffer.from('downloading'));
  const unpin = store.pin([blob.digest]);
  assert.equal((await store.gc()).blobs, []);
  assert.ok(await store.blobs.has(blob.digest));
  unpin();
  unpin();
  assert.equal((await store.gc()).blobs, [blob.digest]);
}));

test('a corrupt index is CORRUPT_DATA with what to do, not a crash', () => withTempDir('store', async (dir) => {
  const root = join(dir, 'images');
  await ImageStore.open(root);
  writeFileSync(join(root, 'images.json'), '{"version": 1, "images": [');
  await ImageStore.open(root).then(() => assert.unreachable('should fail'), (err: unknown) => {
    assert.ok(isSwarmError(err, 'CORRUPT_DATA'), String(err));
    assert.match((err as Error).message, /move it away/);
  });
}));

test.run();
