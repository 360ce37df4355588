import { mkdirSync, mkdtempSync, copyFileSync, symlinkSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Applets the test root offers: everything the runtime tests run. */
const applets = ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'false', 'id', 'pwd', 'hostname', 'grep', 'head', 'seq', 'mount', 'wc', 'tr', 'dd', 'env', 'ps', 'kill'];

/**
 * A throw-away root filesystem made from the host's busybox-static (Debian's
 * busybox-static package): /bin/busybox, applet links, /etc/passwd with root and nobody.
 * `remove()` deletes it.
 */
export function makeBusyboxRootfs(): { dir: string; rootfs: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'swarmts-rootfs-'));
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root', 'scratch']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of applets) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return { dir, rootfs, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
