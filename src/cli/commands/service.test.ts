import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServiceDetail, TaskSummary } from '../../daemon/api-orchestration.js';
import type { ServiceSpec } from '../../spec/service-spec.js';
import { startOrchestrationTestServer, type OrchestrationTestServer } from '../../daemon/orchestration-test-server.js';
import { runCli } from '../run-cli.js';

/** `swarmts service ...` in-process against the real API server and a MemoryOrchestrationService. */

let api: OrchestrationTestServer;
const cli = (...args: string[]) => runCli(api.socket, args);
const callsOf = (method: string) => api.fake.calls.filter((c) => c.method === method);

test.before(async () => {
  api = await startOrchestrationTestServer();
  const stackFile = join(api.dir, 'stack.yml');
  writeFileSync(stackFile, [
    'services:',
    '  web:',
    '    image: nginx:1.25',
    '    environment: {A: "1", B: "2"}',
    '    deploy: {replicas: 2, labels: {owner: me, tier: front}}',
    '  agent:',
    '    image: busybox',
    '    deploy: {mode: global}',
    '',
  ].join('\n'));
  const deployed = await cli('stack', 'deploy', '--detach', '-c', stackFile, 'demo');
  assert.is(deployed.code, 0, deployed.stderr);
});
test.after(() => api.close());

test('service ls, inspect and ps: tables, json and ids', async () => {
  const ls = await cli('service', 'ls');
  assert.match(ls.stdout, /^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS\n/);
  assert.match(ls.stdout, /\ndemo_web|demo_web\s+replicated\s+\d\/2\s+nginx:1\.25/);
  assert.match(ls.stdout, /demo_agent\s+global\s+\d\/1\s+busybox/);
  const inspect = JSON.parse((await cli('service', 'inspect', 'demo_web', 'demo_agent')).stdout) as ServiceDetail[];
  assert.equal(inspect.map((s) => [s.name, s.spec.image]), [['demo_web', 'nginx:1.25'], ['demo_agent', 'busybox']]);
  assert.is((await cli('service', 'ls', '-q')).stdout, `${inspect[0]!.id}\n${inspect[1]!.id}\n`);
  const tasks = JSON.parse((await cli('service', 'ps', '--format', 'json', 'demo_web')).stdout) as TaskSummary[];
  assert.equal(tasks.map((t) => t.name), ['demo_web.1', 'demo_web.2']);
  assert.match((await cli('service', 'ps', 'demo_web')).stdout, /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\n/);
  const missing = await cli('service', 'inspect', 'nope', 'demo_web');
  assert.is(missing.code, 1);
  assert.is(missing.stderr, 'Error: no service nope\n');
  assert.equal((JSON.parse(missing.stdout) as ServiceDetail[]).map((s) => s.name), ['demo_web'], 'the services found are still shown');
});

test('scale sends each replica count, going on past a failure; bad arguments are usage errors and send nothing', async () => {
  const r = await cli('service', 'scale', 'demo_web=3', 'demo_agent2=0', 'demo_web=2');
  assert.is(r.code, 1, 'the second service does not exist');
  assert.is(r.stdout, 'demo_web scaled to 3\ndemo_web scaled to 2\n', 'a failure does not stop the others');
  assert.is(r.stderr, 'Error: no service demo_agent2\n');
  assert.equal(callsOf('scaleService').map((c) => c.args), [['demo_web', 3], ['demo_web', 2]]);
  for (const bad of [['demo_web=abc'], ['demo_web'], ['demo_web=-1'], ['demo_web=2', '=3']]) {
    const usage = await cli('service', 'scale', ...bad);
    assert.is(usage.code, 2, bad.join(' '));
    assert.match(usage.stderr, /expected (each argument as KEY=VALUE|the replica count of demo_web to be a whole number >= 0), got/);
  }
  assert.is(callsOf('scaleService').length, 2);
});

test('scale follows the services until they run the new counts, unless --detach', async () => {
  const r = await cli('service', 'scale', 'demo_web=2');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^demo_web scaled to 2\n(demo_web: \d\/2 running[^\n]*\n)+service demo_web converged\.\n$/);
  const detached = await cli('service', 'scale', '-d', 'demo_web=1');
  assert.is(detached.stdout, 'demo_web scaled to 1\n');
});

test('update edits the current spec, sends it whole, and follows the update', async () => {
  const r = await cli('service', 'update', '--image', 'nginx:1.27', '--replicas', '3', '--env-add', 'C=3', '--env-add', 'A=10', '--env-rm', 'B', '--label-add', 'tier=back', '--label-rm', 'owner', 'demo_web');
  assert.is(r.code, 0, r.stderr);
  const [ref, spec] = callsOf('updateService').at(-1)!.args as [string, ServiceSpec];
  assert.is(ref, 'demo_web');
  assert.is(spec.image, 'nginx:1.27');
  assert.is(spec.replicas, 3);
  assert.equal(spec.env, { A: '10', C: '3' });
  assert.equal(spec.labels, { tier: 'back' });
  assert.is(spec.stopGracePeriodMs, 10_000, 'everything else is kept');
  assert.match(r.stdout, /^demo_web updated\n/);
  assert.match(r.stdout, /demo_web: 3\/3 running, update completed\nservice demo_web converged\.\n$/);
});

test('update refuses bad flags before changing anything', async () => {
  const before = callsOf('updateService').length;
  const cases: Array<[string[], number, string]> = [
    [['demo_web'], 2, 'nothing to update: give at least one of --image'],
    [['--image', 'Nginx Latest', 'demo_web'], 2, 'expected an image reference such as nginx:1.27'],
    [['--env-add', 'NOVALUE', 'demo_web'], 2, 'expected --env-add as KEY=VALUE, got "NOVALUE"'],
    [['--replicas', 'two', 'demo_web'], 2, 'expected --replicas to be a whole number >= 0, got "two"'],
    [['--replicas', '2', 'demo_agent'], 2, '--replicas: demo_agent is a global service (one task per node); it has no replica count'],
    [['--image', 'x', 'nope'], 1, 'Error: no service nope'],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli('service', 'update', ...args);
    assert.is(r.code, code, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.is(callsOf('updateService').length, before);
});

test('rollback asks for the previous spec and follows it; a service never changed has none', async () => {
  const r = await cli('service', 'rollback', 'demo_web');
  assert.is(r.code, 0, r.stderr);
  assert.equal(callsOf('rollbackService').map((c) => c.args), [['demo_web']]);
  assert.match(r.stdout, /^demo_web: rollback requested\n[^]*service demo_web converged\.\n$/);
  const never = await cli('service', 'rollback', '-d', 'demo_agent');
  assert.is(never.code, 1);
  assert.match(never.stderr, 'Error: demo_agent has no previous spec to roll back to');
});

test('logs prefix each line with task and node, stderr to stderr, --tail and -f sent as asked', async () => {
  const [task] = JSON.parse((await cli('service', 'ps', '--format', 'json', 'demo_web')).stdout) as TaskSummary[];
  api.fake.logLines = [
    { taskId: task!.id, task: task!.name, nodeId: 'node-a-id', stream: 'stdout', time: 1, line: 'GET / 200' },
    { taskId: task!.id, task: task!.name, nodeId: 'node-z-id', stream: 'stderr', time: 2, line: 'warning: slow' },
  ];
  const r = await cli('service', 'logs', 'demo_web');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `${task!.name}.${task!.id.slice(0, 12)}@node-a | GET / 200\n`);
  assert.is(r.stderr, `${task!.name}.${task!.id.slice(0, 12)}@node-z-id | warning: slow\n`, 'an unknown node shows its id');
  assert.is((await cli('service', 'logs', '--tail', '1', 'demo_web')).stdout, '');
  assert.equal(callsOf('serviceLogs').map((c) => c.args[1]), [{ follow: false }, { follow: false, tailLines: 1 }]);
  assert.is((await cli('service', 'logs', '--tail', 'x', 'demo_web')).code, 2);

  const following = cli('service', 'logs', '-f', 'demo_web');
  while (callsOf('serviceLogs').length < 3) await new Promise((resolve) => setImmediate(resolve));
  api.fake.endStreams();
  const followed = await following;
  assert.is(followed.code, 0);
  assert.equal(callsOf('serviceLogs').at(-1)!.args[1], { follow: true });
});

test('every service command explains itself with examples', async () => {
  for (const sub of ['ls', 'ps', 'inspect', 'scale', 'update', 'rollback', 'logs']) {
    const help = await cli('service', sub, '--help');
    assert.is(help.code, 0);
    assert.match(help.stdout, 'Examples:\n  swarmts service');
  }
});

test.run();
