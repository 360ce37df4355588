import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageStore } from './image-store.js';
import { pullImage } from './pull.js';
import { defaultRegistryConfig } from './registry-config.js';
import { freePort } from './testing/registry.js';
import { withTempDir } from './testing/temp-dir.js';

const run = promisify(execFile);

/** The checkout's root: the nearest parent with package.json (tests run from src/ and from dist/src/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

const scripts = join(repoRoot(), 'scripts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]!.startsWith('Z');
  } catch {
    return false;
  }
}

test('registry.sh starts a registry with basic auth, build-busybox-image.sh pushes to it, and stop ends it', () => withTempDir('scripts', async (dir) => {
  const port = await freePort();
  const registryDir = join(dir, 'registry');
  await run('bash', [join(scripts, 'registry.sh'), 'start', String(port), registryDir, 'ci:pw']);
  const pid = Number(readFileSync(join(registryDir, 'registry.pid'), 'utf8'));
  try {
    assert.ok(alive(pid));
    const host = `127.0.0.1:${port}`;
    const { stdout } = await run('bash', [join(scripts, 'build-busybox-image.sh'), join(dir, 'busybox'), '--push', `${host}/busybox:1`], {
      env: { ...process.env, REGISTRY_USER: 'ci', REGISTRY_PASSWORD: 'pw' },
    });
    assert.match(stdout, /pushed to 127\.0\.0\.1:\d+\/busybox:1 \(2 blobs uploaded/);
    assert.ok(existsSync(join(dir, 'busybox', 'index.json')) && existsSync(join(dir, 'busybox.tar')));
    const config = defaultRegistryConfig();
    config.credentials[host] = { username: 'ci', password: 'pw' };
    const image = await pullImage(await ImageStore.open(join(dir, 'images')), `${host}/busybox:1`, { config });
    assert.equal(image.config.cmd, ['sh']);
  } finally {
    await run('bash', [join(scripts, 'registry.sh'), 'stop', registryDir]);
  }
  assert.not.ok(alive(pid), 'the registry process is gone');
  assert.not.ok(existsSync(join(registryDir, 'registry.pid')));
}));

test('registry.sh refuses bad arguments with its usage', async () => {
  for (const args of [[], ['start'], ['start', 'notaport', '/tmp/x'], ['restart', '/tmp/x']]) {
    await run('bash', [join(scripts, 'registry.sh'), ...args]).then(() => assert.unreachable(args.join(' ')), (err: { code: number; stderr: string }) => {
      assert.is(err.code, 2, args.join(' '));
      assert.match(err.stderr, /usage: registry.sh start PORT DIR/);
    });
  }
});

test.run();
