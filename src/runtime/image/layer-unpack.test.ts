import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, linkSync, chownSync, chmodSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { BlobStore } from './blob-store.js';
import { sha256Of } from './digest.js';
import { LayerStore } from './layer-store.js';
import { tarArchive, type TarWriterEntry } from './testing/tar-writer.js';
import { withTempDir } from './testing/temp-dir.js';

/** Stores `tar` (compressed as asked) as a blob; returns its path and the tar's diff id. */
async function layerBlob(root: string, tar: Buffer, compression: 'none' | 'gzip' | 'zstd' = 'gzip') {
  const blobs = new BlobStore(root);
  await blobs.open();
  const bytes = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: tar }) : tar;
  const stored = await blobs.putBytes(bytes);
  return { path: blobs.path(stored.digest), diffId: sha256Of(tar) };
}

function xattr(path: string, name: string): string {
  return execFileSync('getfattr', ['-n', name, '--only-values', path], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

async function openLayers(root: string): Promise<LayerStore> {
  const layers = new LayerStore(root);
  await layers.open();
  return layers;
}

test('a layer unpacks with hardlinks, symlinks, devices, fifos, ownership, modes and xattrs intact', () => withTempDir('layer', async (dir) => {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'bin'), { recursive: true });
  mkdirSync(join(src, 'secret'), { mode: 0o700 });
  chmodSync(join(src, 'secret'), 0o700);
  writeFileSync(join(src, 'bin', 'tool'), 'tool');
  chmodSync(join(src, 'bin', 'tool'), 0o4755);
  writeFileSync(join(src, 'owned'), 'x');
  chownSync(join(src, 'owned'), 1234, 5678);
  chmodSync(join(src, 'owned'), 0o640);
  linkSync(join(src, 'bin', 'tool'), join(src, 'bin', 'tool-link'));
  symlinkSync('/bin/tool', join(src, 'abs-link'));
  execFileSync('mknod', [join(src, 'null'), 'c', '1', '3']);
  execFileSync('mkfifo', [join(src, 'pipe')]);
  execFileSync('setfattr', ['-n', 'user.swarmts', '-v', 'yes', join(src, 'owned')]);
  const tar = execFileSync('tar', ['-c', '-f', '-', '-C', src, '--format=posix', '--xattrs', '--xattrs-include=*', '--numeric-owner', '.'], { maxBuffer: 1 << 26 });
  const { path, diffId } = await layerBlob(join(dir, 'store'), tar);
  const layers = await openLayers(join(dir, 'store'));
  const out = await layers.ensure(diffId, path, 'test layer');
  assert.is(statSync(join(out, 'bin', 'tool')).mode & 0o7777, 0o4755);
  assert.is(statSync(join(out, 'bin', 'tool')).ino, statSync(join(out, 'bin', 'tool-link')).ino, 'hardlink kept');
  assert.is(readlinkSync(join(out, 'abs-link')), '/bin/tool');
  const owned = statSync(join(out, 'owned'));
  assert.equal([owned.uid, owned.gid, owned.mode & 0o777], [1234, 5678, 0o640]);
  assert.is(statSync(join(out, 'secret')).mode & 0o777, 0o700);
  const dev = statSync(join(out, 'null'));
  assert.ok(dev.isCharacterDevice());
  assert.is(dev.rdev, statSync('/dev/null').rdev);
  assert.ok(lstatSync(join(out, 'pipe')).isFIFO());
  assert.is(xattr(join(out, 'owned'), 'user.swarmts'), 'yes');
}));

test('whiteouts become 0/0 character devices, opaque markers the trusted.overlay.opaque xattr, and spare their own layer', () => withTempDir('layer', async (dir) => {
  const tar = tarArchive([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.gone', data: '' },
    { name: 'data/', type: 'directory' },
    { name: 'data/.wh..wh..opq', data: '' },
    { name: 'data/new', data: 'new' },
    { name: '.wh.olddir', data: '' },
    { name: 'etc/.wh.readded', data: '' },
    { name: 'etc/readded', data: 'added again in this layer' },
  ]);
  const { path, diffId } = await layerBlob(join(dir, 'store'), tar);
  const out = await (await openLayers(join(dir, 'store'))).ensure(diffId, path, 'whiteout layer');
  for (const whiteout of [join(out, 'etc', 'gone'), join(out, 'olddir')]) {
    const st = lstatSync(whiteout);
    assert.ok(st.isCharacterDevice(), whiteout);
    assert.is(st.rdev, 0);
  }
  assert.not.ok(existsSync(join(out, 'etc', '.wh.gone')));
  assert.not.ok(existsSync(join(out, 'data', '.wh..wh..opq')));
  assert.is(xattr(join(out, 'data'), 'trusted.overlay.opaque'), 'y');
  assert.is(readFileSync(join(out, 'data', 'new'), 'utf8'), 'new');
  assert.is(readFileSync(join(out, 'etc', 'readded'), 'utf8'), 'added again in this layer', 'a whiteout hides lower layers only');
}));

test('overlayfs xattrs carried in a layer are dropped: only whiteouts make opaque directories', () => withTempDir('layer', async (dir) => {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sneaky'), { recursive: true });
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(src, 'sneaky')]);
  execFileSync('setfattr', ['-n', 'user.kept', '-v', 'yes', join(src, 'sneaky')]);
  const tar = execFileSync('tar', ['-c', '-f', '-', '-C', src, '--format=posix', '--xattrs', '--xattrs-include=*', '.']);
  assert.ok(tar.includes('trusted.overlay.opaque'), 'the layer carries the xattr');
  const { path, diffId } = await layerBlob(join(dir, 'store'), tar);
  const out = await (await openLayers(join(dir, 'store'))).ensure(diffId, path, 'sneaky layer');
  assert.throws(() => xattr(join(out, 'sneaky'), 'trusted.overlay.opaque'));
  assert.is(xattr(join(out, 'sneaky'), 'user.kept'), 'yes');
}));

test('long names (PAX headers) and whiteouts deep under them unpack at the right place', () => withTempDir('layer', async (dir) => {
  const deep = Array.from({ length: 12 }, (_, i) => `directory-level-${i}`).join('/');
  const src = join(dir, 'src');
  mkdirSync(join(src, deep), { recursive: true });
  writeFileSync(join(src, deep, 'file-with-a-long-name'), 'deep');
  writeFileSync(join(src, deep, '.wh.removed-with-a-long-name'), '');
  symlinkSync(`/${deep}/file-with-a-long-name`, join(src, 'long-link'));
  const tar = execFileSync('tar', ['-c', '-f', '-', '-C', src, '--format=posix', '.']);
  const { path, diffId } = await layerBlob(join(dir, 'store'), tar);
  const out = await (await openLayers(join(dir, 'store'))).ensure(diffId, path, 'long-name layer');
  assert.is(readFileSync(join(out, deep, 'file-with-a-long-name'), 'utf8'), 'deep');
  assert.ok(lstatSync(join(out, deep, 'removed-with-a-long-name')).isCharacterDevice());
  assert.is(readlinkSync(join(out, 'long-link')), `/${deep}/file-with-a-long-name`);
}));

test('members that would land outside the layer are refused and leave nothing behind', () => withTempDir('layer', async (dir) => {
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  const cases: [string, TarWriterEntry[]][] = [
    ['dot-dot', [{ name: '../escape', data: 'x' }]],
    ['nested dot-dot', [{ name: 'a/', type: 'directory' }, { name: 'a/../../escape', data: 'x' }]],
    ['through a symlink', [{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/escape', data: 'x' }]],
    ['through a relative symlink', [{ name: 'up', type: 'symlink', linkname: '../../../..' }, { name: 'up/escape', data: 'x' }]],
    ['hardlink out', [{ name: 'h', type: 'hardlink', linkname: '../../etc/passwd' }]],
    ['hardlink through a symlink', [{ name: 'link', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'hardlink', linkname: 'link/passwd' }]],
  ];
  for (const [name, entries] of cases) {
    const root = join(dir, `store-${name.replace(/\W/g, '-')}`);
    const { path, diffId } = await layerBlob(root, tarArchive(entries));
    const layers = await openLayers(root);
    try {
      await layers.ensure(diffId, path, `layer ${name}`);
      assert.unreachable(`${name} should be refused`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'CORRUPT_DATA'), `${name}: ${String(err)}`);
      assert.match((err as Error).message, /refused/);
    }
    assert.equal(readdirSync(layers.layersDir), [], `${name}: nothing unpacked`);
  }
  assert.equal(readdirSync(outside), []);
  assert.not.ok(existsSync(join(dir, 'escape')));
}));

test('a symlink replaced by a directory in the same layer no longer blocks paths under it', () => withTempDir('layer', async (dir) => {
  const tar = tarArchive([
    { name: 'x', type: 'symlink', linkname: '/tmp' },
    { name: 'x/', type: 'directory' },
    { name: 'x/file', data: 'inside' },
  ]);
  const { path, diffId } = await layerBlob(join(dir, 'store'), tar);
  await (await openLayers(join(dir, 'store'))).ensure(diffId, path, 'layer').then(
    (out) => assert.is(readFileSync(join(out, 'x', 'file'), 'utf8'), 'inside'),
    // GNU tar may refuse to turn the symlink into a directory; what matters is that nothing escaped.
    (err: unknown) => assert.ok(isSwarmError(err, 'CORRUPT_DATA'), String(err)),
  );
}));

test('content that does not hash to the diff id is DIGEST_MISMATCH and is not unpacked', () => withTempDir('layer', async (dir) => {
  const { path } = await layerBlob(join(dir, 'store'), tarArchive([{ name: 'f', data: 'x' }]));
  const layers = await openLayers(join(dir, 'store'));
  const wrong = sha256Of('something else');
  try {
    await layers.ensure(wrong, path, 'layer');
    assert.unreachable('should fail');
  } catch (err) {
    assert.ok(isSwarmError(err, 'DIGEST_MISMATCH'), String(err));
  }
  assert.equal(readdirSync(layers.layersDir), []);
}));

test('gzip, zstd and uncompressed layers unpack to the same tree', () => withTempDir('layer', async (dir) => {
  const tar = tarArchive([{ name: 'd/', type: 'directory' }, { name: 'd/f', data: 'same' }]);
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    const root = join(dir, compression);
    const { path, diffId } = await layerBlob(root, tar, compression);
    const out = await (await openLayers(root)).ensure(diffId, path, `${compression} layer`);
    assert.is(readFileSync(join(out, 'd', 'f'), 'utf8'), 'same', compression);
  }
}));

test('a truncated or garbled layer is CORRUPT_DATA', () => withTempDir('layer', async (dir) => {
  const tar = tarArchive([{ name: 'big', data: 'y'.repeat(5000) }]);
  const cases: [string, Buffer][] = [
    ['truncated', tar.subarray(0, 1500)],
    ['garbage', Buffer.from('this is not a tar archive at all, but it is long enough to fill a header block'.repeat(10))],
  ];
  for (const [name, bytes] of cases) {
    const root = join(dir, name);
    const { path, diffId } = await layerBlob(root, bytes, 'none');
    try {
      await (await openLayers(root)).ensure(diffId, path, `${name} layer`);
      assert.unreachable(`${name} should fail`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'CORRUPT_DATA'), `${name}: ${String(err)}`);
    }
  }
  const gz = gzipSync(tar);
  const root = join(dir, 'bad-gzip');
  const { path } = await layerBlob(root, gz.subarray(0, gz.length - 20), 'none');
  try {
    await (await openLayers(root)).ensure(sha256Of(tar), path, 'bad gzip layer');
    assert.unreachable('bad gzip should fail');
  } catch (err) {
    assert.ok(isSwarmError(err, 'CORRUPT_DATA'), String(err));
  }
}));

test('concurrent requests for one layer unpack it once', () => withTempDir('layer', async (dir) => {
  const { path, diffId } = await layerBlob(join(dir, 'store'), tarArchive([{ name: 'f', data: 'x' }]));
  const layers = await openLayers(join(dir, 'store'));
  const dirs = await Promise.all(Array.from({ length: 5 }, () => layers.ensure(diffId, path, 'layer')));
  assert.is(new Set(dirs).size, 1);
  assert.equal(readdirSync(layers.layersDir), [diffId.slice(7)]);
}));

test.run();
