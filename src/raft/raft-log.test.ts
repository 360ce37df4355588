import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStorage } from './log-storage.js';
import { RaftLog } from './raft-log.js';
import type { Entry } from './types.js';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array() });

/** A log of the given terms at indexes 1.., the first `stable` of them in storage. */
function logOf(terms: number[], stable = terms.length, storage = new MemoryStorage()): RaftLog {
  storage.append(terms.slice(0, stable).map((t, i) => e(i + 1, t)));
  const log = new RaftLog(storage, 1 << 20);
  log.append(terms.slice(stable).map((t, i) => e(stable + i + 1, t)));
  return log;
}

test('findConflictByTerm skips back to the last entry at or below the given term', () => {
  const cases: { terms: number[]; index: number; term: number; want: [number, number] }[] = [
    { terms: [1, 1, 2, 2, 4, 4], index: 6, term: 3, want: [4, 2] },
    { terms: [1, 1, 2, 2, 4, 4], index: 6, term: 4, want: [6, 4] },
    { terms: [1, 1, 2, 2, 4, 4], index: 6, term: 0, want: [0, 0] },
    { terms: [1, 1, 2, 2, 4, 4], index: 99, term: 5, want: [6, 4] },
    { terms: [], index: 3, term: 1, want: [0, 0] },
  ];
  for (const c of cases) {
    const got = logOf(c.terms, 3).findConflictByTerm(c.index, c.term);
    assert.equal([got.index, got.term], c.want, JSON.stringify(c));
  }
});

test('maybeAppend: rejects a mismatch, truncates a conflicting suffix, commits what the leader committed', () => {
  const log = logOf([1, 1, 2], 2);
  assert.is(log.maybeAppend(3, 3, 3, [e(4, 3)]), undefined, 'term at 3 is 2, not 3');
  assert.is(log.maybeAppend(2, 1, 3, [e(3, 3), e(4, 3)]), 4);
  assert.equal([log.lastIndex(), log.term(3), log.committed], [4, 3, 3]);
  assert.is(log.maybeAppend(1, 1, 9, []), 1, 'an empty append vouches only for its own index');
  assert.is(log.committed, 3);
});

test('an entry may never replace a committed one', () => {
  const log = logOf([1, 1, 1]);
  log.commitTo(3);
  assert.throws(() => log.maybeAppend(1, 1, 3, [e(2, 2)]), /conflicts with a committed entry/);
});

test('slice joins storage and the unstable suffix; stableTo moves the boundary', () => {
  const storage = new MemoryStorage();
  const log = logOf([1, 1, 2, 2], 2, storage);
  assert.equal(log.slice(1, 5).map((x) => x.index), [1, 2, 3, 4]);
  storage.append(log.unstable());
  log.stableTo(4, 2);
  assert.equal(log.unstable(), []);
  log.stableTo(4, 9);
  assert.equal(log.slice(3, 5).map((x) => x.term), [2, 2]);
});

test('isUpToDate compares last term first, then length', () => {
  const log = logOf([1, 2, 2]);
  const cases: [number, number, boolean][] = [[3, 2, true], [4, 2, true], [2, 2, false], [1, 3, true], [9, 1, false]];
  for (const [index, term, want] of cases) assert.is(log.isUpToDate(index, term), want, `${index}/${term}`);
});

test.run();
