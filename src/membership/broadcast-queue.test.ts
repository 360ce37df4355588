import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { BroadcastQueue } from './broadcast-queue.js';
import type { MemberUpdate } from './messages.js';

const suspect = (id: string, incarnation = 0): MemberUpdate => ({ kind: 'suspect', id, incarnation, from: 'x' });

test('each update goes out transmitLimit times, then leaves the queue', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('a'));
  for (let i = 0; i < 3; i++) assert.equal(q.take(10, 3), [suspect('a')], `take ${i}`);
  assert.equal(q.take(10, 3), []);
  assert.is(q.size(), 0);
});

test('least-sent updates go first, newest first among equals, at most countMax per message', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('a'));
  q.enqueue(suspect('b'));
  assert.equal(q.take(1, 5), [suspect('b')]);
  q.enqueue(suspect('c'));
  assert.equal(q.take(2, 5), [suspect('c'), suspect('a')]);
  assert.equal(q.take(0, 5), []);
});

test('a newer update about a member replaces the queued one and starts its count over', () => {
  const q = new BroadcastQueue();
  q.enqueue(suspect('a', 1));
  q.take(1, 2);
  q.enqueue(suspect('a', 2));
  assert.is(q.size(), 1);
  assert.equal(q.take(5, 2), [suspect('a', 2)]);
  assert.equal(q.take(5, 2), [suspect('a', 2)]);
  assert.equal(q.take(5, 2), []);
});

test('a member updated many times is sent only in its newest form', () => {
  const q = new BroadcastQueue();
  for (let i = 0; i < 1000; i++) {
    q.enqueue(suspect('a', i));
    q.enqueue(suspect(`b${i % 10}`, i));
  }
  assert.is(q.size(), 11);
  const sent = q.take(100, 1);
  assert.is(sent.length, 11);
  assert.ok(sent.some((u) => u.kind === 'suspect' && u.id === 'a' && u.incarnation === 999));
  assert.is(q.size(), 0);
});

test('take matches a model ordered by transmits, then most recently queued or sent, for any history', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  for (let round = 0; round < 200; round++) {
    const q = new BroadcastQueue();
    let model: { id: string; transmits: number; touched: number }[] = [];
    let clock = 0;
    for (let op = 0; op < 80; op++) {
      if (random.chance(0.5)) {
        const id = `n${random.int(12)}`;
        q.enqueue(suspect(id));
        model = model.filter((m) => m.id !== id);
        model.push({ id, transmits: 0, touched: clock++ });
      } else {
        const countMax = random.intBetween(0, 5);
        const limit = random.intBetween(1, 4);
        // Like memberlist, an update over a (since lowered) limit is dropped only when reached.
        const expected: typeof model = [];
        for (const m of [...model].sort((a, b) => a.transmits - b.transmits || b.touched - a.touched)) {
          if (expected.length === countMax) break;
          if (m.transmits >= limit) model = model.filter((other) => other !== m);
          else expected.push(m);
        }
        for (const m of [...expected].reverse()) {
          m.transmits++;
          m.touched = clock++;
        }
        model = model.filter((m) => !expected.includes(m) || m.transmits < limit);
        const got = q.take(countMax, limit).map((u) => (u.kind === 'alive' ? u.meta.id : u.id));
        assert.equal(got, expected.map((m) => m.id), `seed ${seed} round ${round} op ${op}`);
      }
    }
  }
});

test.run();
