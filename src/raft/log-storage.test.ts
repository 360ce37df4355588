import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { limitSize, MemoryStorage } from './log-storage.js';
import type { Entry } from './types.js';

const e = (index: number, term: number, data = ''): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(data) });
const indexes = (es: Entry[]) => es.map((x) => `${x.index}/${x.term}`);

test('append replaces a conflicting suffix and skips compacted entries', () => {
  const cases: { name: string; append: Entry[]; want: string[] }[] = [
    { name: 'at the end', append: [e(4, 2)], want: ['2/1', '3/1', '4/2'] },
    { name: 'overwrites from 3', append: [e(3, 2), e(4, 2)], want: ['2/1', '3/2', '4/2'] },
    { name: 'overlaps the compacted prefix', append: [e(1, 1), e(2, 1), e(3, 3)], want: ['2/1', '3/3'] },
    { name: 'entirely compacted', append: [e(0, 0), e(1, 1)], want: ['2/1', '3/1'] },
    { name: 'empty', append: [], want: ['2/1', '3/1'] },
  ];
  for (const c of cases) {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 1)]);
    s.compact(1);
    s.append(c.append);
    assert.equal(indexes(s.entries(s.firstIndex(), s.lastIndex() + 1)), c.want, c.name);
  }
});

test('append refuses a gap after the end', () => {
  const s = new MemoryStorage();
  assert.throws(() => s.append([e(2, 1)]), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT'));
});

test('term and entries refuse indexes outside the log, including the compacted prefix', () => {
  const s = new MemoryStorage();
  s.append([e(1, 1), e(2, 2), e(3, 3)]);
  s.compact(2);
  assert.is(s.term(2), 2, 'the compaction point keeps its term');
  assert.is(s.term(3), 3);
  for (const bad of [1, 4]) assert.throws(() => s.term(bad), (err: unknown) => isSwarmError(err, 'NOT_FOUND'), `term(${bad})`);
  assert.throws(() => s.entries(2, 4), (err: unknown) => isSwarmError(err, 'NOT_FOUND'));
  assert.throws(() => s.entries(3, 5), (err: unknown) => isSwarmError(err, 'NOT_FOUND'));
  assert.equal(indexes(s.entries(3, 4)), ['3/3']);
  assert.equal(s.entries(3, 3), []);
});

test('entries honours bytesMax but always returns one entry', () => {
  const es = [e(1, 1, 'aaaa'), e(2, 1, 'bbbb'), e(3, 1, 'cccc')];
  const cases: [number | undefined, number][] = [[undefined, 3], [0, 1], [20, 1], [40, 2], [1000, 3]];
  for (const [max, want] of cases) assert.is(limitSize(es, max).length, want, `bytesMax ${max}`);
});

test('snapshots: an older one is refused, create needs a newer index within the log', () => {
  const s = new MemoryStorage();
  s.append([e(1, 1), e(2, 1), e(3, 2)]);
  const cs = { voters: ['1'], learners: [] };
  const snap = s.createSnapshot(2, cs, new Uint8Array([7]));
  assert.equal([snap.meta.index, snap.meta.term], [2, 1]);
  assert.throws(() => s.createSnapshot(2, cs, new Uint8Array()), (err: unknown) => isSwarmError(err, 'CONFLICT'));
  assert.throws(() => s.createSnapshot(9, cs, new Uint8Array()), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT'));
  s.applySnapshot({ meta: { index: 10, term: 4, confState: cs }, data: new Uint8Array() });
  assert.equal([s.firstIndex(), s.lastIndex(), s.term(10)], [11, 10, 4]);
  assert.throws(() => s.applySnapshot(snap), (err: unknown) => isSwarmError(err, 'CONFLICT'));
});

test('random appends and compactions agree with a plain array model', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  const s = new MemoryStorage();
  let model: Entry[] = [];
  let offset = 0;
  for (let step = 0; step < 2000; step++) {
    const last = offset + model.length;
    if (random.chance(0.1) && last > offset) {
      const at = random.intBetween(offset, last);
      s.compact(at);
      model = model.slice(at - offset);
      offset = at;
      if (model.length > 0 && model[0]!.index === offset) model = model.slice(1);
    } else {
      const from = random.intBetween(Math.max(1, offset + 1), last + 1);
      const batch = Array.from({ length: random.intBetween(1, 4) }, (_, i) => e(from + i, step));
      s.append(batch);
      model = model.slice(0, from - offset - 1).concat(batch);
    }
    assert.is(s.lastIndex(), offset + model.length, `seed ${seed} step ${step}`);
    assert.is(s.firstIndex(), offset + 1, `seed ${seed} step ${step}`);
    if (model.length > 0) assert.equal(indexes(s.entries(offset + 1, offset + model.length + 1)), indexes(model), `seed ${seed} step ${step}`);
  }
});

test.run();
