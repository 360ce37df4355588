import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBusyboxImage, busyboxApplets } from './busybox-image.js';
import { ImageStore } from './image-store.js';
import { importPath } from './import-archive.js';
import { mountsUnder, withTempDir } from './testing/temp-dir.js';

const requiredApplets = ['sh', 'httpd', 'sleep', 'cat', 'echo', 'hostname', 'id', 'env', 'nc', 'ls', 'ps', 'mount', 'ip', 'true', 'false', 'wget',
  'nslookup', 'top', 'free', 'kill', 'seq', 'dd', 'head', 'tail', 'grep', 'sed', 'awk', 'tr', 'wc', 'yes', 'date', 'uname', 'mkdir', 'rm', 'touch'];

test('the busybox image builds reproducibly and runs from its overlay root', () => withTempDir('busybox', async (dir) => {
  const first = await buildBusyboxImage({ outDir: join(dir, 'a') });
  const second = await buildBusyboxImage({ outDir: join(dir, 'b') });
  assert.equal(second, first, 'same busybox, same digests');
  const store = await ImageStore.open(join(dir, 'images'));
  const [image] = await importPath(store, join(dir, 'a'));
  assert.equal(image!.references, ['docker.io/library/busybox:latest']);
  assert.equal(image!.config.cmd, ['sh']);
  const prepared = await store.prepareRootfs('busybox', 'bb', join(dir, 'rootfs'));
  try {
    const root = prepared.rootfsPath;
    for (const applet of requiredApplets) {
      assert.ok(busyboxApplets.includes(applet), applet);
      assert.is(readlinkSync(join(root, 'bin', applet)), 'busybox', applet);
    }
    assert.is(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
    assert.is(statSync(root).mode & 0o777, 0o755);
    assert.ok(lstatSync(join(root, 'bin', 'busybox')).isFile());
    assert.match(readFileSync(join(root, 'etc', 'passwd'), 'utf8'), /^nobody:x:65534:65534:/m);
    assert.match(readFileSync(join(root, 'etc', 'group'), 'utf8'), /^nogroup:x:65534:/m);
    const out = execFileSync('/usr/sbin/chroot', [root, '/bin/sh', '-c', 'echo hello from $(uname -s); id -u nobody; seq 3 | wc -l'], { env: { PATH: '/bin' } }).toString();
    assert.is(out, 'hello from Linux\n65534\n3\n');
  } finally {
    await prepared.release();
  }
  assert.equal(await mountsUnder(dir), []);
}));

test.run();
