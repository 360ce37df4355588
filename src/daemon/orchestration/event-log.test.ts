import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterEvent } from '../api-orchestration.js';
import { EventLog } from './event-log.js';

async function take(events: AsyncIterable<ClusterEvent>, count: number): Promise<ClusterEvent[]> {
  const taken: ClusterEvent[] = [];
  for await (const event of events) {
    taken.push(event);
    if (taken.length === count) break;
  }
  return taken;
}

test('usage samples reach only the followers that asked for them, and are never kept for later followers', async () => {
  const log = new EventLog();
  const abort = new AbortController();
  const leader: ClusterEvent = { type: 'leader', leader: 'a', term: 2, time: 10 };
  const usage: ClusterEvent = { type: 'usage', nodeId: 'a', cpuMillicores: 500, memoryBytes: 1024, time: 11 };
  const withUsage = take(log.follow(0, abort.signal, true), 2);
  const without = take(log.follow(0, abort.signal), 1);
  await Promise.resolve();
  log.announce(usage);
  log.add(leader);
  assert.equal(await withUsage, [usage, leader]);
  assert.equal(await without, [leader]);
  assert.equal(await take(log.follow(0, abort.signal, true), 1), [leader], 'a later follower gets the history, without the sample');
  abort.abort();
});

test.run();
