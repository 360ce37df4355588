import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualTimers } from '../../agent/timers.js';
import { ManualClock } from '../../core/clock.js';
import { isSwarmError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { GossipHandler, GossipTopicStats } from '../../p2p/gossip-topic.js';
import type { HostUsage } from './host-usage.js';
import { NodeUsageBoard, decodeNodeUsageGossip, type NodeUsageGossip } from './usage-board.js';
import { NodeUsageSpreader, defaultNodeUsageSpreaderConfig, validateNodeUsageSpreaderConfig, type NodeUsageTopic } from './usage-spreader.js';

test('decodeNodeUsageGossip keeps only the known fields and refuses bad figures, naming the field', () => {
  const good = { v: 1, cpuMillicores: 420, memoryBytes: 310 * 1024 ** 2, sampledAt: 1_764_400_000_000 };
  assert.equal(decodeNodeUsageGossip({ ...good, extra: 'dropped' }), good);
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['cpu missing', { ...good, cpuMillicores: undefined }, 'cpuMillicores'],
    ['cpu negative', { ...good, cpuMillicores: -1 }, 'cpuMillicores'],
    ['cpu fractional', { ...good, cpuMillicores: 0.5 }, 'cpuMillicores'],
    ['cpu absurd', { ...good, cpuMillicores: 1e12 }, 'cpuMillicores'],
    ['memory a string', { ...good, memoryBytes: '1G' }, 'memoryBytes'],
    ['memory NaN', { ...good, memoryBytes: Number.NaN }, 'memoryBytes'],
    ['sampledAt zero', { ...good, sampledAt: 0 }, 'sampledAt'],
    ['sampledAt infinite', { ...good, sampledAt: Number.POSITIVE_INFINITY }, 'sampledAt'],
  ];
  for (const [name, value, field] of bad) {
    try {
      decodeNodeUsageGossip(value);
      assert.unreachable(name);
    } catch (err) {
      assert.ok(isSwarmError(err, 'MALFORMED_MESSAGE'), name);
      assert.match((err as Error).message, `/swarmts/node-usage/1: ${field}:`, name);
    }
  }
});

test('the board answers while a sample is fresh, forgets stale ones when full, and refuses a new node past nodesMax', () => {
  const board = new NodeUsageBoard({ staleAfterMs: 15_000, nodesMax: 2 });
  const usage = (cpuMillicores: number): HostUsage => ({ cpuMillicores, memoryBytes: 1, sampledAt: 1 });
  assert.ok(board.record('a', usage(1), 0));
  assert.ok(board.record('b', usage(2), 10_000));
  assert.equal(board.usageOf('a', 15_000), usage(1), 'exactly staleAfterMs old is still fresh');
  assert.is(board.usageOf('a', 15_001), undefined);
  assert.is(board.record('c', usage(3), 20_000), true, 'a is stale and makes room');
  assert.is(board.size, 2);
  assert.is(board.record('d', usage(4), 21_000), false, 'b and c are fresh');
  assert.ok(board.record('b', usage(5), 21_000), 'a known node is always updated');
  assert.equal(board.usageOf('b', 21_000), usage(5));
});

test('validateNodeUsageSpreaderConfig refuses periods that make every sample stale', () => {
  assert.equal(validateNodeUsageSpreaderConfig(defaultNodeUsageSpreaderConfig()), []);
  const problems = validateNodeUsageSpreaderConfig({ ...defaultNodeUsageSpreaderConfig(), sampleIntervalMs: 10, staleAfterMs: 5000, nodesMax: 0 });
  assert.equal(problems.map((p) => p.split(':')[0]), ['sampleIntervalMs', 'staleAfterMs', 'nodesMax']);
});

/** An in-process topic: what one node publishes reaches the others' handlers, signed by its id. */
class MemoryUsageTopic implements NodeUsageTopic {
  readonly published: NodeUsageGossip[] = [];
  private readonly handlers = new Set<GossipHandler<NodeUsageGossip>>();
  started = false;
  failNext = false;
  start(): void { this.started = true; }
  stop(): void { this.started = false; }
  async publish(message: NodeUsageGossip): Promise<unknown> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('no peers');
    }
    this.published.push(message);
    return [];
  }
  subscribe(handler: GossipHandler<NodeUsageGossip>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  deliver(message: NodeUsageGossip, from: string): void {
    for (const handler of this.handlers) handler(message, from);
  }
  stats(): GossipTopicStats {
    return { published: this.published.length, delivered: 0, rejectedMalformed: 0, rejectedVersion: 0, rejectedSender: 0, rejectedTooLarge: 0, handlerErrors: 0 };
  }
}

function harness() {
  const clock = new ManualClock(0);
  const timers = new ManualTimers(clock);
  const topic = new MemoryUsageTopic();
  let n = 0;
  let failing = false;
  const sampler = {
    async sample(): Promise<HostUsage | undefined> {
      if (failing) throw new Error('/proc/stat: gone');
      n++;
      return n === 1 ? undefined : { cpuMillicores: n * 100, memoryBytes: n * 1024, sampledAt: 1_764_400_000_000 + clock.nowMs() };
    },
  };
  const spreader = new NodeUsageSpreader({ selfId: 'self', sampler, topic, timers, clock, logger: silentLogger() });
  return { clock, timers, topic, spreader, setFailing: (value: boolean) => (failing = value) };
}

test('a node measures every 2.5 s, publishes its newest sample every 5 s, and knows its own figure', async () => {
  const h = harness();
  h.spreader.start();
  await h.timers.advance(0);
  assert.ok(h.topic.started);
  assert.is(h.spreader.usageOf('self'), undefined, 'the first reading only primes');
  await h.timers.advance(2500);
  assert.equal(h.topic.published.map((m) => m.cpuMillicores), [200], 'published at once');
  assert.equal(h.spreader.usageOf('self'), { cpuMillicores: 200, memoryBytes: 2048, sampledAt: 1_764_400_002_500 });
  await h.timers.advance(2500);
  assert.equal(h.topic.published.map((m) => m.cpuMillicores), [200], 'not again within the period');
  assert.is(h.spreader.usageOf('self')!.cpuMillicores, 300, 'but measured');
  await h.timers.advance(2500);
  await h.timers.advance(5000);
  assert.equal(h.topic.published.map((m) => m.cpuMillicores), [200, 400, 600], 'every period afresh, the newest sample');
  assert.equal(h.topic.published[0], { v: 1, cpuMillicores: 200, memoryBytes: 2048, sampledAt: 1_764_400_002_500 });
  h.spreader.stop();
  assert.is(h.timers.pendingCount, 0);
  assert.not.ok(h.topic.started);
});

test('others\' samples are kept by author and shown as unknown after three missed periods; its own echo is ignored', async () => {
  const h = harness();
  h.spreader.start();
  await h.timers.advance(0);
  const sample = { v: 1 as const, cpuMillicores: 1500, memoryBytes: 1024 ** 3, sampledAt: 1_764_399_999_000 };
  h.topic.deliver(sample, 'peer-b');
  h.topic.deliver({ ...sample, cpuMillicores: 9999 }, 'self');
  assert.equal(h.spreader.usageOf('peer-b'), { cpuMillicores: 1500, memoryBytes: 1024 ** 3, sampledAt: 1_764_399_999_000 });
  assert.is(h.spreader.usageOf('self'), undefined, 'gossip never overrides the node\'s own measurement');
  await h.timers.advance(15_000);
  assert.ok(h.spreader.usageOf('peer-b') !== undefined, '15 s: still fresh');
  await h.timers.advance(1);
  assert.is(h.spreader.usageOf('peer-b'), undefined, 'stale');
  assert.is(h.spreader.usageOf('peer-unknown'), undefined);
  h.spreader.stop();
});

test('a failing measurement or publication is counted and the loop goes on; a node that stops measuring goes stale', async () => {
  const h = harness();
  h.spreader.start();
  await h.timers.advance(2500);
  h.topic.failNext = true;
  await h.timers.advance(5000);
  assert.equal(h.spreader.stats().publishErrors, 1);
  h.setFailing(true);
  await h.timers.advance(15_001);
  assert.equal(h.spreader.stats().sampleErrors, 6, 'every 2.5 s');
  assert.is(h.spreader.usageOf('self'), undefined, 'its own figure went stale too');
  h.setFailing(false);
  await h.timers.advance(2500);
  assert.ok(h.spreader.usageOf('self') !== undefined, 'back once /proc reads again');
  assert.is(h.timers.pendingCount, 1, 'one measurement scheduled at a time');
  h.spreader.stop();
});

test.run();
