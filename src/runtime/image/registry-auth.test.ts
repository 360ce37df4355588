import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { ImageStore } from './image-store.js';
import { pullImage } from './pull.js';
import { parseChallenge } from './registry-auth.js';
import { defaultRegistryConfig, validateRegistryConfig, type RegistryConfig } from './registry-config.js';
import { pushBusybox } from './testing/busybox.js';
import { startRegistry } from './testing/registry.js';
import { startTokenServer } from './testing/token-server.js';
import { withTempDir } from './testing/temp-dir.js';

function withCredentials(host: string, username: string, password: string): RegistryConfig {
  const config = defaultRegistryConfig();
  config.credentials[host] = { username, password };
  return config;
}

async function expectDenied(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await promise.then(() => assert.unreachable('should be denied'), (err: unknown) => {
    assert.ok(isSwarmError(err, 'PERMISSION_DENIED'), String(err));
    assert.match((err as Error).message, message);
  });
}

test('WWW-Authenticate challenges parse, quoted or not, and unknown schemes are ignored', () => {
  assert.equal(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), {
    scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
  });
  assert.equal(parseChallenge('Basic realm="swarmts \\"test\\""'), { scheme: 'basic', params: { realm: 'swarmts "test"' } });
  assert.equal(parseChallenge('bearer realm=http://x/token, service=s'), { scheme: 'bearer', params: { realm: 'http://x/token', service: 's' } });
  assert.is(parseChallenge('Negotiate abc'), undefined);
  assert.is(parseChallenge(''), undefined);
  assert.is(parseChallenge(null), undefined);
});

test('a registry config with bad fields is INVALID_CONFIG listing every one', () => {
  const config = { ...defaultRegistryConfig(), layerDownloadsMax: 0, responseTimeoutMs: -1, insecureRegistries: [''] };
  assert.throws(() => validateRegistryConfig(config), (err: unknown) => isSwarmError(err, 'INVALID_CONFIG')
    && /insecureRegistries/.test((err as Error).message) && /layerDownloadsMax/.test((err as Error).message) && /responseTimeoutMs/.test((err as Error).message));
});

test('basic auth: pulls with the right credentials, and fails clearly without or with wrong ones', () => withTempDir('auth', async (dir) => {
  const registry = await startRegistry({ basicAuth: { username: 'swarm', password: 's3cret' } });
  try {
    const good = withCredentials(registry.host, 'swarm', 's3cret');
    await pushBusybox(registry.host, { config: good });
    const store = await ImageStore.open(join(dir, 'images'));
    await expectDenied(pullImage(store, `${registry.host}/busybox`), new RegExp(`registry ${registry.host} for busybox failed: it needs a user name and password`));
    await expectDenied(pullImage(store, `${registry.host}/busybox`, { config: withCredentials(registry.host, 'swarm', 'wrong') }), /refused the credentials of user swarm/);
    await expectDenied(pushBusybox(registry.host, { repository: 'other:1' }), /needs a user name and password/);
    assert.equal(store.list(), []);
    const image = await pullImage(store, `${registry.host}/busybox`, { config: good });
    assert.equal(image.references, [`${registry.host}/busybox:latest`]);
  } finally {
    await registry.stop();
  }
}));

test('token auth: a bearer token is fetched with basic credentials for the repository scope', () => withTempDir('auth', async (dir) => {
  const tokens = await startTokenServer({ username: 'swarm', password: 's3cret' });
  const registry = await startRegistry({ tokenAuth: tokens.registryAuth }).catch(async (err) => { await tokens.stop(); throw err; });
  try {
    const good = withCredentials(registry.host, 'swarm', 's3cret');
    await pushBusybox(registry.host, { config: good });
    const store = await ImageStore.open(join(dir, 'images'));
    await expectDenied(pullImage(store, `${registry.host}/busybox`), /token service 127\.0\.0\.1:\d+ refused anonymous access; give credentials/);
    await expectDenied(pullImage(store, `${registry.host}/busybox`, { config: withCredentials(registry.host, 'swarm', 'nope') }), /refused the credentials of user swarm/);
    const before = tokens.issued();
    const image = await pullImage(store, `${registry.host}/busybox`, { config: good });
    assert.equal(image.references, [`${registry.host}/busybox:latest`]);
    assert.is(tokens.issued() - before, 1, 'one token serves the manifest and every blob of the pull');
  } finally {
    await registry.stop();
    await tokens.stop();
  }
}));

test.run();
