import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeployStackRequest, ServiceSummary } from '../../daemon/api-orchestration.js';
import { startOrchestrationTestServer, type OrchestrationTestServer } from '../../daemon/orchestration-test-server.js';
import { runCli } from '../run-cli.js';

/** `swarmts stack ...` in-process against the real API server and a MemoryOrchestrationService. */

let api: OrchestrationTestServer;
const cli = (...args: string[]) => runCli(api.socket, args);
const file = (name: string, text: string) => {
  const path = join(api.dir, name);
  writeFileSync(path, text);
  return path;
};
const deploys = () => api.fake.calls.filter((c) => c.method === 'deployStack');

test.before(async () => {
  api = await startOrchestrationTestServer();
});
test.after(() => api.close());

const base = `services:
  web:
    image: nginx:1.25
    environment: ["MODE=\${MODE}", "GREETING=\${GREETING}"]
    volumes: ["./html:/usr/share/nginx/html:ro"]
    ports: ["8080:80"]
    deploy: {replicas: 2}
  db:
    image: postgres:15
`;

test('deploy merges the files, sends the services, and follows them until they converge', async () => {
  const first = file('stack.yml', base);
  const prod = file('stack.prod.yml', 'services:\n  web:\n    deploy: {replicas: 3}\n');
  file('.env', 'MODE=dotenv\nGREETING=hi\n');
  process.env['MODE'] = 'from-shell';
  const r = await cli('stack', 'deploy', '-c', first, '-c', prod, 'demo');
  delete process.env['MODE'];
  assert.is(r.code, 0, r.stderr);
  const [call] = deploys();
  assert.is(call!.args[0], 'demo');
  const request = call!.args[1] as DeployStackRequest;
  assert.is(request.prune, false);
  const web = request.services.find((s) => s.name === 'web')!;
  assert.is(web.replicas, 3, 'the later file overrides');
  assert.equal(web.env, { MODE: 'from-shell', GREETING: 'hi' }, 'the shell wins over .env');
  assert.is(web.mounts[0]!.source, join(api.dir, 'html'), 'relative paths resolve against the first file');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.slice(0, 2), ['Creating service demo_web', 'Creating service demo_db']);
  assert.ok(lines.includes('demo_web: 1/3 running'), r.stdout);
  assert.ok(lines.includes('demo_web: 3/3 running'), r.stdout);
  assert.is(lines.at(-1), 'stack demo converged.');
});

test('a redeploy reports updated and unchanged services; --prune removes the rest; --detach does not wait', async () => {
  const only = file('only-web.yml', 'services:\n  web:\n    image: nginx:1.27\n');
  const r = await cli('stack', 'deploy', '--prune', '--detach', '-c', only, 'demo');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'Removing service demo_db\nUpdating service demo_web\n');
  assert.is((deploys().at(-1)!.args[1] as DeployStackRequest).prune, true);
});

test('a stack that cannot converge times out, naming each pending task and why', async () => {
  api.fake.pendingError = 'no suitable node: 0 of 1 nodes have 4 GiB of memory free';
  const big = file('big.yml', 'services:\n  big:\n    image: busybox\n    deploy: {replicas: 2}\n');
  const r = await cli('stack', 'deploy', '--timeout', '1s', '-c', big, 'heavy');
  const ps = await cli('stack', 'ps', 'heavy');
  api.fake.pendingError = undefined;
  assert.is(r.code, 3, 'accepted but not converged');
  assert.match(ps.stdout, /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\n/);
  assert.match(ps.stdout, /\nt\w{11}\s+heavy_big\.1\s+busybox\s+Running\s+Pending (Less than a second|\d seconds?) ago\s+no suitable node: 0 of 1 nodes have 4 G…\n/);
  assert.ok((await cli('stack', 'ps', '--no-trunc', 'heavy')).stdout.includes('4 GiB of memory free'));
  assert.match(r.stdout, 'heavy_big: 0/2 running');
  assert.match(r.stderr, /^Error: stack heavy did not converge within 1 second; tasks not running:\n  heavy_big\.1 \(pending\): no suitable node: 0 of 1 nodes have 4 GiB of memory free\n  heavy_big\.2 \(pending\): no suitable node/);
  assert.match(r.stderr, 'swarmts stack ps heavy');
});

test('every problem of every stack file is printed with file:line:col, and nothing is sent', async () => {
  const before = deploys().length;
  const a = file('bad-a.yml', 'services:\n  web:\n    image: nginx\n    deploy: {replicas: lots}\n');
  const b = file('bad-b.yml', 'services:\n  web:\n    ports: ["99999:80"]\n    colour: blue\n');
  const r = await cli('stack', 'deploy', '-c', a, '-c', b, 'demo');
  assert.is(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines[0], 'Error: the stack has 3 problems; fix them and deploy again:');
  assert.match(lines[1]!, new RegExp(`^${a}:4:24 services\\.web\\.deploy\\.replicas: expected a non-negative integer, got "lots"`));
  assert.match(lines[2]!, new RegExp(`^${b}:3:`));
  assert.match(lines[3]!, new RegExp(`^${b}:4:5 services\\.web\\.colour: `));
  assert.is(deploys().length, before);
});

test('bad usage: a missing file, no -c, a bad --timeout, a bad stack name', async () => {
  const before = deploys().length;
  const missing = await cli('stack', 'deploy', '-c', join(api.dir, 'nope.yml'), 'demo');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, `Error: cannot read stack file ${join(api.dir, 'nope.yml')}: no such file; pass an existing compose file with -c FILE`);
  const noFile = await cli('stack', 'deploy', 'demo');
  assert.is(noFile.code, 2);
  assert.match(noFile.stderr, "required option '-c, --compose-file <file>' not specified");
  const timeout = await cli('stack', 'deploy', '--timeout', 'soon', '-c', join(api.dir, 'stack.yml'), 'demo');
  assert.is(timeout.code, 2);
  assert.match(timeout.stderr, 'expected a duration like 30s, 1m30s or 500ms, got "soon"');
  const name = await cli('stack', 'deploy', '-c', join(api.dir, 'stack.yml'), 'Demo!');
  assert.is(name.code, 1);
  assert.match(name.stderr, 'stack name: expected a DNS label');
  assert.is(deploys().length, before);
});

test('stack ls, services, ps and rm print tables, json and ids', async () => {
  const ls = await cli('stack', 'ls');
  assert.is(ls.stdout, 'NAME    SERVICES\ndemo    1\nheavy   1\n');
  assert.equal(JSON.parse((await cli('stack', 'ls', '--format', 'json')).stdout).map((s: { name: string }) => s.name), ['demo', 'heavy']);
  assert.is((await cli('stack', 'ls', '-q')).stdout, 'demo\nheavy\n');
  const services = await cli('stack', 'services', 'demo');
  const [header, row] = services.stdout.trimEnd().split('\n');
  assert.match(header!, /^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
  assert.match(row!, /^svc\w{9}\s+demo_web\s+replicated\s+1\/1\s+nginx:1\.27\s*$/);
  const ids = (JSON.parse((await cli('stack', 'services', '--format', 'json', 'demo')).stdout) as ServiceSummary[]).map((s) => s.id);
  assert.is((await cli('stack', 'services', '-q', 'demo')).stdout, ids.map((id) => `${id}\n`).join(''));
  const rm = await cli('stack', 'rm', 'heavy');
  assert.is(rm.stdout, 'Removing service heavy_big\n');
  for (const sub of ['services', 'ps']) assert.equal(await cli('stack', sub, 'heavy'), { code: 1, stdout: '', stderr: 'Error: no stack heavy\n' });
  const gone = await cli('stack', 'rm', 'heavy');
  assert.is(gone.code, 1);
  assert.is(gone.stderr, 'Error: no stack heavy\n');
});

test('every stack command explains itself with examples', async () => {
  for (const sub of ['deploy', 'ls', 'services', 'ps', 'rm']) {
    const help = await cli('stack', sub, '--help');
    assert.is(help.code, 0);
    assert.match(help.stdout, 'Examples:\n  swarmts stack');
  }
});

test.run();
