import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Inflights, Progress } from './progress.js';

test('inflights frees acknowledged messages and wraps around its ring', () => {
  const inf = new Inflights(3);
  for (let round = 0; round < 5; round++) {
    const base = round * 10;
    inf.add(base + 1);
    inf.add(base + 2);
    inf.add(base + 3);
    assert.ok(inf.full());
    inf.freeLE(base + 2);
    assert.is(inf.length(), 1);
    inf.freeFirstOne();
    assert.is(inf.length(), 0);
  }
  assert.throws(() => new Inflights(0), /at least 1/);
});

test('maybeDecrTo ignores stale rejections and uses the hint in probe', () => {
  const cases: { state: 'probe' | 'replicate'; match: number; next: number; rejected: number; hint: number; ok: boolean; want: number }[] = [
    { state: 'replicate', match: 5, next: 9, rejected: 5, hint: 0, ok: false, want: 9 },
    { state: 'replicate', match: 5, next: 9, rejected: 7, hint: 0, ok: true, want: 6 },
    { state: 'probe', match: 0, next: 10, rejected: 8, hint: 3, ok: false, want: 10 },
    { state: 'probe', match: 0, next: 10, rejected: 9, hint: 3, ok: true, want: 4 },
    { state: 'probe', match: 5, next: 10, rejected: 9, hint: 2, ok: true, want: 6 },
    { state: 'probe', match: 0, next: 1, rejected: 0, hint: 0, ok: true, want: 1 },
  ];
  for (const c of cases) {
    const pr = new Progress(c.next, 4, false);
    pr.match = c.match;
    pr.state = c.state;
    assert.is(pr.maybeDecrTo(c.rejected, c.hint), c.ok, JSON.stringify(c));
    assert.is(pr.next, c.want, JSON.stringify(c));
  }
});

test('pausing: one probe at a time, a full pipeline, always while a snapshot is pending', () => {
  const pr = new Progress(1, 2, false);
  assert.not.ok(pr.isPaused());
  pr.probeSent = true;
  assert.ok(pr.isPaused());
  pr.maybeUpdate(3);
  assert.not.ok(pr.isPaused(), 'an ack ends the probe');
  pr.becomeReplicate();
  pr.inflights.add(4);
  pr.inflights.add(5);
  assert.ok(pr.isPaused());
  pr.becomeSnapshot(9);
  assert.ok(pr.isPaused());
  pr.becomeProbe();
  assert.is(pr.next, 10, 'after a snapshot, probing resumes past it');
  pr.becomeSnapshot(9);
  pr.snapshotTimedOut();
  assert.is(pr.next, 4, 'after a lost snapshot, probing resumes at match+1');
});

test.run();
