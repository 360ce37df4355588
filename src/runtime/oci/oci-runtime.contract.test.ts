import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errorMessage, isSwarmError } from '../../core/errors.js';
import { readAllLines } from '../container-log.js';
import type { ContainerSpec, ExitStatus } from '../runtime.js';
import { buildBundleConfig } from './bundle-config.js';
import { nativeBinary } from './native-binaries.js';
import { defaultOciRuntimeConfig, OciRuntime } from './oci-runtime.js';
import { removeCgroupTree } from './test-cgroups.js';
import { makeBusyboxRootfs } from './test-rootfs.js';

/**
 * The kernel-facing contract every OCI runtime we drive must meet, run against
 * swarmts-runtime and crun (the fastest runtime in common use) alike, through swarmts-monitor.
 */

const work = mkdtempSync(join(tmpdir(), 'swarmts-oci-'));
const root = makeBusyboxRootfs();
const cgroupParent = `/swarmts-test-${process.pid}`;

// crun 1.8 refuses hybrid cgroups (v1 controllers plus a v2 mount): run it where the v2 mount is hidden.
const crunWrapper = join(work, 'crun-v1');
writeFileSync(crunWrapper, '#!/bin/sh\nexec unshare -m --propagation private sh -c \'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"\' crun "$@"\n');
chmodSync(crunWrapper, 0o755);

interface Subject {
  name: string;
  runtimePath: string;
}
const subjects: Subject[] = [{ name: 'swarmts-runtime', runtimePath: nativeBinary('swarmts-runtime') }];
if (spawnSync('crun', ['--version']).status === 0) subjects.push({ name: 'crun', runtimePath: crunWrapper });
if (spawnSync('runc', ['--version']).status === 0) subjects.push({ name: 'runc', runtimePath: spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim() });

let counter = 0;

function spec(over: Partial<ContainerSpec>): ContainerSpec {
  return { image: 'test', env: [], labels: {}, resources: {}, network: { mode: 'none' }, mounts: [], readOnlyRootfs: true, ...over };
}

interface Started {
  id: string;
  dir: string;
  pid: number;
  cgroupsPath: string;
  exitFile: string;
  logPath: string;
}

async function startContainer(rt: OciRuntime, args: string[], over: Partial<ContainerSpec> = {}, extra: { user?: { uid: number; gid: number }; cwd?: string } = {}): Promise<Started> {
  const id = `t${process.pid}-${++counter}`;
  const dir = join(work, id);
  mkdirSync(join(dir, 'bundle'), { recursive: true });
  const cgroupsPath = `${cgroupParent}/${id}`;
  const config = buildBundleConfig({
    id, args, env: ['PATH=/bin', 'FOO=bar'], cwd: extra.cwd ?? '/', user: { uid: extra.user?.uid ?? 0, gid: extra.user?.gid ?? 0, additionalGids: [] },
    hostname: `host-${counter}`, rootfs: root.rootfs, spec: spec(over), cgroupsPath,
  });
  writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(config));
  const files = { logPath: join(dir, 'container.log'), exitFile: join(dir, 'exit.json') };
  const pid = await rt.create(id, join(dir, 'bundle'), files);
  await rt.start(id);
  return { id, dir, pid, cgroupsPath, ...files };
}

async function finish(rt: OciRuntime, c: Started): Promise<{ exit: ExitStatus; lines: string[] }> {
  const exit = await rt.waitExit(c.exitFile);
  const { lines } = await readAllLines(c.logPath);
  await rt.delete(c.id, true);
  return { exit, lines: lines.map((l) => l.text) };
}

async function runToEnd(rt: OciRuntime, args: string[], over: Partial<ContainerSpec> = {}, extra: { user?: { uid: number; gid: number }; cwd?: string } = {}) {
  return finish(rt, await startContainer(rt, args, over, extra));
}

function cgroupExists(path: string): boolean {
  return ['memory', 'pids', 'cpu'].some((c) => existsSync(`/sys/fs/cgroup/${c}${path}`)) || existsSync(`/sys/fs/cgroup${path}/cgroup.procs`);
}

for (const subject of subjects) {
  const runtimeRoot = join(work, `state-${subject.name}`);
  const rt = new OciRuntime({
    ...defaultOciRuntimeConfig({ runtimePath: subject.runtimePath, runtimeRoot, monitorPath: nativeBinary('swarmts-monitor') }),
    logBytesMax: 4096,
    logFilesMax: 3,
  });
  const name = subject.name;

  test(`${name}: the process is PID 1 with its own hostname, only lo, and the env, cwd and user asked for`, async () => {
    const { exit, lines } = await runToEnd(rt, ['sh', '-c', 'echo pid=$$; hostname; ls /sys/class/net; echo foo=$FOO; pwd; id -u; id -g'], {}, { user: { uid: 65534, gid: 65534 }, cwd: '/tmp' });
    assert.is(exit.exitCode, 0, lines.join('\n'));
    assert.equal(lines, ['pid=1', `host-${counter}`, 'lo', 'foo=bar', '/tmp', '65534', '65534']);
  });

  test(`${name}: exit codes come back as they are`, async () => {
    assert.is((await runToEnd(rt, ['sh', '-c', 'exit 42'])).exit.exitCode, 42);
    assert.is((await runToEnd(rt, ['true'])).exit.exitCode, 0);
  });

  test(`${name}: signals end the container with the right status`, async () => {
    const trapping = await startContainer(rt, ['sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.05; done']);
    await new Promise((r) => setTimeout(r, 200));
    await rt.kill(trapping.id, 'SIGTERM');
    assert.is((await finish(rt, trapping)).exit.exitCode, 7);
    const killed = await startContainer(rt, ['sleep', '100']);
    await rt.kill(killed.id, 'SIGKILL');
    const { exit } = await finish(rt, killed);
    assert.is(exit.exitCode, 137);
    assert.is(exit.signal, 'SIGKILL');
  });

  test(`${name}: exec joins the container's namespaces and limits and returns the exit code`, async () => {
    const c = await startContainer(rt, ['sleep', '100']);
    try {
      const chunks: string[] = [];
      const code = await rt.exec(c.id, ['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; echo $X; pwd; mount -t tmpfs none /scratch 2>&1 || echo mount-refused; grep CapEff /proc/self/status; exit 9'],
        // The whole environment: crun, unlike runc, does not start from the container's.
        { env: ['PATH=/bin', 'X=from-exec'], cwd: '/tmp' }, (_stream, chunk) => chunks.push(chunk.toString()));
      const lines = chunks.join('').trim().split('\n');
      assert.is(code, 9, lines.join('\n'));
      assert.is(lines[0], `host-${counter}`);
      assert.is(lines[1]!.trim(), 'sleep 100');
      assert.equal(lines.slice(2, 4), ['from-exec', '/tmp']);
      assert.ok(lines.includes('mount-refused'), lines.join('\n'));
      const capEff = BigInt('0x' + lines.find((l) => l.startsWith('CapEff'))!.split(/\s+/)[1]);
      assert.is(capEff & (1n << 21n), 0n, 'CAP_SYS_ADMIN is effective in exec');
    } finally {
      await rt.kill(c.id, 'SIGKILL').catch(() => {});
      await finish(rt, c);
    }
  });

  test(`${name}: a mount inside the container is not visible outside`, async () => {
    const c = await startContainer(rt, ['sleep', '100'], { mounts: [{ type: 'tmpfs', source: 'tmpfs', target: '/scratch', readOnly: false }] });
    try {
      assert.is(await rt.status(c.id), 'running');
      const hostMounts = readFileSync('/proc/mounts', 'utf8');
      assert.not.ok(hostMounts.includes(join(root.rootfs, 'scratch')), 'the container tmpfs leaked into the host');
      const inside = readFileSync(`/proc/${c.pid}/mounts`, 'utf8');
      assert.ok(inside.includes(' /scratch tmpfs '), inside);
    } finally {
      await rt.kill(c.id, 'SIGKILL').catch(() => {});
      await finish(rt, c);
    }
  });

  test(`${name}: a memory hog over its limit is OOM-killed and reported so`, async () => {
    const { exit } = await runToEnd(rt, ['sh', '-c', 'a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done'], { resources: { memoryBytes: 32 * 1024 * 1024 } });
    assert.is(exit.exitCode, 137);
    assert.is(exit.oomKilled, true);
  });

  test(`${name}: a fork bomb stops at the pids limit`, async () => {
    // busybox sh gives up on the first failed fork: the loop runs in a subshell, and the
    // outer shell then execs (no fork needed) so the container stays up to be measured.
    const c = await startContainer(rt, ['sh', '-c', '(for i in $(seq 60); do sleep 30 & done) 2>&1; echo started; exec sleep 30'], { resources: { pidsLimit: 20 } });
    try {
      const pidsFile = existsSync(`/sys/fs/cgroup/pids${c.cgroupsPath}`) ? `/sys/fs/cgroup/pids${c.cgroupsPath}/pids.current` : `/sys/fs/cgroup${c.cgroupsPath}/pids.current`;
      let lines: string[] = [];
      for (let i = 0; i < 100 && !lines.includes('started'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        lines = (await readAllLines(c.logPath)).lines.map((l) => l.text);
      }
      const current = Number(readFileSync(pidsFile, 'utf8'));
      assert.ok(current > 10 && current <= 20, `pids in the cgroup: ${current}`);
      assert.ok(lines.some((l) => /can't fork|Resource temporarily unavailable/i.test(l)), lines.join('\n'));
    } finally {
      await rt.kill(c.id, 'SIGKILL').catch(() => {});
      await finish(rt, c);
    }
  });

  test(`${name}: a cpu quota holds usage near the quota`, async () => {
    const c = await startContainer(rt, ['sh', '-c', 'while true; do :; done'], { resources: { nanoCpus: 200_000_000 } });
    try {
      const usageFile = existsSync(`/sys/fs/cgroup/cpuacct${c.cgroupsPath}/cpuacct.usage`) ? `/sys/fs/cgroup/cpuacct${c.cgroupsPath}/cpuacct.usage` : undefined;
      const usageNs = () => (usageFile ? Number(readFileSync(usageFile, 'utf8')) : Number(/usage_usec (\d+)/.exec(readFileSync(`/sys/fs/cgroup${c.cgroupsPath}/cpu.stat`, 'utf8'))![1]) * 1000);
      const u0 = usageNs();
      const t0 = process.hrtime.bigint();
      await new Promise((r) => setTimeout(r, 1000));
      const share = (usageNs() - u0) / Number(process.hrtime.bigint() - t0);
      assert.ok(share > 0.05 && share < 0.3, `used ${share.toFixed(3)} of a CPU with a quota of 0.2`);
    } finally {
      await rt.kill(c.id, 'SIGKILL').catch(() => {});
      await finish(rt, c);
    }
  });

  test(`${name}: seccomp refuses mount and the capabilities are Docker's, without CAP_SYS_ADMIN`, async () => {
    const { lines } = await runToEnd(rt, ['sh', '-c', 'mount -t tmpfs none /scratch 2>&1; echo mount=$?; grep CapEff /proc/self/status']);
    assert.ok(lines.some((l) => /permission denied|not permitted/i.test(l)), lines.join('\n'));
    assert.ok(lines.includes('mount=255') || lines.some((l) => /^mount=[1-9]/.test(l)), lines.join('\n'));
    const capEff = BigInt('0x' + lines.find((l) => l.startsWith('CapEff'))!.split(/\s+/)[1]);
    assert.is(capEff & (1n << 21n), 0n, 'CAP_SYS_ADMIN is effective');
    assert.ok((capEff & (1n << 0n)) !== 0n, 'CAP_CHOWN should be effective for root');
  });

  test(`${name}: output is logged in CRI format and rotated by size`, async () => {
    const c = await startContainer(rt, ['sh', '-c', 'for i in $(seq 400); do echo line-$i; done; echo to-stderr >&2']);
    const { lines } = await finish(rt, c);
    const files = readdirSync(c.dir).filter((f) => f.startsWith('container.log'));
    assert.equal(files.sort(), ['container.log', 'container.log.1', 'container.log.2']);
    assert.ok(lines.length < 400, 'old lines rotate away');
    assert.equal(lines.slice(-2), ['line-400', 'to-stderr']);
    const record = readFileSync(c.logPath, 'utf8').trim().split('\n').at(-1)!;
    assert.match(record, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stderr F to-stderr$/);
  });

  test(`${name}: after delete nothing is left: no mounts, cgroups, state or processes`, async () => {
    const c = await startContainer(rt, ['sleep', '100'], { resources: { memoryBytes: 64 << 20 } });
    assert.ok(cgroupExists(c.cgroupsPath), 'cgroup while running');
    await rt.delete(c.id, true);
    await rt.waitExit(c.exitFile);
    assert.not.ok(cgroupExists(c.cgroupsPath), 'cgroup after delete');
    assert.not.ok(existsSync(`/proc/${c.pid}`), 'the init still exists');
    assert.is(await rt.status(c.id), undefined);
    assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(root.rootfs), 'a mount leaked');
  });

  test(`${name}: the container keeps running when its caller exits`, async () => {
    const id = `t${process.pid}-${++counter}`;
    const dir = join(work, id);
    mkdirSync(join(dir, 'bundle'), { recursive: true });
    const config = buildBundleConfig({ id, args: ['sleep', '100'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, hostname: id, rootfs: root.rootfs, spec: spec({}), cgroupsPath: `${cgroupParent}/${id}` });
    writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(config));
    // A separate process plays the daemon: it creates and starts the container, then exits.
    execFileSync(process.execPath, ['-e', `
      const { execFileSync } = require('node:child_process');
      execFileSync(${JSON.stringify(nativeBinary('swarmts-monitor'))}, ['--runtime', ${JSON.stringify(subject.runtimePath)}, '--runtime-root', ${JSON.stringify(runtimeRoot)}, '--bundle', ${JSON.stringify(join(dir, 'bundle'))}, '--id', ${JSON.stringify(id)}, '--log-path', ${JSON.stringify(join(dir, 'container.log'))}, '--exit-file', ${JSON.stringify(join(dir, 'exit.json'))}, '--pid-file', ${JSON.stringify(join(dir, 'init.pid'))}]);
      execFileSync(${JSON.stringify(subject.runtimePath)}, ['--root', ${JSON.stringify(runtimeRoot)}, 'start', ${JSON.stringify(id)}]);
    `], { stdio: 'ignore', timeout: 20_000 });
    assert.is(await rt.status(id), 'running');
    await rt.kill(id, 'SIGKILL');
    assert.is((await rt.waitExit(join(dir, 'exit.json'))).exitCode, 137);
    await rt.delete(id, true);
  });

  test(`${name}: bad input fails clearly and leaves nothing behind`, async () => {
    const expectFailure = async (what: string, fn: () => Promise<unknown>, message: RegExp) => {
      try {
        await fn();
        assert.unreachable(`${what} should fail`);
      } catch (err) {
        assert.match(errorMessage(err), message, `${what}: ${errorMessage(err)}`);
      }
    };
    const dir = join(work, `bad-${name}`);
    mkdirSync(join(dir, 'bundle'), { recursive: true });
    const files = { logPath: join(dir, 'log'), exitFile: join(dir, 'exit.json') };
    const base = buildBundleConfig({ id: 'x', args: ['true'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'x', rootfs: join(work, 'no-such-rootfs'), spec: spec({}), cgroupsPath: `${cgroupParent}/bad-rootfs` });
    writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(base));
    await expectFailure('a missing rootfs', () => rt.create(`bad-rootfs-${process.pid}`, join(dir, 'bundle'), files), /no-such-rootfs|rootfs|No such file/i);
    assert.is(await rt.status(`bad-rootfs-${process.pid}`), undefined);
    assert.not.ok(cgroupExists(`${cgroupParent}/bad-rootfs`));
    writeFileSync(join(dir, 'bundle', 'config.json'), '{"ociVersion": "1.1.0", "process": ');
    await expectFailure('a malformed config.json', () => rt.create(`bad-json-${process.pid}`, join(dir, 'bundle'), files), /json|parse|config/i);
    assert.is(await rt.status(`bad-json-${process.pid}`), undefined);
    const missingProgram = buildBundleConfig({ id: 'y', args: ['/bin/no-such-program'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'y', rootfs: root.rootfs, spec: spec({}), cgroupsPath: `${cgroupParent}/bad-program` });
    writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify(missingProgram));
    await expectFailure('a missing program', async () => {
      await rt.create(`bad-program-${process.pid}`, join(dir, 'bundle'), files);
      await rt.start(`bad-program-${process.pid}`);
      const exit = await rt.waitExit(files.exitFile);
      throw new Error(`exit ${exit.exitCode}`);
    }, /no-such-program|exit 127/);
    await rt.delete(`bad-program-${process.pid}`, true).catch(() => {});
    await expectFailure('an unknown container', () => rt.kill(`no-such-container-${process.pid}`, 'SIGTERM'), /no-such-container|does not exist|not found/i);
    for (const [what, fn] of [['start', () => rt.start(`no-such-${process.pid}`)], ['kill', () => rt.kill(`no-such-${process.pid}`, 'SIGKILL')], ['delete', () => rt.delete(`no-such-${process.pid}`, false)]] as const) {
      const err = await fn().then(() => undefined, (e: unknown) => e);
      assert.ok(isSwarmError(err, 'CONTAINER_NOT_FOUND'), `${what} of an unknown id: ${String(err)}`);
    }
    await rt.delete(`no-such-${process.pid}`, true); // a forced delete is idempotent, as in runc and crun
    await expectFailure('an unknown signal', () => rt.kill(`no-such-container-${process.pid}`, 'SIGNOPE'), /SIGNOPE|signal|does not exist|not found/i);
  });
}

test.after(() => {
  // Each container removes its own cgroup; the shared parent goes last.
  removeCgroupTree(cgroupParent);
  root.remove();
  rmSync(work, { recursive: true, force: true });
});

test.run();
