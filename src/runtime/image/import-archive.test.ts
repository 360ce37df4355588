import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { buildImageLayout } from './build-layout.js';
import { sha256Of } from './digest.js';
import { ImageStore } from './image-store.js';
import { importArchive, importPath } from './import-archive.js';
import { buildTestImage } from './testing/images.js';
import { tarArchive } from './testing/tar-writer.js';
import { withTempDir } from './testing/temp-dir.js';

function tarDir(dir: string, out: string): string {
  execFileSync('tar', ['-c', '-f', out, '-C', dir, '.']);
  return out;
}

function isEmpty(store: ImageStore): boolean {
  return store.list().length === 0 && readdirSync(store.blobs.blobsDir).length === 0 && readdirSync(store.layers.layersDir).length === 0;
}

/**
 * A `docker save` tarball as Docker writes it: `<config hex>.json`, one directory per layer
 * with layer.tar (uncompressed), manifest.json and repositories. The second image shares the
 * first layer through a symlink, as Docker does.
 */
function dockerSave(dir: string, withRepoTags: boolean): { path: string; ids: string[] } {
  const out = join(dir, 'save');
  mkdirSync(out);
  const layerTar = (files: Record<string, string>) => tarArchive(Object.entries(files).map(([name, data]) => ({ name, data })));
  const baseTar = layerTar({ 'base.txt': 'base' });
  const topTar = layerTar({ 'top.txt': 'top' });
  const layerDirs = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
  mkdirSync(join(out, layerDirs[0]!));
  writeFileSync(join(out, layerDirs[0]!, 'layer.tar'), baseTar);
  writeFileSync(join(out, layerDirs[0]!, 'VERSION'), '1.0');
  mkdirSync(join(out, layerDirs[1]!));
  writeFileSync(join(out, layerDirs[1]!, 'layer.tar'), topTar);
  mkdirSync(join(out, layerDirs[2]!));
  symlinkSync(`../${layerDirs[0]}/layer.tar`, join(out, layerDirs[2]!, 'layer.tar'));
  const config = (diffIds: string[], cmd: string) => Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: [cmd], Env: ['X=1'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' }, StopSignal: 'SIGQUIT', Healthcheck: { Test: ['CMD', 'true'], Interval: 5e9, Retries: 3 } },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const c1 = config([sha256Of(baseTar), sha256Of(topTar)], 'one');
  const c2 = config([sha256Of(baseTar)], 'two');
  const ids = [sha256Of(c1), sha256Of(c2)];
  writeFileSync(join(out, `${ids[0]!.slice(7)}.json`), c1);
  writeFileSync(join(out, `${ids[1]!.slice(7)}.json`), c2);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify([
    { Config: `${ids[0]!.slice(7)}.json`, RepoTags: withRepoTags ? ['one:1', 'one:latest'] : null, Layers: [`${layerDirs[0]}/layer.tar`, `${layerDirs[1]}/layer.tar`] },
    { Config: `${ids[1]!.slice(7)}.json`, RepoTags: withRepoTags ? ['127.0.0.1:5000/two:2'] : null, Layers: [`${layerDirs[2]}/layer.tar`] },
  ]));
  writeFileSync(join(out, 'repositories'), JSON.stringify({ legacy: { v1: layerDirs[1] }, other: { x: 'f'.repeat(64) } }));
  return { path: tarDir(out, join(dir, 'save.tar')), ids };
}

test('an OCI layout directory imports under the name in its index.json', () => withTempDir('import', async (dir) => {
  const built = await buildTestImage(join(dir, 'layout'), [{ 'f': 'x' }], { reference: 'app:1', config: { Cmd: ['run'] } });
  const store = await ImageStore.open(join(dir, 'images'));
  const [image] = await importPath(store, join(dir, 'layout'));
  assert.is(image!.id, built.configDigest);
  assert.is(image!.manifestDigest, built.manifestDigest);
  assert.equal(image!.references, ['docker.io/library/app:1']);
  assert.equal(image!.config, { cmd: ['run'] });
}));

test('an OCI layout tar imports, gzipped too, and a name given by the caller replaces the archive\'s', () => withTempDir('import', async (dir) => {
  await buildTestImage(join(dir, 'layout'), [{ 'f': 'x' }], { reference: 'app:1' });
  const tar = tarDir(join(dir, 'layout'), join(dir, 'layout.tar'));
  writeFileSync(join(dir, 'layout.tar.gz'), gzipSync(readFileSync(tar)));
  const store = await ImageStore.open(join(dir, 'images'));
  const [plain] = await importPath(store, tar, { reference: '127.0.0.1:5000/renamed:7' });
  assert.equal(plain!.references, ['127.0.0.1:5000/renamed:7']);
  const [zipped] = await importArchive(store, createReadStream(join(dir, 'layout.tar.gz')));
  assert.is(zipped!.id, plain!.id);
  assert.equal(store.inspect(plain!.id).references.sort(), ['127.0.0.1:5000/renamed:7', 'docker.io/library/app:1']);
}));

test('a docker save tarball imports every image with its RepoTags, and shared layers once', () => withTempDir('import', async (dir) => {
  const { path, ids } = dockerSave(dir, true);
  const store = await ImageStore.open(join(dir, 'images'));
  const images = await importPath(store, path);
  assert.equal(images.map((i) => i.id), ids);
  assert.equal(images[0]!.references, ['docker.io/library/one:1', 'docker.io/library/one:latest']);
  assert.equal(images[1]!.references, ['127.0.0.1:5000/two:2']);
  assert.equal(images[0]!.config, {
    cmd: ['one'], env: ['X=1'], exposedPorts: ['80/tcp'], labels: { a: 'b' }, stopSignal: 'SIGQUIT', healthcheck: { test: ['CMD', 'true'], intervalMs: 5000, retries: 3 },
  });
  assert.is(readdirSync(store.layers.layersDir).length, 2);
  const prepared = await store.prepareRootfs('one:1', 'c', join(dir, 'rootfs'));
  try {
    assert.equal(readdirSync(prepared.rootfsPath).sort(), ['base.txt', 'top.txt']);
  } finally {
    await prepared.release();
  }
}));

test('a docker save tarball without RepoTags takes names from its repositories file', () => withTempDir('import', async (dir) => {
  const { path } = dockerSave(dir, false);
  const store = await ImageStore.open(join(dir, 'images'));
  const images = await importPath(store, path);
  assert.equal(images[0]!.references, ['docker.io/library/legacy:v1']);
  assert.equal(images[1]!.references, []);
}));

test('bad archives are refused with a clear error and leave nothing in the store', () => withTempDir('import', async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const layout = async (name: string) => {
    const out = join(dir, name);
    const built = await buildTestImage(out, [{ 'f': 'x' }, { 'g': 'y' }], { reference: `${name}:1` });
    return { out, built, blob: (digest: string) => join(out, 'blobs', 'sha256', digest.slice(7)) };
  };
  const missing = await layout('missing');
  rmSync(missing.blob(missing.built.layers[1]!.digest));
  const tampered = await layout('tampered');
  const bytes = readFileSync(tampered.blob(tampered.built.layers[0]!.digest));
  bytes[bytes.length - 5] ^= 0xff;
  writeFileSync(tampered.blob(tampered.built.layers[0]!.digest), bytes);
  const evilTar = join(dir, 'evil-layer.tar');
  writeFileSync(evilTar, tarArchive([{ name: 'ok', data: 'fine' }, { name: '../../../../tmp/swarmts-escape', data: 'evil' }]));
  await buildImageLayout({ outDir: join(dir, 'traversal'), layers: [{ tarPath: evilTar }], reference: 'evil:1' });
  const outerEvil = join(dir, 'outer-evil.tar');
  writeFileSync(outerEvil, tarArchive([{ name: '../index.json', data: '{}' }]));
  writeFileSync(join(dir, 'garbage.tar'), 'not an archive '.repeat(100));
  writeFileSync(join(dir, 'neither.tar'), tarArchive([{ name: 'hello.txt', data: 'hi' }]));
  mkdirSync(join(dir, 'dsave'));
  const badConfig = dockerSave(join(dir, 'dsave'), true);
  const saved = join(dir, 'dsave', 'save');
  const configFile = readdirSync(saved).find((n) => n.endsWith('.json') && n !== 'manifest.json')!;
  writeFileSync(join(saved, configFile), `${readFileSync(join(saved, configFile), 'utf8')} `);
  tarDir(saved, badConfig.path);

  const cases: [string, string, string, RegExp][] = [
    ['missing blob', missing.out, 'CORRUPT_DATA', /is missing from the archive/],
    ['tampered blob', tampered.out, 'DIGEST_MISMATCH', /expected digest sha256:/],
    ['path traversal in a layer', join(dir, 'traversal'), 'CORRUPT_DATA', /escapes the archive root|refused/],
    ['path traversal in the archive', outerEvil, 'CORRUPT_DATA', /escapes the archive root/],
    ['not a tar', join(dir, 'garbage.tar'), 'CORRUPT_DATA', /not a valid tar archive/],
    ['neither format', join(dir, 'neither.tar'), 'CORRUPT_DATA', /neither an OCI layout/],
    ['docker save config tampered', badConfig.path, 'DIGEST_MISMATCH', /hashes to/],
  ];
  for (const [name, path, code, message] of cases) {
    try {
      await importPath(store, path);
      assert.unreachable(`${name} should be refused`);
    } catch (err) {
      assert.ok(isSwarmError(err) && err.code === code, `${name}: ${String(err)}`);
      assert.match((err as Error).message, message, name);
    }
    assert.ok(isEmpty(store), `${name}: the store is empty again`);
  }
  assert.equal(readdirSync('/tmp').filter((n) => n === 'swarmts-escape'), []);
}));

test('naming an archive that holds several images is INVALID_ARGUMENT', () => withTempDir('import', async (dir) => {
  const { path } = dockerSave(dir, true);
  const store = await ImageStore.open(join(dir, 'images'));
  await importPath(store, path, { reference: 'one-name:1' }).then(() => assert.unreachable('should fail'), (err: unknown) => {
    assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'), String(err));
  });
  assert.ok(isEmpty(store));
}));

test.run();
