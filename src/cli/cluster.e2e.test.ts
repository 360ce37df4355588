import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../core/project-root.js';
import type { ClusterInitResponse, NodeSummary } from '../daemon/api-types.js';
import { waitFor } from '../p2p/wait-for.js';

/** `swarmts init / join / join-token / node ls / leave` against two real daemon processes on loopback. */

const main = join(projectRoot(), 'dist', 'src', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'swarmts-cluster-cli-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const daemons: ChildProcess[] = [];
const stateDir = (name: string) => join(root, name);

function swarmts(node: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, '--state-dir', stateDir(node), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function startDaemon(name: string): Promise<void> {
  const child = spawn(process.execPath, [main, '--state-dir', stateDir(name), 'daemon', '--name', `${name}-${process.pid}`, '--network', 'none'], { stdio: 'ignore' });
  daemons.push(child);
  await waitFor(`daemon ${name} answers`, () => existsSync(join(stateDir(name), 'swarmts.sock')) && swarmts(name, ['info']).code === 0, { timeoutMs: 20_000, intervalMs: 200 });
}

const nodes = (name: string) => JSON.parse(swarmts(name, ['node', 'ls', '--format', 'json']).stdout) as NodeSummary[];

test.before(async () => {
  await Promise.all([startDaemon('m'), startDaemon('w')]);
});

test.after(async () => {
  await Promise.all(daemons.map((d) => new Promise((resolve) => (d.exitCode !== null ? resolve(0) : (d.once('exit', resolve), d.kill('SIGTERM'))))));
  rmSync(root, { recursive: true, force: true });
});

test('a manager and a worker form a cluster through the CLI; exit codes and messages', async () => {
  const notYet = swarmts('m', ['node', 'ls']);
  assert.is(notYet.code, 1);
  assert.match(notYet.stderr, /not part of a cluster: run `swarmts init`/);

  const init = swarmts('m', ['init', '--listen-addr', `127.0.0.1:${port}`, '--label', 'zone=a', '--format', 'json']);
  assert.is(init.code, 0, init.stderr);
  const { workerToken, advertiseAddr } = JSON.parse(init.stdout) as ClusterInitResponse;
  assert.is(advertiseAddr, `127.0.0.1:${port}`);
  const printed = swarmts('m', ['join-token', 'worker']);
  assert.ok(printed.stdout.includes(`swarmts join --token ${workerToken} 127.0.0.1:${port}`), printed.stdout);
  assert.is(swarmts('m', ['join-token', '-q', 'worker']).stdout, `${workerToken}\n`);

  const usage = swarmts('w', ['join', `127.0.0.1:${port}`]);
  assert.is(usage.code, 2, 'a missing --token is a usage error');
  assert.match(usage.stderr, /--token/);
  const bad = swarmts('w', ['join', '--token', workerToken.slice(0, -2) + '00', '--listen-addr', `127.0.0.1:${port + 1}`, `127.0.0.1:${port}`]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^Error: the manager at 127\.0\.0\.1:\d+ refused this node: the join token was refused/);

  const join = swarmts('w', ['join', '--token', workerToken, '--listen-addr', `127.0.0.1:${port + 1}`, `127.0.0.1:${port}`]);
  assert.is(join.code, 0, join.stderr);
  assert.is(join.stdout, 'This node joined the cluster as a worker.\n');
  await waitFor('both list two ready nodes', () => ['m', 'w'].every((n) => nodes(n).filter((x) => x.status === 'ready').length === 2), { intervalMs: 200 });
  const table = swarmts('w', ['node', 'ls']).stdout.split('\n');
  assert.match(table[0]!, /^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+ROLE\s+ADDRESS$/);
  assert.match(table[1]!, new RegExp(`^\\w{12}\\s+m-${process.pid}\\s+Ready\\s+Active\\s+Manager\\s+127\\.0\\.0\\.1:${port}$`));
  assert.match(table[2]!, new RegExp(`^\\w{12} \\*\\s+w-${process.pid}\\s+Ready\\s+Active\\s+Worker\\s+127\\.0\\.0\\.1:${port + 1}$`));
  const inspected = JSON.parse(swarmts('w', ['node', 'inspect', `m-${process.pid}`]).stdout) as Array<{ labels: object }>;
  assert.equal(inspected[0]!.labels, { zone: 'a' });

  const managerLeave = swarmts('m', ['leave']);
  assert.is(managerLeave.code, 1);
  assert.match(managerLeave.stderr, /only manager .* Use --force/);
  assert.is(swarmts('w', ['leave']).code, 0);
  await waitFor('the manager shows the worker left', () => nodes('m').some((n) => n.hostname === `w-${process.pid}` && n.status === 'left'), { intervalMs: 200 });
  assert.is(swarmts('m', ['leave', '--force']).code, 0);
});

test.run();
