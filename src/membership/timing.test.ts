import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  expectedConfirmations,
  pushPullIntervalScaledMs,
  remainingSuspicionMs,
  retransmitLimit,
  suspicionTimeoutMinMs,
} from './timing.js';

test('suspicion minimum grows with log10 N, with a floor of one for small clusters (memberlist table)', () => {
  const cases: [members: number, expectedMs: number][] = [
    [-3, 1000], [0, 1000], [1, 1000], [5, 1000], [10, 1000], [50, 1698], [100, 2000], [500, 2698], [1000, 3000],
  ];
  for (const [members, expectedMs] of cases) {
    assert.is(suspicionTimeoutMinMs(1, members, 1000), expectedMs, `N=${members}`);
  }
  assert.is(suspicionTimeoutMinMs(4, 50, 1000), 6795);
});

test('suspicion timeout falls from max to min as confirmations arrive (memberlist table)', () => {
  const cases: [confirmations: number, expected: number, elapsedMs: number, remaining: number][] = [
    [0, 3, 0, 30_000],
    [1, 3, 2000, 14_000],
    [2, 3, 3000, 4810],
    [3, 3, 4000, -2000],
    [4, 3, 5000, -3000],
    [5, 3, 10_000, -8000],
    [0, 0, 0, 2000],
    [3, 0, 500, 1500],
  ];
  for (const [confirmations, expected, elapsedMs, remaining] of cases) {
    assert.is(remainingSuspicionMs(confirmations, expected, elapsedMs, 2000, 30_000), remaining, `n=${confirmations} k=${expected}`);
  }
});

test('confirmations awaited are suspicionMult - 2, or none in a cluster too small to give them', () => {
  const cases: [mult: number, members: number, expected: number][] = [
    [4, 1, 0], [4, 3, 0], [4, 4, 2], [4, 300, 2], [5, 5, 3], [5, 4, 0], [1, 100, 0], [2, 100, 0],
  ];
  for (const [mult, members, expected] of cases) assert.is(expectedConfirmations(mult, members), expected, `mult=${mult} N=${members}`);
});

test('retransmit limit is mult * ceil(log10(N + 1)) and never below mult', () => {
  const cases: [members: number, limit: number][] = [[0, 3], [1, 3], [9, 3], [10, 6], [99, 6], [100, 9], [300, 9]];
  for (const [members, limit] of cases) assert.is(retransmitLimit(3, members), limit, `N=${members}`);
});

test('push-pull interval stretches with log2 N beyond 32 members (memberlist pushPullScale)', () => {
  for (let n = 0; n <= 32; n++) assert.is(pushPullIntervalScaledMs(1000, n), 1000, `N=${n}`);
  for (let n = 33; n <= 64; n++) assert.is(pushPullIntervalScaledMs(1000, n), 2000, `N=${n}`);
  for (let n = 65; n <= 128; n++) assert.is(pushPullIntervalScaledMs(1000, n), 3000, `N=${n}`);
  assert.is(pushPullIntervalScaledMs(1000, 300), 5000);
});

test.run();
