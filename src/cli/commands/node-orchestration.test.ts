import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startOrchestrationTestServer, type OrchestrationTestServer } from '../../daemon/orchestration-test-server.js';
import { runCli } from '../run-cli.js';

/** `swarmts node update|promote|demote|rm` in-process against the real API server and a MemoryOrchestrationService. */

let api: OrchestrationTestServer;
const cli = (...args: string[]) => runCli(api.socket, args);
const requests = () => api.fake.calls.map((c) => [c.method, ...c.args]);

test.before(async () => {
  api = await startOrchestrationTestServer();
});
test.after(() => api.close());

test('node update sends availability and label changes', async () => {
  const r = await cli('node', 'update', '--availability', 'drain', '--label-add', 'zone=east', '--label-add', 'rack=', '--label-rm', 'old', 'node-b');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'node-b\n');
  assert.equal(requests(), [['updateNode', 'node-b', { availability: 'drain', labelsAdd: { zone: 'east', rack: '' }, labelsRemove: ['old'] }]]);
});

test('node update refuses bad flags and sends nothing', async () => {
  const cases: Array<[string[], string]> = [
    [['--availability', 'nope', 'node-b'], "argument 'nope' is invalid. Allowed choices are active, pause, drain."],
    [['--label-add', 'zone', 'node-b'], 'expected --label-add as KEY=VALUE, got "zone"'],
    [['node-b'], 'nothing to update: give --availability, --label-add or --label-rm'],
  ];
  for (const [args, message] of cases) {
    const r = await cli('node', 'update', ...args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.is(api.fake.calls.length, 1);
});

test('promote, demote and rm act on every node named', async () => {
  api.fake.calls.length = 0;
  assert.is((await cli('node', 'promote', 'node-b', 'node-c')).stdout, 'Node node-b promoted to a manager in the cluster.\nNode node-c promoted to a manager in the cluster.\n');
  assert.is((await cli('node', 'demote', 'node-c')).stdout, 'Manager node-c demoted in the cluster.\n');
  assert.is((await cli('node', 'rm', 'node-d')).stdout, 'node-d\n');
  assert.is((await cli('node', 'rm', '--force', 'node-e')).code, 0);
  assert.equal(requests(), [
    ['setNodeRole', 'node-b', 'manager'], ['setNodeRole', 'node-c', 'manager'], ['setNodeRole', 'node-c', 'worker'],
    ['removeNode', 'node-d', false], ['removeNode', 'node-e', true],
  ]);
  for (const sub of ['update', 'promote', 'demote', 'rm']) assert.match((await cli('node', sub, '--help')).stdout, 'Examples:\n  swarmts node');
});

test('promote and demote say what was already so; a refusal is printed, the other nodes still run, and the exit code is 1', async () => {
  assert.is((await cli('node', 'promote', 'node-b')).stdout, 'Node node-b is already a manager.\n');
  assert.is((await cli('node', 'demote', 'node-d')).stdout, 'Node node-d is already a worker.\n');
  const r = await cli('node', 'demote', 'node-a', 'node-b');
  assert.is(r.code, 1);
  assert.is(r.stdout, 'Manager node-a demoted in the cluster.\n');
  assert.is(r.stderr, "Error: node-b is the cluster's last manager: promote another node first (`swarmts node promote NODE`), then demote it\n");
});

test.run();
