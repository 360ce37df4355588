import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from './random.js';

test('the same seed gives the same sequence', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const seqA = Array.from({ length: 100 }, () => a.nextUint32());
  const seqB = Array.from({ length: 100 }, () => b.nextUint32());
  assert.equal(seqA, seqB);
});

test('nearby seeds give unrelated sequences', () => {
  const a = new SeededRandom(1);
  const b = new SeededRandom(2);
  const same = Array.from({ length: 100 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean).length;
  assert.ok(same < 3, `${same} of 100 values equal`);
});

test('int stays in range and covers it roughly evenly', () => {
  const r = new SeededRandom(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) counts[r.int(10)]++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `bucket count ${c}`);
});

test('int and intBetween reject bad bounds', () => {
  const r = new SeededRandom(1);
  assert.throws(() => r.int(0), /positive integer/);
  assert.throws(() => r.int(2.5), /positive integer/);
  assert.throws(() => r.intBetween(5, 4), /max 4 < min 5/);
  assert.throws(() => r.pick([]), /empty array/);
});

test('shuffle is a permutation and fork is independent yet deterministic', () => {
  const r = new SeededRandom(9);
  const shuffled = r.shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal([...shuffled].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  const f1 = new SeededRandom(5).fork();
  const f2 = new SeededRandom(5).fork();
  assert.is(f1.float(), f2.float());
});

test.run();
