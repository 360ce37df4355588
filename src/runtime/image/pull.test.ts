import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { buildIndexLayout } from './build-layout.js';
import { buildBusyboxImage } from './busybox-image.js';
import { ImageStore } from './image-store.js';
import { dockerManifestList } from './media-types.js';
import { pullImage, type LayerProgress } from './pull.js';
import { pushLayout } from './push.js';
import { defaultRegistryConfig } from './registry-config.js';
import { busyboxLayout, pushBusybox } from './testing/busybox.js';
import { buildTestImage } from './testing/images.js';
import { freePort, startRegistry, type TestRegistry } from './testing/registry.js';
import { startRedirectingRegistryProxy, startTamperingRegistryProxy } from './testing/registry-proxies.js';
import { mountsUnder, removeTempDir, withTempDir } from './testing/temp-dir.js';

let registry: TestRegistry;
let fixtures: string;

test.before(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'swarmts-pull-fixtures-'));
  registry = await startRegistry();
  await pushBusybox(registry.host);
});

test.after(async () => {
  await registry?.stop();
  await removeTempDir(fixtures);
});

test('pull by tag stores the image with its name and repo digest, and it mounts as a root', () => withTempDir('pull', async (dir) => {
  const { built } = await busyboxLayout();
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await pullImage(store, `${registry.host}/busybox`);
  assert.is(image.id, built.configDigest);
  assert.equal(image.references, [`${registry.host}/busybox:latest`]);
  assert.equal(image.repoDigests, [`${registry.host}/busybox@${built.manifestDigest}`]);
  assert.equal(image.config.cmd, ['sh']);
  const prepared = await store.prepareRootfs(`${registry.host}/busybox:latest`, 'c1', join(dir, 'rootfs'));
  try {
    assert.ok(existsSync(join(prepared.rootfsPath, 'bin', 'busybox')));
  } finally {
    await prepared.release();
  }
  assert.equal(await mountsUnder(dir), []);
}));

test('pull by digest gives the same image, found by name@digest; pulling again fetches nothing', () => withTempDir('pull', async (dir) => {
  const { built } = await busyboxLayout();
  const store = await ImageStore.open(join(dir, 'images'));
  const ref = `${registry.host}/busybox@${built.manifestDigest}`;
  const image = await pullImage(store, ref);
  assert.is(image.id, built.configDigest);
  assert.equal(image.references, []);
  assert.is(store.inspect(ref).id, image.id);
  let blobRequests = 0;
  const counting: typeof fetch = (input, init) => {
    if (String(input).includes('/blobs/')) blobRequests++;
    return fetch(input, init);
  };
  await pullImage(store, `${registry.host}/busybox:latest`, { fetch: counting });
  assert.is(blobRequests, 0);
}));

test('concurrent pulls of one image into one store all succeed and store each blob once', () => withTempDir('pull', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const images = await Promise.all([1, 2, 3].map(() => pullImage(store, `${registry.host}/busybox:latest`)));
  assert.is(new Set(images.map((i) => i.id)).size, 1);
  assert.is(store.list().length, 1);
  assert.equal(readdirSync(store.blobs.blobsDir).length, 3, 'manifest, config and layer');
  assert.equal(readdirSync(store.layers.layersDir).length, 1);
  assert.equal(readdirSync(store.blobs.tmpDir), []);
}));

test('a manifest list is resolved to linux/amd64, or to the configured platform and variant', () => withTempDir('pull', async (dir) => {
  const layout = join(fixtures, 'multi');
  const built = await buildBusyboxImage({ outDir: layout, reference: 'multi:amd64' });
  const arm = await buildTestImage(layout, [{ 'arch': 'arm64' }]);
  const armV7 = await buildTestImage(layout, [{ 'arch': 'arm/v7' }]);
  const listDigests: Record<string, string> = {};
  for (const [name, mediaType] of [['multi:oci', undefined], ['multi:docker', dockerManifestList]] as const) {
    listDigests[name.slice(6)] = await buildIndexLayout(layout, [
      { manifestDigest: arm.manifestDigest, manifestSizeBytes: arm.manifestSizeBytes, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { manifestDigest: armV7.manifestDigest, manifestSizeBytes: armV7.manifestSizeBytes, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { manifestDigest: built.manifestDigest, manifestSizeBytes: built.manifestSizeBytes, platform: { os: 'linux', architecture: 'amd64', variant: undefined } },
    ], name, mediaType);
  }
  for (const tag of ['oci', 'docker']) await pushLayout(layout, `${registry.host}/multi:${tag}`, { source: `multi:${tag}` });
  const store = await ImageStore.open(join(dir, 'images'));
  for (const tag of ['oci', 'docker']) {
    const image = await pullImage(store, `${registry.host}/multi:${tag}`);
    assert.is(image.id, built.configDigest, tag);
    assert.is(image.architecture, 'amd64');
    for (const digest of [listDigests[tag], built.manifestDigest]) assert.ok(image.repoDigests.includes(`${registry.host}/multi@${digest}`), `${tag}: ${digest}`);
  }
  const config = defaultRegistryConfig();
  config.platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
  assert.is((await pullImage(store, `${registry.host}/multi:oci`, { config })).id, armV7.configDigest);
  config.platform = { os: 'linux', architecture: 'arm64', variant: undefined };
  assert.is((await pullImage(store, `${registry.host}/multi:oci`, { config })).id, arm.configDigest);
  config.platform = { os: 'linux', architecture: 's390x', variant: undefined };
  await pullImage(store, `${registry.host}/multi:oci`, { config }).then(() => assert.unreachable('no s390x image'), (err: unknown) => {
    assert.ok(isSwarmError(err, 'IMAGE_NOT_FOUND'), String(err));
    assert.match((err as Error).message, /no image for linux\/s390x; it offers linux\/arm64\/v8, linux\/arm\/v7, linux\/amd64/);
  });
}));

test('a blob tampered with on the way is DIGEST_MISMATCH and nothing of it is stored', () => withTempDir('pull', async (dir) => {
  const proxy = await startTamperingRegistryProxy(registry.host);
  try {
    const store = await ImageStore.open(join(dir, 'images'));
    await pullImage(store, `${proxy.host}/busybox:latest`).then(() => assert.unreachable('should fail'), (err: unknown) => {
      assert.ok(isSwarmError(err, 'DIGEST_MISMATCH'), String(err));
      assert.match((err as Error).message, new RegExp(`from ${proxy.host}`));
    });
    assert.ok(proxy.blobRequests() > 0);
    assert.equal(store.list(), []);
    assert.equal(readdirSync(store.blobs.tmpDir), []);
    const { built } = await busyboxLayout();
    for (const blob of [built.configDigest, ...built.layers.map((l) => l.digest)]) assert.not.ok(await store.blobs.has(blob), blob);
    assert.equal(readdirSync(store.layers.layersDir), []);
  } finally {
    await proxy.stop();
  }
}));

test('blob downloads follow redirects, as to object storage', () => withTempDir('pull', async (dir) => {
  const proxy = await startRedirectingRegistryProxy(registry.host);
  try {
    const store = await ImageStore.open(join(dir, 'images'));
    const image = await pullImage(store, `${proxy.host}/busybox:latest`);
    assert.is(image.id, (await busyboxLayout()).built.configDigest);
    assert.is(proxy.blobRequests(), 2, 'config and layer were both redirected');
  } finally {
    await proxy.stop();
  }
}));

test('a cancelled pull is UNAVAILABLE, before it starts or midway, and leaves no partial blob', () => withTempDir('pull', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const expectCancelled = (err: unknown) => {
    assert.ok(isSwarmError(err, 'UNAVAILABLE'), String(err));
    assert.match((err as Error).message, /cancelled/);
  };
  await pullImage(store, `${registry.host}/busybox`, { signal: AbortSignal.abort() }).then(() => assert.unreachable('aborted'), expectCancelled);
  const controller = new AbortController();
  await pullImage(store, `${registry.host}/busybox`, { signal: controller.signal, onProgress: () => controller.abort() })
    .then(() => assert.unreachable('aborted midway'), expectCancelled);
  assert.equal(readdirSync(store.blobs.tmpDir), []);
  assert.equal(store.list(), []);
}));

test('an unknown image or tag is IMAGE_NOT_FOUND naming the reference and the registry', () => withTempDir('pull', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  for (const ref of [`${registry.host}/nothing:1`, `${registry.host}/busybox:nope`, `${registry.host}/busybox@sha256:${'0'.repeat(64)}`]) {
    await pullImage(store, ref).then(() => assert.unreachable(ref), (err: unknown) => {
      assert.ok(isSwarmError(err, 'IMAGE_NOT_FOUND'), `${ref}: ${String(err)}`);
      assert.match((err as Error).message, `not found in registry ${registry.host}`);
      assert.ok((err as Error).message.includes(ref.split('/')[1]!.split(/[:@]/)[0]!));
    });
  }
}));

test('an unreachable registry is REGISTRY_ERROR naming host:port and what to check', () => withTempDir('pull', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const host = `127.0.0.1:${await freePort()}`;
  await pullImage(store, `${host}/busybox`).then(() => assert.unreachable('should fail'), (err: unknown) => {
    assert.ok(isSwarmError(err, 'REGISTRY_ERROR'), String(err));
    assert.match((err as Error).message, `registry ${host} is unreachable at http://${host} (ECONNREFUSED): check the address and that the registry runs`);
  });
}));

test('layer downloads stay within layerDownloadsMax and report progress up to each layer\'s size', () => withTempDir('pull', async (dir) => {
  const layout = join(dir, 'layout');
  const layers = Array.from({ length: 6 }, (_, i) => ({ [`f${i}`]: `${i}`.repeat(200_000 + i) }));
  const built = await buildTestImage(layout, layers, { reference: 'wide:1' });
  await pushLayout(layout, `${registry.host}/wide:1`);
  let inFlight = 0;
  let inFlightMax = 0;
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).includes('/blobs/') || !response.body) return response;
    inFlight++;
    inFlightMax = Math.max(inFlightMax, inFlight);
    const done = new TransformStream({ flush: () => { inFlight--; } });
    return new Response(response.body.pipeThrough(done), { status: response.status, headers: response.headers });
  };
  const progress: LayerProgress[] = [];
  const config = { ...defaultRegistryConfig(), layerDownloadsMax: 2 };
  const store = await ImageStore.open(join(dir, 'images'));
  await pullImage(store, `${registry.host}/wide:1`, { config, fetch: counting, onProgress: (p) => progress.push(p) });
  assert.ok(inFlightMax <= 2, `at most 2 layers at once, saw ${inFlightMax}`);
  for (const layer of built.layers) {
    const mine = progress.filter((p) => p.layer === layer.digest);
    assert.ok(mine.length > 0, layer.digest);
    assert.equal(mine.at(-1), { layer: layer.digest, doneBytes: layer.sizeBytes, totalBytes: layer.sizeBytes });
    assert.ok(mine.every((p, i) => i === 0 || p.doneBytes >= mine[i - 1]!.doneBytes));
  }
}));

test.run();
