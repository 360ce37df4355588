import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startOrchestrationTestServer, type OrchestrationTestServer } from './orchestration-test-server.js';
import { isSwarmError } from '../core/errors.js';
import { parseStack } from '../spec/parse-stack.js';
import { ApiClient } from './api-client.js';
import type { ServiceLogLine } from './api-orchestration.js';

/** The orchestration routes on the real router and server, in front of a MemoryOrchestrationService. */

let api: OrchestrationTestServer;
let client: ApiClient;
const services = () => JSON.parse(JSON.stringify(parseStack({ fileName: 's.yml', text: 'services:\n  web:\n    image: nginx\n', stackName: 'demo', env: {}, readFile: () => undefined }).stack.services));

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    if (isSwarmError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
}

test.before(async () => {
  api = await startOrchestrationTestServer();
  client = new ApiClient(api.socket);
});
test.after(() => api.close());

test('each endpoint reaches the service with what the request said', async () => {
  await client.call('POST', '/v1/stacks/demo/deploy', { services: services(), prune: true });
  const id = (await client.call<Array<{ id: string }>>('GET', '/v1/services'))[0]!.id;
  const requests: Array<[string, string, unknown?]> = [
    ['GET', '/v1/orchestration'],
    ['GET', '/v1/stacks/demo/tasks'],
    ['GET', `/v1/services/${id.slice(0, 6)}/tasks`],
    ['GET', '/v1/tasks?node=node-a'],
    ['GET', '/v1/tasks'],
    ['POST', '/v1/services/demo_web/scale', { replicas: 4 }],
    ['POST', '/v1/services/demo_web/rollback'],
    ['POST', '/v1/nodes/node-b/update', { availability: 'pause' }],
    ['POST', '/v1/nodes/node-b/promote'],
    ['POST', '/v1/nodes/node-b/demote'],
    ['DELETE', '/v1/nodes/node-b?force=1'],
    ['DELETE', '/v1/stacks/demo'],
  ];
  for (const [method, path, body] of requests) await client.call(method, path, body);
  assert.equal(api.fake.calls.map((c) => [c.method, ...c.args]), [
    ['deployStack', 'demo', { services: services(), prune: true }],
    ['status'],
    ['tasks', { stack: 'demo' }],
    ['tasks', { service: id.slice(0, 6) }],
    ['tasks', { node: 'node-a' }],
    ['tasks', {}],
    ['scaleService', 'demo_web', 4],
    ['rollbackService', 'demo_web'],
    ['updateNode', 'node-b', { availability: 'pause' }],
    ['setNodeRole', 'node-b', 'manager'],
    ['setNodeRole', 'node-b', 'worker'],
    ['removeNode', 'node-b', true],
    ['removeStack', 'demo'],
  ]);
});

test('bad bodies and queries are refused before the service sees them, saying what is allowed', async () => {
  api.fake.calls.length = 0;
  const cases: Array<[string, string, unknown, string]> = [
    ['POST', '/v1/stacks/demo/deploy', { services: [{ ...services()[0], replicas: 'x' }] }, 'INVALID_ARGUMENT: invalid deploy request:\n  services[0].replicas: expected a whole number >= 0, got "x"'],
    ['POST', '/v1/services/demo_web/scale', { replicas: -1 }, 'INVALID_ARGUMENT: invalid scale request:\n  replicas: expected a whole number >= 0, got -1'],
    ['POST', '/v1/services/demo_web/update', {}, 'INVALID_ARGUMENT: invalid service update:\n  spec: expected an object, got nothing'],
    ['POST', '/v1/nodes/n/update', { availability: 'off' }, 'INVALID_ARGUMENT: invalid node update:\n  availability: expected one of "active", "pause", "drain", got "off"'],
    ['GET', '/v1/services/demo_web/logs?tail=ten', undefined, 'INVALID_ARGUMENT: query parameter tail: expected a whole number >= 0, got "ten"'],
    ['GET', '/v1/events?since=-5', undefined, 'INVALID_ARGUMENT: query parameter since: expected a whole number >= 0, got "-5"'],
    ['GET', '/v1/tasks?node=', undefined, 'INVALID_ARGUMENT: query parameter node: expected a node id, id prefix or hostname, got nothing'],
    ['PUT', '/v1/stacks', undefined, 'INVALID_ARGUMENT: method PUT is not allowed on /v1/stacks'],
  ];
  for (const [method, path, body, expected] of cases) {
    const run = () => (path.includes('/logs') || path.includes('/events') ? client.stream(method, path).next() : client.call(method, path, body));
    assert.is(await codeOf(run), expected, path);
  }
  assert.equal(api.fake.calls, []);
  assert.is(await codeOf(() => client.call('GET', '/v1/services/nope')), 'NOT_FOUND: no service nope');
});

test('logs stream as ndjson with follow and tail passed on', async () => {
  await client.call('POST', '/v1/stacks/demo/deploy', { services: services(), prune: false });
  api.fake.logLines = [1, 2, 3].map((n): ServiceLogLine => ({ taskId: 't', task: 'demo_web.1', nodeId: 'n', stream: 'stdout', time: n, line: `line ${n}` }));
  const lines: string[] = [];
  for await (const l of client.stream<ServiceLogLine>('GET', '/v1/services/demo_web/logs?tail=2')) lines.push(l.line);
  assert.equal(lines, ['line 2', 'line 3']);
  assert.equal(api.fake.calls.at(-1)!.args, ['demo_web', { follow: false, tailLines: 2 }]);
});

test.run();
