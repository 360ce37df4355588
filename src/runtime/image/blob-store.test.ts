import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { BlobStore } from './blob-store.js';
import { sha256Of } from './digest.js';
import { withTempDir } from './testing/temp-dir.js';

async function open(dir: string): Promise<BlobStore> {
  const blobs = new BlobStore(dir);
  await blobs.open();
  return blobs;
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

test('a blob is stored under its sha256 once verified, and read back', () => withTempDir('blobs', async (dir) => {
  const blobs = await open(dir);
  const stored = await blobs.write(chunks('hello ', 'world'), { digest: sha256Of('hello world'), sizeBytes: 11 });
  assert.equal(stored, { digest: sha256Of('hello world'), sizeBytes: 11 });
  assert.is(readFileSync(blobs.path(stored.digest), 'utf8'), 'hello world');
  assert.equal(await blobs.list(), [stored.digest]);
  assert.ok(await blobs.has(stored.digest));
}));

test('bytes that do not hash to the promised digest are DIGEST_MISMATCH and leave nothing behind', () => withTempDir('blobs', async (dir) => {
  const blobs = await open(dir);
  const promised = sha256Of('hello world');
  try {
    await blobs.write(chunks('hello wor1d'), { digest: promised, what: 'layer X' });
    assert.unreachable('should fail');
  } catch (err) {
    assert.ok(isSwarmError(err, 'DIGEST_MISMATCH'), String(err));
    assert.match((err as Error).message, /layer X: expected digest sha256:/);
  }
  assert.equal(await blobs.list(), []);
  assert.equal(readdirSync(blobs.tmpDir), []);
}));

test('more or fewer bytes than the descriptor promised are refused', () => withTempDir('blobs', async (dir) => {
  const blobs = await open(dir);
  for (const [parts, size] of [[['abc', 'def'], 4], [['ab'], 3]] as const) {
    try {
      await blobs.write(chunks(...parts), { sizeBytes: size });
      assert.unreachable('should fail');
    } catch (err) {
      assert.ok(isSwarmError(err, 'DIGEST_MISMATCH'), String(err));
    }
  }
  assert.equal(await blobs.list(), []);
  assert.equal(readdirSync(blobs.tmpDir), []);
}));

test('a source that fails midway leaves no temp file', () => withTempDir('blobs', async (dir) => {
  const blobs = await open(dir);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('part');
    throw new Error('connection reset');
  }
  await blobs.write(broken()).then(() => assert.unreachable('should fail'), (err: Error) => assert.match(err.message, /connection reset/));
  assert.equal(readdirSync(blobs.tmpDir), []);
}));

test('bad digests are refused before touching the disk, and open() clears crash leftovers', () => withTempDir('blobs', async (dir) => {
  const blobs = await open(dir);
  for (const bad of ['sha256:xyz', 'md5:abc', '../../etc/passwd', `sha256:${'A'.repeat(64)}`]) {
    assert.throws(() => blobs.path(bad), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT'), bad);
  }
  writeFileSync(join(blobs.tmpDir, 'blob-leftover'), 'half');
  await open(dir);
  assert.equal(readdirSync(blobs.tmpDir), []);
}));

test.run();
