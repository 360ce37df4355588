import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SwarmError } from '../core/errors.js';
import type { ClusterEvent } from '../daemon/api-orchestration.js';
import { ClusterFeed, defaultClusterFeedConfig, partsTouchedBy, type FeedApi, type FeedClock } from './cluster-feed.js';
import { fixtureNowMs, nodeIds, sampleSnapshot } from './test-fixtures.js';

/** The feed against a scripted API and a manual clock: what it fetches, when, and how it reconnects. */

/** An event stream the test feeds by hand. */
class ScriptedStream {
  private queue: Array<ClusterEvent | 'end' | Error> = [];
  private wake: (() => void) | undefined;
  push(item: ClusterEvent | 'end' | Error): void {
    this.queue.push(item);
    this.wake?.();
  }
  async *events(): AsyncGenerator<ClusterEvent> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const item = this.queue.shift()!;
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

function harness() {
  const snapshot = sampleSnapshot();
  const calls: string[] = [];
  const streams: Array<{ path: string; stream: ScriptedStream }> = [];
  let down = false;
  const api: FeedApi = {
    call: async <T>(_method: string, path: string) => {
      calls.push(path);
      if (down) throw new SwarmError('UNAVAILABLE', 'cannot reach the swarmts daemon');
      const answers: Record<string, unknown> = {
        '/v1/nodes': snapshot.nodes,
        '/v1/orchestration': snapshot.orchestration,
        '/v1/services': snapshot.services,
        '/v1/tasks': snapshot.tasks,
      };
      if (path.startsWith('/v1/nodes/')) return { ...snapshot.nodes[0], id: decodeURIComponent(path.slice(10)), capacity: { cpuMillicores: 1000, memoryBytes: 1024 } } as T;
      if (path.startsWith('/v1/services/')) return { ...snapshot.services[0], id: path.slice(13), spec: { resources: { reservations: { memoryBytes: 1 } } } } as T;
      return answers[path] as T;
    },
    stream: <T>(_method: string, path: string) => {
      const stream = new ScriptedStream();
      streams.push({ path, stream });
      return stream.events() as AsyncIterable<T>;
    },
  };
  let now = fixtureNowMs;
  const timers: Array<{ at: number; run: () => void; id: number }> = [];
  let nextId = 1;
  const clock: FeedClock = {
    nowMs: () => now,
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (id) => void timers.splice(0, timers.length, ...timers.filter((t) => t.id !== id)),
  };
  const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)); };
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.run();
    }
    await settle();
  };
  const feed = new ClusterFeed(api, clock);
  return { feed, calls, streams, advance, settle, setDown: (value: boolean) => (down = value), pendingTimers: () => timers.length };
}

const taskEvent: ClusterEvent = { type: 'task', action: 'running', service: 'web_web', taskId: 'tweb3', task: 'web_web.3', nodeId: nodeIds.a, message: '', time: fixtureNowMs + 1000 };

test('on start it follows events from backfillMs ago and fetches everything once, capacity and reservations included', async () => {
  const h = harness();
  h.feed.start();
  await h.settle();
  assert.is(h.streams[0]!.path, `/v1/events?since=${fixtureNowMs - defaultClusterFeedConfig().backfillMs}&usage=true`);
  assert.equal(h.feed.current().connection, { state: 'live' });
  const snapshot = h.feed.current().snapshot;
  assert.is(snapshot.nodes.length, 3);
  assert.equal(snapshot.capacity[nodeIds.c], { cpuMillicores: 1000, memoryBytes: 1024 });
  assert.equal(snapshot.reservations['svcweb'], { memoryBytes: 1 });
  assert.is(h.calls.filter((c) => c.startsWith('/v1/nodes/')).length, 3);
  h.feed.stop();
});

test('a burst of events refetches once after the debounce, only what they touched, and no details already known', async () => {
  const h = harness();
  h.feed.start();
  await h.settle();
  h.calls.length = 0;
  for (let i = 0; i < 3; i++) h.streams[0]!.stream.push({ ...taskEvent, time: taskEvent.time + i });
  await h.settle();
  assert.is(h.feed.current().snapshot.events.length, 3);
  assert.equal(h.calls, [], 'nothing before the quiet time');
  await h.advance(defaultClusterFeedConfig().debounceMs);
  assert.equal(h.calls.sort(), ['/v1/services', '/v1/tasks']);
  assert.equal(partsTouchedBy({ type: 'leader', leader: undefined, term: 3, time: 0 }), ['orchestration']);
  h.feed.stop();
});

test('node usage samples come on the event stream and update the nodes at once: nothing is fetched or polled, nothing shows in the feed', async () => {
  const h = harness();
  h.feed.start();
  await h.settle();
  assert.match(h.streams[0]!.path, /[?&]usage=true/);
  h.calls.length = 0;
  const eventsBefore = h.feed.current().snapshot.events.length;
  h.streams[0]!.stream.push({ type: 'usage', nodeId: nodeIds.a, cpuMillicores: 1234, memoryBytes: 5678, time: fixtureNowMs });
  await h.settle();
  await h.advance(60_000);
  const node = h.feed.current().snapshot.nodes.find((n) => n.id === nodeIds.a)!;
  assert.equal(node.usage, { cpuMillicores: 1234, memoryBytes: 5678, sampledAt: fixtureNowMs });
  assert.equal(h.calls, [], 'no fetch for a sample, and no poll in a minute');
  assert.is(h.feed.current().snapshot.events.length, eventsBefore, 'a sample is not an event of the feed');
  assert.equal(partsTouchedBy({ type: 'usage', nodeId: nodeIds.a, cpuMillicores: 1, memoryBytes: 1, time: 0 }), []);
  h.feed.stop();
  assert.is(h.pendingTimers(), 0);
});

test('when the daemon goes away it says so and reconnects with doubling backoff, from the last event seen', async () => {
  const h = harness();
  h.feed.start();
  await h.settle();
  h.streams[0]!.stream.push(taskEvent);
  h.setDown(true);
  h.streams[0]!.stream.push('end');
  await h.settle();
  const lost = h.feed.current().connection;
  assert.equal(lost, { state: 'lost', error: 'the daemon closed the event stream', retryAtMs: fixtureNowMs + 500 });
  await h.advance(500);
  assert.is(h.streams[1]!.path, `/v1/events?since=${taskEvent.time}&usage=true`);
  const again = h.feed.current().connection;
  assert.equal(again, { state: 'lost', error: 'cannot reach the swarmts daemon', retryAtMs: fixtureNowMs + 500 + 1000 });
  h.setDown(false);
  await h.advance(1000);
  assert.equal(h.feed.current().connection, { state: 'live' });
  assert.is(h.feed.current().snapshot.events.length, 1, 'the events seen before are kept');
  h.feed.stop();
  assert.is(h.pendingTimers(), 0);
});

test.run();
