import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Entry } from '../raft/types.js';
import { InvariantViolation, RaftInvariants, type LogView } from './raft-invariants.js';

function entry(index: number, term: number, text = `e${index}.${term}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

function log(entries: Entry[], snapshotIndex = 0, snapshotTerm = 0): LogView {
  return {
    firstIndex: () => snapshotIndex + 1,
    lastIndex: () => entries.at(-1)?.index ?? snapshotIndex,
    term: (i) => (i === snapshotIndex ? snapshotTerm : entries.find((e) => e.index === i)?.term ?? -1),
  };
}

function violates(invariant: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, InvariantViolation);
    assert.is((err as InvariantViolation).invariant, invariant, (err as Error).message);
    return;
  }
  assert.unreachable(`expected a ${invariant} violation`);
}

test('two leaders in one term break election safety; one leader per term does not', () => {
  const inv = new RaftInvariants();
  inv.observeLeader('n1', 1);
  inv.observeLeader('n1', 1);
  inv.observeLeader('n2', 2);
  violates('election safety', () => inv.observeLeader('n3', 2));
});

test('the same index and term with other data, or another predecessor, break log matching', () => {
  const inv = new RaftInvariants();
  inv.observeAppend('n1', [entry(1, 1), entry(2, 1), entry(3, 2)], 0);
  inv.observeAppend('n2', [entry(2, 1), entry(3, 2)], 1);
  inv.observeAppend('n3', [entry(3, 2)], undefined);
  violates('log matching', () => inv.observeAppend('n2', [entry(3, 2, 'other')], 1));
  violates('log matching', () => inv.observeAppend('n3', [entry(3, 2)], 3));
  violates('log matching', () => inv.observeAppend('n3', [entry(4, 1)], 2));
});

test('a committed entry committed again differently breaks state machine safety', () => {
  const inv = new RaftInvariants();
  inv.observeCommitted('n1', [entry(1, 1), entry(2, 1)]);
  inv.observeCommitted('n2', [entry(1, 1)]);
  assert.is(inv.commitIndex(), 2);
  violates('state machine safety', () => inv.observeCommitted('n3', [entry(2, 2)]));
});

test('replicas with different state at one index break state machine safety', () => {
  const inv = new RaftInvariants();
  inv.observeApplied('n1', 5, 1234);
  inv.observeApplied('n2', 5, 1234);
  violates('state machine safety', () => inv.observeApplied('n3', 5, 999));
});

test('a leader missing a committed entry breaks leader completeness', () => {
  const inv = new RaftInvariants();
  inv.observeCommitted('n1', [entry(1, 1), entry(2, 1), entry(3, 2)]);
  inv.checkLeaderCompleteness('n1', 3, log([entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3)]));
  inv.checkLeaderCompleteness('n2', 3, log([entry(3, 2)], 2, 1));
  violates('leader completeness', () => inv.checkLeaderCompleteness('n3', 3, log([entry(1, 1), entry(2, 1)])));
  violates('leader completeness', () => inv.checkLeaderCompleteness('n3', 3, log([entry(1, 1), entry(2, 1), entry(3, 3)])));
});

test('a restart that lost or changed committed entries breaks durability', () => {
  const inv = new RaftInvariants();
  inv.observeCommitted('n1', [entry(1, 1), entry(2, 1)]);
  inv.checkReloaded('n1', 2, 0, [entry(1, 1), entry(2, 1), entry(3, 9, 'uncommitted tail')]);
  inv.checkReloaded('n1', 2, 2, []);
  violates('durability', () => inv.checkReloaded('n1', 2, 0, [entry(1, 1)]));
  violates('durability', () => inv.checkReloaded('n1', 2, 0, [entry(1, 1), entry(2, 2)]));
});

test.run();
