import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImageLayout, type BuiltImage } from './build-layout.js';

/**
 * The busybox test image: Debian's static busybox with applet links, minimal /etc files and
 * a sticky /tmp, as one layer. It is what the quick-start, the scenarios and the runtime
 * tests run, so it needs nothing from outside this machine.
 */

/** Applets linked into /bin: what the tests, scenarios and quick-start call. */
export const busyboxApplets: readonly string[] = [
  'sh', 'ash', 'httpd', 'sleep', 'cat', 'echo', 'hostname', 'id', 'env', 'nc', 'ls', 'ps', 'mount', 'umount', 'ip', 'true', 'false',
  'wget', 'nslookup', 'top', 'free', 'kill', 'seq', 'dd', 'head', 'tail', 'grep', 'sed', 'awk', 'tr', 'wc', 'yes', 'date', 'uname',
  'mkdir', 'rm', 'touch', 'cp', 'mv', 'ln', 'chmod', 'chown', 'pwd', 'test', '[', 'printf', 'stat', 'df', 'du', 'whoami', 'ping',
  'sort', 'uniq', 'cut', 'xargs', 'find', 'vi', 'less', 'more', 'tee', 'expr', 'basename', 'dirname', 'readlink', 'realpath',
  'timeout', 'watch', 'pidof', 'netstat', 'ifconfig', 'route', 'traceroute', 'telnet', 'md5sum',
  'sha256sum', 'base64', 'gzip', 'gunzip', 'tar', 'zcat', 'usleep', 'nproc', 'sync',
];

export interface BusyboxImageOptions {
  /** OCI layout directory to write (created or added to). */
  outDir: string;
  /** Default `busybox:latest`. */
  reference?: string;
  /** Default /bin/busybox (Debian's busybox-static). */
  busyboxPath?: string;
}

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const group = 'root:x:0:\nnogroup:x:65534:\n';

/** Builds the busybox image into an OCI layout; returns its digests. */
export async function buildBusyboxImage(options: BusyboxImageOptions): Promise<BuiltImage> {
  const staging = await mkdtemp(join(tmpdir(), 'swarmts-busybox-'));
  try {
    await chmod(staging, 0o755);
    for (const dir of ['bin', 'etc', 'root', 'proc', 'sys', 'dev', 'tmp', 'var', 'www']) await mkdir(join(staging, dir), { mode: 0o755 });
    await chmod(join(staging, 'tmp'), 0o1777);
    await chmod(join(staging, 'root'), 0o700);
    await copyFile(options.busyboxPath ?? '/bin/busybox', join(staging, 'bin', 'busybox'));
    await chmod(join(staging, 'bin', 'busybox'), 0o755);
    for (const applet of busyboxApplets) await symlink('busybox', join(staging, 'bin', applet));
    await writeFile(join(staging, 'etc', 'passwd'), passwd, { mode: 0o644 });
    await writeFile(join(staging, 'etc', 'group'), group, { mode: 0o644 });
    return await buildImageLayout({
      outDir: options.outDir,
      layers: [{ dir: staging }],
      mtime: 'epoch',
      reference: options.reference ?? 'busybox:latest',
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' },
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
