import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../core/project-root.js';
import { waitFor } from '../p2p/wait-for.js';
import { buildBusyboxImage } from '../runtime/image/index.js';
import { removeCgroupTree } from '../runtime/oci/test-cgroups.js';

/**
 * `swarmts dashboard` in a real terminal (tmux, 120x40, NO_COLOR) against a real one-node
 * cluster: the example web stack is deployed while the dashboard runs, and the screen must
 * show its services converge from the daemon's pushed events; then the daemon is stopped and
 * started again and the dashboard must say so and come back; `q` quits. Every wait is
 * bounded; the daemon, its containers, its state dir and the tmux server go in after(),
 * also on failure. Needs the compiled CLI (dist/), the C build and tmux.
 */

const root = projectRoot();
const main = join(root, 'dist', 'src', 'main.js');
const stateDir = mkdtempSync(join(tmpdir(), 'swarmts-dashboard-e2e-'));
const nodeName = `dash-e2e-${process.pid}`;
const tmuxSocket = `swarmts-dash-${process.pid}`;
const clusterPort = 21_000 + Math.floor(Math.random() * 20_000);
let daemon: ChildProcess | undefined;

function swarmts(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, '--state-dir', stateDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmux(...args: string[]): { code: number; stdout: string } {
  const r = spawnSync('tmux', ['-L', tmuxSocket, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status ?? -1, stdout: r.stdout };
}

const screen = () => tmux('capture-pane', '-p', '-t', 'dash').stdout;

async function waitForScreen(what: string, seen: (text: string) => boolean, timeoutMs: number): Promise<void> {
  try {
    await waitFor(what, () => seen(screen()), { timeoutMs, intervalMs: 250 });
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${screen()}`);
  }
}

async function startDaemon(): Promise<void> {
  daemon = spawn(process.execPath, [main, '--state-dir', stateDir, 'daemon', '--name', nodeName, '--network', 'none'], { stdio: 'ignore' });
  await waitFor('the daemon answers', () => existsSync(join(stateDir, 'swarmts.sock')) && swarmts(['info']).code === 0, { timeoutMs: 20_000, intervalMs: 200 });
}

async function stopDaemon(): Promise<void> {
  if (!daemon || daemon.exitCode !== null) return;
  const exited = new Promise((resolve) => daemon!.once('exit', resolve));
  daemon.kill('SIGTERM');
  await exited;
}

/** The example stack, with its published port moved off 8080 (which quickstart uses) and its volume made absolute. */
function demoStackFile(): string {
  const port = clusterPort + 1;
  const text = readFileSync(join(root, 'examples/web/stack.yml'), 'utf8')
    .replace('"8080:80"', `"${port}:80"`)
    .replace('./www:/www:ro', `${join(root, 'examples/web/www')}:/www:ro`);
  const file = join(stateDir, 'stack.yml');
  writeFileSync(file, text);
  return file;
}

test.before(async () => {
  assert.ok(existsSync(main), `build first: ${main} is missing (npm run build)`);
  assert.is(spawnSync('tmux', ['-V']).status, 0, 'tmux is missing (apt-get install tmux)');
  let image = join(root, 'build/images/busybox.tar');
  if (!existsSync(image)) {
    const layout = join(stateDir, 'busybox-layout');
    await buildBusyboxImage({ outDir: layout });
    image = join(stateDir, 'busybox.tar');
    spawnSync('tar', ['-cf', image, '-C', layout, '.']);
  }
  await startDaemon();
  const init = swarmts(['init', '--listen-addr', `127.0.0.1:${clusterPort}`]);
  assert.is(init.code, 0, init.stderr);
  const imported = swarmts(['image', 'import', image, '--reference', 'busybox:latest']);
  assert.is(imported.code, 0, imported.stderr);
});

test.after(async () => {
  tmux('kill-server');
  if (daemon?.exitCode === null) {
    swarmts(['stack', 'rm', 'web']);
    for (const id of swarmts(['container', 'ls', '-a', '-q']).stdout.split('\n').filter(Boolean)) swarmts(['container', 'rm', '-f', id]);
  }
  await stopDaemon();
  removeCgroupTree(`/swarmts/${nodeName}`);
  rmSync(stateDir, { recursive: true, force: true });
});

test('the dashboard shows the demo stack converge, survives a daemon restart, and quits on q', async () => {
  const command = `NO_COLOR=1 ${process.execPath} ${main} --state-dir ${stateDir} dashboard`;
  assert.is(tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', command).code, 0);
  await waitForScreen('the dashboard is live and shows this node', (s) => s.includes(' live') && s.includes(`${nodeName} *`), 20_000);

  const deploy = swarmts(['stack', 'deploy', '--detach', '-c', demoStackFile(), 'web']);
  assert.is(deploy.code, 0, deploy.stderr);
  await waitForScreen('both services converge', (s) => /web_web\s+repl\s+█+ 3\/3/.test(s) && /web_client\s+repl\s+█+ 1\/1/.test(s), 90_000);
  const converged = screen();
  assert.match(converged, /task web_web\.\d running on /);
  assert.match(converged, /· 2 services, 4\/4 tasks/);
  // The node's own usage arrives with the node list, polled every 5 s: cpu and memory used, not `-`.
  const usedRow = new RegExp(`${nodeName} \\*\\s+ready\\s+leader\\s+active\\s+\\d[\\d.]*/[\\d.]+/[\\d.]+\\s+\\d[\\d.]*[KMG]?i?B?/`);
  await waitForScreen('the nodes pane shows cpu and memory used', (s) => usedRow.test(s), 15_000);

  await stopDaemon();
  await waitForScreen('the dashboard says the daemon is gone', (s) => s.includes('disconnected, retrying in') && s.includes('daemon'), 15_000);
  await startDaemon();
  await waitForScreen('the dashboard reconnects by itself', (s) => s.includes(' live') && /web_web\s+repl\s+█+ 3\/3/.test(s), 30_000);

  tmux('send-keys', '-t', 'dash', 'q');
  await waitFor('q ends the dashboard', () => tmux('has-session', '-t', 'dash').code !== 0, { timeoutMs: 10_000, intervalMs: 100 });
});

test.run();
