import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MemberUpdate } from './messages.js';
import { judgeUpdate, metaEqual, stateToUpdate, statusAfter, type KnownState, type Verdict } from './precedence.js';
import { testMeta } from './test-fixtures.js';
import type { MemberStatus } from './types.js';

const meta = testMeta('b');
const known = (status: MemberStatus, incarnation: number): KnownState => ({ status, incarnation, meta });
const alive = (incarnation: number, m = meta): MemberUpdate => ({ kind: 'alive', incarnation, meta: m });
const suspect = (incarnation: number): MemberUpdate => ({ kind: 'suspect', id: 'b', incarnation, from: 'c' });
const dead = (incarnation: number): MemberUpdate => ({ kind: 'dead', id: 'b', incarnation, from: 'c' });
const left = (incarnation: number): MemberUpdate => ({ kind: 'dead', id: 'b', incarnation, from: 'b' });

test('updates about another member follow memberlist precedence', () => {
  const cases: [string, KnownState | undefined, MemberUpdate, Verdict][] = [
    ['a stranger alive is added', undefined, alive(0), 'apply'],
    ['a stranger suspect is ignored', undefined, suspect(3), 'ignore'],
    ['a stranger dead is ignored', undefined, dead(3), 'ignore'],
    ['alive at a higher incarnation wins over alive', known('alive', 1), alive(2), 'apply'],
    ['alive at the same incarnation is old news', known('alive', 1), alive(1), 'ignore'],
    ['alive at the same incarnation does not clear a suspicion', known('suspect', 1), alive(1), 'ignore'],
    ['alive at a higher incarnation clears a suspicion', known('suspect', 1), alive(2), 'apply'],
    ['alive at the same incarnation does not resurrect the dead', known('dead', 4), alive(4), 'ignore'],
    ['alive at a higher incarnation brings the dead back', known('dead', 4), alive(5), 'apply'],
    ['alive at a higher incarnation brings a left member back', known('left', 4), alive(5), 'apply'],
    ['an older alive is ignored', known('alive', 4), alive(3), 'ignore'],
    ['suspect at the same incarnation beats alive', known('alive', 1), suspect(1), 'apply'],
    ['suspect at a higher incarnation beats alive', known('alive', 1), suspect(2), 'apply'],
    ['an older suspect is ignored', known('alive', 2), suspect(1), 'ignore'],
    ['a second suspect confirms', known('suspect', 2), suspect(2), 'confirm'],
    ['a suspect at a higher incarnation restarts the suspicion instead', known('suspect', 2), suspect(3), 'apply'],
    ['suspect does not touch the dead', known('dead', 2), suspect(2), 'ignore'],
    ['suspect does not touch a left member', known('left', 2), suspect(3), 'ignore'],
    ['dead at the same incarnation beats alive', known('alive', 2), dead(2), 'apply'],
    ['dead at the same incarnation beats suspect', known('suspect', 2), dead(2), 'apply'],
    ['an older dead is ignored', known('suspect', 2), dead(1), 'ignore'],
    ['dead twice is ignored', known('dead', 2), dead(3), 'ignore'],
    ['a leave beats alive', known('alive', 2), left(2), 'apply'],
    ['a leave after death changes nothing', known('dead', 2), left(2), 'ignore'],
  ];
  for (const [name, state, update, verdict] of cases) {
    assert.is(judgeUpdate(state, update, false, false), verdict, name);
  }
});

test('updates about this node are refuted unless stale, identical, or it has left', () => {
  const self = known('alive', 3);
  const cases: [string, KnownState, MemberUpdate, boolean, Verdict][] = [
    ['suspected at our incarnation: refute', self, suspect(3), false, 'refute'],
    ['suspected at an older incarnation: already refuted', self, suspect(2), false, 'ignore'],
    ['declared dead: refute', self, dead(3), false, 'refute'],
    ['a leave from a previous life: refute', self, left(3), false, 'refute'],
    ['our own announcement echoed back', self, alive(3), false, 'ignore'],
    ['alive from a previous life with a higher incarnation: outbid it', self, alive(7), false, 'refute'],
    ['alive at our incarnation with other metadata: outbid it', self, alive(3, testMeta('b', { role: 'manager' })), false, 'refute'],
    ['after leaving nothing is argued with', known('left', 3), dead(5), true, 'ignore'],
    ['after leaving, alive rumours are ignored too', known('left', 3), alive(9), true, 'ignore'],
  ];
  for (const [name, state, update, selfLeft, verdict] of cases) {
    assert.is(judgeUpdate(state, update, true, selfLeft), verdict, name);
  }
});

test('push-pull state merges as memberlist mergeState: remote dead only raises suspicion', () => {
  const state = (status: MemberStatus) => ({ meta, incarnation: 5, status });
  assert.equal(stateToUpdate(state('alive'), 'x'), { kind: 'alive', incarnation: 5, meta });
  assert.equal(stateToUpdate(state('suspect'), 'x'), { kind: 'suspect', id: 'b', incarnation: 5, from: 'x' });
  assert.equal(stateToUpdate(state('dead'), 'x'), { kind: 'suspect', id: 'b', incarnation: 5, from: 'x' });
  assert.equal(stateToUpdate(state('left'), 'x'), { kind: 'dead', id: 'b', incarnation: 5, from: 'b' });
});

test('a dead update from the member itself means it left', () => {
  assert.is(statusAfter(left(1)), 'left');
  assert.is(statusAfter(dead(1)), 'dead');
  assert.is(statusAfter(suspect(1)), 'suspect');
  assert.is(statusAfter(alive(1)), 'alive');
});

test('metadata equality is deep and ignores label order', () => {
  const a = testMeta('n', { labels: { zone: 'a', disk: 'ssd' } });
  assert.ok(metaEqual(a, testMeta('n', { labels: { disk: 'ssd', zone: 'a' } })));
  assert.not.ok(metaEqual(a, testMeta('n', { labels: { zone: 'a' } })));
  assert.not.ok(metaEqual(a, testMeta('n', { labels: { zone: 'a', disk: 'hdd' } })));
  assert.not.ok(metaEqual(a, { ...a, addresses: ['/ip4/10.0.0.2/tcp/1'] }));
  assert.not.ok(metaEqual(a, { ...a, capacity: { cpuMillicores: 1, memoryBytes: 1 } }));
  assert.not.ok(metaEqual(a, { ...a, versions: { swarmts: '0.2.0' } }));
});

test.run();
