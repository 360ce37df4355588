import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Awareness } from './awareness.js';
import { Suspicion } from './suspicion.js';

test('a suspicion starts at max and reaches min after the expected confirmations', () => {
  const s = new Suspicion(4, 'a', 3, 2000, 30_000, 1000);
  assert.is(s.deadlineMs, 31_000);
  assert.ok(s.confirm('b', 3000));
  assert.is(s.deadlineMs, 3000 + 14_000);
  assert.ok(s.confirm('c', 4000));
  assert.is(s.deadlineMs, 1000 + 7810);
  assert.ok(s.confirm('d', 5000));
  assert.is(s.deadlineMs, 1000 + 2000);
});

test('a suspicion ignores repeated and surplus confirmations', () => {
  const s = new Suspicion(0, 'a', 2, 1000, 6000, 0);
  assert.not.ok(s.confirm('a', 10), 'the original suspector does not confirm itself');
  assert.ok(s.confirm('b', 10));
  assert.not.ok(s.confirm('b', 20), 'one member confirms once');
  assert.ok(s.confirm('c', 30));
  assert.not.ok(s.confirm('d', 40), 'beyond the expected count nothing changes');
  assert.is(s.deadlineMs, 1000);
});

test('a suspicion awaiting no confirmations runs for the minimum', () => {
  const s = new Suspicion(0, 'a', 0, 1000, 6000, 500);
  assert.is(s.deadlineMs, 1500);
  assert.not.ok(s.confirm('b', 600));
});

test('the health score rises with trouble, falls with success, and stays within bounds', () => {
  const a = new Awareness(8);
  assert.is(a.scaleMs(500), 500);
  a.apply(-1);
  assert.is(a.health(), 0, 'never below zero');
  a.apply(3);
  assert.is(a.health(), 3);
  assert.is(a.scaleMs(500), 2000);
  a.apply(100);
  assert.is(a.health(), 7, 'capped at max - 1');
  assert.is(a.scaleMs(1000), 8000);
  a.apply(-2);
  assert.is(a.health(), 5);
  const flat = new Awareness(1);
  flat.apply(5);
  assert.is(flat.scaleMs(1000), 1000, 'a maximum of 1 disables scaling');
});

test.run();
