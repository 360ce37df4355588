import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../core/project-root.js';
import { buildBusyboxImage } from '../runtime/image/index.js';
import { removeCgroupTree } from '../runtime/oci/test-cgroups.js';

/**
 * The CLI against a real daemon, as a user runs them: `swarmts daemon` in its own process
 * with a temp state directory, then `swarmts container ...` commands, checking output and
 * exit codes. Needs the compiled CLI (dist/) and the C build.
 */

const main = join(projectRoot(), 'dist', 'src', 'main.js');
const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-cli-'));
const nodeName = `cli-e2e-${process.pid}`;
let daemon: ReturnType<typeof spawn> | undefined;

function swarmts(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, '--state-dir', stateDir, ...args], { encoding: 'utf8', timeout: 60_000, input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function startDaemon(): Promise<void> {
  daemon = spawn(process.execPath, [main, '--state-dir', stateDir, 'daemon', '--name', nodeName, '--network', 'none'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 100; i++) {
    if (existsSync(join(stateDir, 'swarmts.sock')) && swarmts(['container', 'ls']).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the daemon did not come up:\n${log}`);
}

async function stopDaemon(): Promise<void> {
  if (!daemon || daemon.exitCode !== null) return;
  const exited = new Promise((r) => daemon!.once('exit', r));
  daemon.kill('SIGTERM');
  await exited;
}

test.before(async () => {
  assert.ok(existsSync(main), `build first: ${main} is missing (npm run build)`);
  const layout = join(stateDir, 'busybox-layout');
  await buildBusyboxImage({ outDir: layout });
  spawnSync('tar', ['-cf', join(stateDir, 'busybox.tar'), '-C', layout, '.']);
  await startDaemon();
  const imported = swarmts(['image', 'import', join(stateDir, 'busybox.tar'), '--reference', 'busybox:latest']);
  assert.is(imported.code, 0, imported.stderr);
});

test.after(async () => {
  for (const id of swarmts(['container', 'ls', '-a', '-q']).stdout.split('\n').filter(Boolean)) swarmts(['container', 'rm', '-f', id]);
  await stopDaemon();
  removeCgroupTree(`/swarmts/${nodeName}`);
  rmSync(stateDir, { recursive: true, force: true });
});

test('run prints the output and exits with the container\'s code; --rm removes it', () => {
  const r = swarmts(['container', 'run', '--rm', '-e', 'WHO=world', 'busybox', 'sh', '-c', 'echo hello $WHO; echo oops >&2; exit 7']);
  assert.is(r.code, 7, r.stderr);
  assert.is(r.stdout, 'hello world\n');
  assert.is(r.stderr, 'oops\n');
  assert.is(swarmts(['container', 'ls', '-a', '-q']).stdout, '');
});

test('a detached container is listed, runs exec, shows logs, stops and is removed', () => {
  const run = swarmts(['container', 'run', '-d', '--name', 'sleeper', '--hostname', 'box', 'busybox', 'sh', '-c', 'echo ready; exec sleep 1000']);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
  const ls = swarmts(['container', 'ls']);
  assert.match(ls.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+NAMES\n[0-9a-f]{12}\s+busybox\s+.*Up .*sleeper\n$/);
  const json = JSON.parse(swarmts(['container', 'ls', '--format', 'json']).stdout) as Array<{ name: string; state: string }>;
  assert.equal(json.map((c) => [c.name, c.state]), [['sleeper', 'running']]);
  const exec = swarmts(['container', 'exec', 'sleeper', 'sh', '-c', 'hostname; exit 4']);
  assert.is(exec.code, 4);
  assert.is(exec.stdout, 'box\n');
  let logs = '';
  for (let i = 0; i < 50 && !logs.includes('ready'); i++) {
    logs = swarmts(['container', 'logs', 'sleeper']).stdout;
    spawnSync('sleep', ['0.1']);
  }
  assert.is(logs, 'ready\n');
  assert.is(swarmts(['container', 'stop', '-t', '1', 'sleeper']).code, 0);
  assert.match(swarmts(['container', 'ls', '-a']).stdout, /Exited \(137\)/);
  assert.is(swarmts(['container', 'rm', 'sleeper']).code, 0);
});

test('a running container survives a daemon restart', async () => {
  assert.is(swarmts(['container', 'run', '-d', '--name', 'steady', 'busybox', 'sleep', '1000']).code, 0);
  const before = JSON.parse(swarmts(['container', 'inspect', 'steady']).stdout) as { pid: number };
  await stopDaemon();
  assert.ok(existsSync(`/proc/${before.pid}`), 'the container died with the daemon');
  await startDaemon();
  const after = JSON.parse(swarmts(['container', 'inspect', 'steady']).stdout) as { pid: number; state: string };
  assert.is(after.state, 'running');
  assert.is(after.pid, before.pid);
  assert.is(swarmts(['container', 'rm', '-f', 'steady']).code, 0);
  assert.not.ok(existsSync(`/proc/${before.pid}`));
});

test('an OOM kill is reported and the exit code says so', () => {
  const r = swarmts(['container', 'run', '--rm', '-m', '32m', 'busybox', 'sh', '-c', 'a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done']);
  assert.is(r.code, 137);
  assert.match(r.stderr, /out of memory/);
});

test('bad input gets a clear error and a script-friendly exit code', () => {
  const badMemory = swarmts(['container', 'run', '--memory', 'lots', '--cpus', 'many', 'busybox', 'true']);
  assert.is(badMemory.code, 125);
  assert.match(badMemory.stderr, /--memory "lots": expected a size like 512m/);
  assert.match(badMemory.stderr, /--cpus "many": expected a number of CPUs/);
  const unknownFlag = swarmts(['container', 'run', '--no-such-flag', 'busybox', 'true']);
  assert.is(unknownFlag.code, 2);
  assert.match(unknownFlag.stderr, /unknown option '--no-such-flag'/);
  const missingImage = swarmts(['container', 'run', '--pull', 'never', 'nosuchimage', 'true']);
  assert.is(missingImage.code, 125);
  assert.match(missingImage.stderr, /nosuchimage/);
  const missingContainer = swarmts(['container', 'rm', 'ghost']);
  assert.is(missingContainer.code, 1);
  assert.match(missingContainer.stderr, /no such container: ghost/);
  const missingProgram = swarmts(['container', 'run', '--rm', 'busybox', 'no-such-program']);
  assert.is(missingProgram.code, 125);
  assert.match(missingProgram.stderr, /no-such-program/);
  assert.is(swarmts(['container', 'ls', '-a', '-q']).stdout.split('\n').filter(Boolean).length, 1, 'only the created container of the failed start remains');
  for (const id of swarmts(['container', 'ls', '-a', '-q']).stdout.split('\n').filter(Boolean)) swarmts(['container', 'rm', '-f', id]);
});

test('without a daemon the CLI says how to start one', () => {
  const r = spawnSync(process.execPath, [main, '--state-dir', join(stateDir, 'nowhere'), 'container', 'ls'], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot reach the swarmts daemon .*Start it with `swarmts daemon`/);
});

test('a second daemon on the same state directory is refused', () => {
  const r = spawnSync(process.execPath, [main, '--state-dir', stateDir, 'daemon', '--name', 'other'], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /another swarmts daemon \(pid \d+\) is using this state directory/);
});

test('nothing is left mounted once every container is removed', () => {
  writeFileSync(join(stateDir, 'marker'), '');
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(join(stateDir, 'rootfs')));
});

test.run();
