import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, RealClock } from './clock.js';

test('manual clock moves only when advanced and never backwards', () => {
  const clock = new ManualClock(100);
  assert.is(clock.nowMs(), 100);
  clock.advance(50);
  assert.is(clock.nowMs(), 150);
  clock.set(200);
  assert.is(clock.nowMs(), 200);
  assert.throws(() => clock.advance(-1), /expected ms >= 0/);
  assert.throws(() => clock.set(199), /before now/);
});

test('real clock is monotonic', () => {
  const clock = new RealClock();
  let last = clock.nowMs();
  for (let i = 0; i < 1000; i++) {
    const now = clock.nowMs();
    assert.ok(now >= last);
    last = now;
  }
});

test.run();
