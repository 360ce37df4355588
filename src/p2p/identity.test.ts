import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError, type ErrorCode } from '../core/errors.js';
import { loadOrCreateIdentity } from './identity.js';

let directory = '';

test.before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'swarmts-identity-'));
});

test.after(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isSwarmError(err, code), String(err));
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('creates an Ed25519 key with mode 0600 in a new directory, then loads the same key', async () => {
  const path = join(directory, 'fresh', 'nested', 'identity.key');
  const created = await loadOrCreateIdentity(path);
  assert.is(created.type, 'Ed25519');
  assert.is((await stat(path)).mode & 0o777, 0o600);
  const loaded = await loadOrCreateIdentity(path);
  assert.ok(loaded.equals(created));
});

test('refuses an identity file readable by others', async () => {
  const path = join(directory, 'loose.key');
  await loadOrCreateIdentity(path);
  await chmod(path, 0o644);
  await expectCode(loadOrCreateIdentity(path), 'PERMISSION_DENIED');
});

test('a corrupt identity file is CORRUPT_DATA, not silently replaced', async () => {
  const path = join(directory, 'corrupt.key');
  await writeFile(path, 'not a key', { mode: 0o600 });
  await expectCode(loadOrCreateIdentity(path), 'CORRUPT_DATA');
  await expectCode(loadOrCreateIdentity(path), 'CORRUPT_DATA');
});

test.run();
