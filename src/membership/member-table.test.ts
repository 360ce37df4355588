import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { MemberTable } from './member-table.js';
import { testMeta } from './test-fixtures.js';
import type { MemberStatus } from './types.js';

const row = (id: string, status: MemberStatus) => ({ meta: testMeta(id), status, incarnation: 0, statusChangedMs: 0 });

test('the live count follows every write and delete, and leaves this node out', () => {
  const t = new MemberTable('self');
  t.set('self', row('self', 'alive'));
  t.set('a', row('a', 'alive'));
  t.set('b', row('b', 'suspect'));
  t.set('c', row('c', 'dead'));
  assert.is(t.livePeerCount(), 2);
  t.set('a', row('a', 'left'));
  t.set('c', row('c', 'alive'));
  assert.is(t.livePeerCount(), 2);
  t.delete('b');
  t.delete('self');
  assert.is(t.livePeerCount(), 1);
  assert.equal([...t.peers()].sort(), ['a', 'c']);
  assert.ok(t.get('self'), 'this node is never removed');
});

test('sampling returns distinct accepted peers, and fewer when few qualify', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  const t = new MemberTable('self');
  for (let i = 0; i < 20; i++) t.set(`p${i}`, row(`p${i}`, i < 2 ? 'alive' : 'dead'));
  for (let round = 0; round < 50; round++) {
    const all = t.sample(5, random, () => true);
    assert.is(new Set(all).size, 5, `seed ${seed}`);
    const alive = t.sample(5, random, (_, e) => e.status === 'alive');
    assert.ok(alive.length <= 2 && alive.every((id) => id === 'p0' || id === 'p1'), `seed ${seed}: ${alive}`);
  }
  assert.equal(new MemberTable('x').sample(3, random, () => true), []);
});

test.run();
