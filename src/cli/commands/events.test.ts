import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterEvent } from '../../daemon/api-orchestration.js';
import { startOrchestrationTestServer } from '../../daemon/orchestration-test-server.js';
import { runCli } from '../run-cli.js';
import { eventLine, sinceMs } from './events.js';

test('--since takes a duration ago or a time', () => {
  const now = Date.parse('2026-11-29T07:00:00Z');
  assert.is(sinceMs('10m', now), now - 600_000);
  assert.is(sinceMs('1h30m', now), now - 5_400_000);
  assert.is(sinceMs('2026-11-29T06:00:00Z', now), now - 3_600_000);
  for (const bad of ['yesterday', '10', '2026-13-45', '']) assert.throws(() => sinceMs(bad, now), /expected a duration ago such as 10m/, bad);
});

test('each kind of event reads as one line', () => {
  const time = Date.parse('2026-11-29T07:00:00Z');
  const cases: Array<[ClusterEvent, string]> = [
    [{ type: 'node', action: 'down', nodeId: '12D3KooWCUhG1XagMFG3MSMqPshdiG3xqfNr5DU6yiDBg9Dg7Tez', hostname: 'node-b', time }, '2026-11-29T07:00:00.000Z node down node-b (yiDBg9Dg7Tez)'],
    [{ type: 'leader', leader: undefined, term: 4, time }, '2026-11-29T07:00:00.000Z leader none (term 4)'],
    [{ type: 'service', action: 'scaled', service: 'demo_web', time }, '2026-11-29T07:00:00.000Z service scaled demo_web'],
    [{ type: 'update', service: 'demo_web', state: 'rollback_started', message: 'too many failures', time }, '2026-11-29T07:00:00.000Z update rollback started demo_web: too many failures'],
    [{ type: 'update', service: 'demo_web', state: 'completed', message: 'update completed', time }, '2026-11-29T07:00:00.000Z update completed demo_web'],
    [{ type: 'task', action: 'failed', service: 'demo_web', taskId: 'abcdefabcdefabcdef', task: 'demo_web.2', nodeId: 'n1', message: 'exit 1', time }, '2026-11-29T07:00:00.000Z task failed demo_web.2 (abcdefabcdef) on n1: exit 1'],
  ];
  for (const [event, line] of cases) assert.is(eventLine(event), line);
});

test('events streams the retained events after --since, then new ones, until the stream ends', async () => {
  const api = await startOrchestrationTestServer();
  try {
    const now = Date.now();
    api.fake.emit({ type: 'service', action: 'created', service: 'old_web', time: now - 3_600_000 });
    api.fake.emit({ type: 'service', action: 'created', service: 'demo_web', time: now - 60_000 });
    const running = runCli(api.socket, ['events', '--since', '10m', '--format', 'json']);
    while (!api.fake.calls.some((c) => c.method === 'events')) await new Promise((resolve) => setImmediate(resolve));
    const since = api.fake.calls.find((c) => c.method === 'events')!.args[0] as number;
    assert.ok(Math.abs(since - (now - 600_000)) < 5_000, `since ${since}`);
    api.fake.emit({ type: 'leader', leader: 'node-a', term: 2, time: now });
    api.fake.endStreams();
    const r = await running;
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).type), ['service', 'leader']);
    assert.match(r.stdout, 'demo_web');
    const usage = await runCli(api.socket, ['events', '--since', 'soon']);
    assert.is(usage.code, 2);
    assert.match((await runCli(api.socket, ['events', '--help'])).stdout, 'Examples:\n  swarmts events');
  } finally {
    await api.close();
  }
});

test.run();
