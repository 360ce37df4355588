import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom } from '../core/random.js';
import { defaultMembershipConfig, type MembershipConfig } from './config.js';
import { Membership } from './membership.js';
import type { MemberUpdate, MembershipMessage, OutboundMessage } from './messages.js';
import { testMeta } from './test-fixtures.js';

const v = 1;

/** The timings these cases were worked out with (memberlist's LAN profile, 300 ms probe timeout), pinned so that retuning the defaults does not move them. */
const lanTimings: Partial<MembershipConfig> = { probeIntervalMs: 1000, probeTimeoutMs: 300, suspicionMult: 4, newMemberGraceMs: 0 };

function node(id: string, overrides: Partial<MembershipConfig> = {}, incarnation = 0): Membership {
  return new Membership({ ...defaultMembershipConfig(), ...lanTimings, ...overrides }, testMeta(id), new SeededRandom(7), { incarnation });
}

/** A node that already knows `peers` as alive at incarnation 0, with its outputs drained. */
function nodeKnowing(id: string, peers: string[], overrides: Partial<MembershipConfig> = {}): Membership {
  const m = node(id, overrides);
  m.receive(peers[0] ?? 'x', { v, type: 'gossip', updates: peers.map((p) => alive(p, 0)) }, 0);
  drain(m);
  return m;
}

function drain(m: Membership): OutboundMessage[] {
  m.takeEvents();
  m.takeBroadcasts();
  return m.takeOutbox();
}

const alive = (id: string, incarnation: number): MemberUpdate => ({ kind: 'alive', incarnation, meta: testMeta(id) });

/**
 * Ticks at every wake-up until `untilMs`, collecting everything sent. Pings to the
 * `responsive` peers are acked at once, as live peers would.
 */
function runTo(m: Membership, fromMs: number, untilMs: number, responsive: string[] = []): OutboundMessage[] {
  const sent: OutboundMessage[] = [];
  let now = fromMs;
  while (true) {
    now = Math.max(now, m.nextWakeMs());
    if (now > untilMs) break;
    m.tick(now);
    for (const out of m.takeOutbox()) {
      sent.push(out);
      if (out.message.type === 'ping' && responsive.includes(out.to)) {
        m.receive(out.to, { v, type: 'ack', seq: out.message.seq, updates: [] }, now);
      }
    }
  }
  return sent;
}

const ofType = <T extends MembershipMessage['type']>(out: OutboundMessage[], type: T) =>
  out.filter((o) => o.message.type === type) as (OutboundMessage & { message: Extract<MembershipMessage, { type: T }> })[];

test('a ping for this node is acked with the same seq; a ping for another id is dropped', () => {
  const a = node('a');
  a.receive('b', { v, type: 'ping', seq: 42, target: 'a', updates: [] }, 0);
  const [reply] = a.takeOutbox();
  assert.is(reply?.to, 'b');
  assert.is(reply?.message.type, 'ack');
  assert.is((reply?.message as { seq: number }).seq, 42);
  a.receive('b', { v, type: 'ping', seq: 43, target: 'someone-else', updates: [] }, 1);
  assert.equal(a.takeOutbox(), []);
});

test('an unanswered probe goes indirect through indirectChecks peers, then the target is suspect', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  const out = runTo(a, 0, 999);
  const [ping] = ofType(out, 'ping');
  assert.ok(ping, 'a probe went out within one interval');
  const target = ping.to;
  const pingReqs = ofType(out, 'ping-req');
  assert.is(pingReqs.length, 3);
  assert.ok(pingReqs.every((o) => o.message.target === target && o.to !== target && o.message.seq === ping.message.seq));
  runTo(a, 999, 2100);
  assert.is(a.member(target)?.status, 'suspect');
  assert.equal(a.takeEvents().map((e) => [e.type, e.member.meta.id]), [['suspect', target]]);
  assert.is(a.health(), 3, 'three missing nacks: we may be the slow one');
});

test('nacks from the helpers keep the prober healthy while the target becomes suspect', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  let now = 0;
  let out: OutboundMessage[] = [];
  while (ofType(out, 'ping-req').length === 0) {
    now = a.nextWakeMs();
    a.tick(now);
    out = out.concat(a.takeOutbox());
  }
  const reqs = ofType(out, 'ping-req');
  for (const r of reqs) a.receive(r.to, { v, type: 'nack', seq: r.message.seq }, now + 300);
  runTo(a, now + 300, now + 1000);
  assert.is(a.member(reqs[0]!.message.target)?.status, 'suspect');
  assert.is(a.health(), 0);
});

test('an indirect ack clears the probe without suspicion; a direct ack lowers the health score', () => {
  const a = nodeKnowing('a', ['b', 'c']);
  a.receive('b', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'a', incarnation: 0, from: 'b' }] }, 0);
  assert.is(a.health(), 1);
  let now = 0;
  let out: OutboundMessage[] = [];
  while (ofType(out, 'ping-req').length === 0) {
    now = a.nextWakeMs();
    a.tick(now);
    out = out.concat(a.takeOutbox());
  }
  const [req] = ofType(out, 'ping-req');
  a.receive(req!.to, { v, type: 'ack', seq: req!.message.seq, updates: [] }, now + 10);
  assert.is(a.health(), 1, 'an indirect ack says nothing about our own health');
  runTo(a, now + 10, now + 3000, ['b', 'c']);
  assert.ok(a.members().every((m) => m.status === 'alive'), 'nobody suspected');
  assert.is(a.health(), 0);
});

test('a node that stalls past its probe deadline gives the indirect step its time instead of suspecting at once, and counts the stall against its health', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  let first = 0;
  let ping: ReturnType<typeof ofType<'ping'>>[number] | undefined;
  while (ping === undefined) {
    first = a.nextWakeMs();
    a.tick(first);
    [ping] = ofType(a.takeOutbox(), 'ping');
  }
  // The process stalls for 2 s: no timer fires until then, and no ack ever comes.
  const late = first + 2000;
  a.tick(late);
  const out = a.takeOutbox();
  assert.is(ofType(out, 'ping-req').length, 3, 'the helpers are asked only now');
  assert.is(a.member(ping.to)?.status, 'alive', 'the target is not blamed for our stall');
  assert.is(a.health(), 1, 'a stall is evidence that we are the slow one');
  const [req] = ofType(out, 'ping-req');
  a.receive(req!.to, { v, type: 'ack', seq: req!.message.seq, updates: [] }, late + 100);
  runTo(a, late + 100, late + 400, ['b', 'c', 'd', 'e']);
  assert.is(a.member(ping.to)?.status, 'alive', 'the helper reached it');
});

test('a node ticked on time never counts a stall against its health', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  runTo(a, 0, 5000, ['b', 'c', 'd', 'e']);
  assert.is(a.health(), 0);
});

test('a failed probe of a member learned less than newMemberGraceMs ago raises no suspicion; after the grace it does', () => {
  const a = nodeKnowing('a', ['b'], { newMemberGraceMs: 2500 });
  runTo(a, 0, 2400);
  assert.is(a.member('b')?.status, 'alive', 'b never answered, but it is new');
  runTo(a, 2400, 4000);
  assert.is(a.member('b')?.status, 'suspect');
});

test('a newcomer still becomes suspect within its grace when another member suspects it', () => {
  const a = nodeKnowing('a', ['b', 'c'], { newMemberGraceMs: 2500 });
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from: 'c' }] }, 100);
  assert.is(a.member('b')?.status, 'suspect');
});

test('a lost link makes its peer the next probe target, out of turn, and suspect only if that probe fails', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e', 'f', 'g']);
  runTo(a, 0, 1000, ['b', 'c', 'd', 'e', 'f', 'g']);
  a.linkLost('g', 1000);
  const out = runTo(a, 1000, 1600, ['b', 'c', 'd', 'e', 'f']);
  assert.is(ofType(out, 'ping')[0]?.to, 'g', 'g is probed first');
  runTo(a, 1600, 2200, ['b', 'c', 'd', 'e', 'f']);
  assert.is(a.member('g')?.status, 'suspect');
  a.linkLost('b', 2200);
  runTo(a, 2200, 3000, ['b', 'c', 'd', 'e', 'f']);
  assert.is(a.member('b')?.status, 'alive', 'a live peer answers the hinted probe');
});

test('a relayed ping-req forwards the ack, or nacks after probeTimeoutMs', () => {
  const b = nodeKnowing('b', ['a', 'c']);
  b.receive('a', { v, type: 'ping-req', seq: 9, target: 'c', updates: [] }, 100);
  const [ping] = ofType(b.takeOutbox(), 'ping');
  assert.is(ping?.to, 'c');
  b.receive('c', { v, type: 'ack', seq: ping!.message.seq, updates: [] }, 150);
  const [ack] = ofType(b.takeOutbox(), 'ack');
  assert.equal([ack?.to, ack?.message.seq], ['a', 9]);

  b.receive('a', { v, type: 'ping-req', seq: 10, target: 'c', updates: [] }, 200);
  b.takeOutbox();
  b.tick(499);
  assert.equal(ofType(b.takeOutbox(), 'nack'), []);
  b.tick(500);
  const nacks = ofType(b.takeOutbox(), 'nack');
  assert.equal(nacks.map((n) => [n.to, n.message.seq]), [['a', 10]]);
});

test('a node that hears it is suspected refutes with a higher incarnation and broadcasts alive', () => {
  const a = nodeKnowing('a', ['b']);
  a.receive('b', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'a', incarnation: 0, from: 'b' }] }, 10);
  assert.is(a.incarnation(), 1);
  const [broadcast] = a.takeBroadcasts();
  assert.equal(broadcast?.updates, [{ kind: 'alive', incarnation: 1, meta: testMeta('a') }]);
  assert.is(a.health(), 1, 'being doubted counts against our health');
  a.receive('b', { v, type: 'gossip', updates: [{ kind: 'dead', id: 'a', incarnation: 0, from: 'c' }] }, 20);
  assert.is(a.incarnation(), 1, 'a stale accusation is already refuted');
  a.receive('b', { v, type: 'ping', seq: 1, target: 'a', updates: [] }, 30);
  const [ack] = ofType(a.takeOutbox(), 'ack');
  assert.ok(ack!.message.updates.some((u) => u.kind === 'alive' && u.meta.id === 'a' && u.incarnation === 1), 'the refutation rides on the ack');
});

test('a suspect is declared dead when its suspicion times out, and told so by the buddy system first', () => {
  const peers = ['b', 'c', 'd', 'e'];
  const a = nodeKnowing('a', peers, { probeIntervalMs: 1000 });
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from: 'c' }] }, 0);
  const [event] = a.takeEvents();
  assert.equal([event?.type, event?.member.meta.id], ['suspect', 'b']);
  // N=5: min 4 * 1 * 1000 ms, max 6 * min, two confirmations expected. Our own failed probe
  // of b, within the first round, is one: 24000 - log(2)/log(3) * (24000 - 4000) = 11381 ms.
  const out = runTo(a, 0, 11_380, ['c', 'd', 'e']);
  const buddy = ofType(out, 'ping').find((p) => p.to === 'b');
  assert.ok(buddy?.message.updates.some((u) => u.kind === 'suspect' && u.id === 'b'), 'the suspect is told when probed');
  assert.is(a.member('b')?.status, 'suspect');
  runTo(a, 11_380, 11_381, ['c', 'd', 'e']);
  assert.is(a.member('b')?.status, 'dead');
  assert.ok(a.takeEvents().some((e) => e.type === 'dead' && e.member.meta.id === 'b'));
  assert.ok(a.takeBroadcasts().some((b) => b.updates.some((u) => u.kind === 'dead' && u.id === 'b' && u.from === 'a')));
});

test('a suspect about to be declared dead is probed first, and its ack carries the refutation', () => {
  const others = Array.from({ length: 30 }, (_, i) => `p${i}`);
  const a = nodeKnowing('a', ['b', ...others], { probeIntervalMs: 1000 });
  // Two confirmations bring the deadline down to the minimum, 4 * log10(32) * 1000 = 6020 ms,
  // long before a's round of 31 probes would reach b by itself.
  for (const from of ['p0', 'p1', 'p2']) {
    a.receive(from, { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from }] }, 0);
  }
  const b = nodeKnowing('b', ['a']);
  b.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from: 'c' }] }, 0);
  assert.is(b.incarnation(), 1);
  // Exhaust b's queue so only the ack's own refutation can carry the news.
  for (let i = 0; i < 20; i++) b.receive('x', { v, type: 'ping', seq: i, target: 'b', updates: [] }, 1);
  b.takeOutbox();
  let now = 0;
  let pingToB: OutboundMessage | undefined;
  while (pingToB === undefined && now < 6020) {
    now = a.nextWakeMs();
    a.tick(now);
    for (const out of a.takeOutbox()) {
      if (out.to === 'b' && out.message.type === 'ping') pingToB = out;
      else if (out.message.type === 'ping') a.receive(out.to, { v, type: 'ack', seq: out.message.seq, updates: [] }, now);
    }
  }
  assert.ok(pingToB && now >= 5020 && now < 6020, `b probed in the last interval before its suspicion ends (at ${now})`);
  b.receive('a', pingToB.message, now + 1);
  const [ack] = ofType(b.takeOutbox(), 'ack');
  assert.equal(ack?.message.updates[0], { kind: 'alive', incarnation: 1, meta: testMeta('b') });
  a.receive('b', ack!.message, now + 2);
  assert.is(a.member('b')?.status, 'alive');
});

test('a suspicion at a higher incarnation starts afresh instead of confirming a stale one', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  const suspect = (incarnation: number, from: string): MembershipMessage => ({ v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation, from }] });
  a.receive('c', suspect(0, 'c'), 0);
  runTo(a, 0, 10_000, ['c', 'd', 'e']);
  a.receive('d', suspect(1, 'd'), 10_000);
  assert.equal([a.member('b')?.status, a.member('b')?.incarnation], ['suspect', 1]);
  // As a second confirmation of the 10 s old suspicion it would have been overdue at once.
  runTo(a, 10_000, 13_999, ['c', 'd', 'e']);
  assert.is(a.member('b')?.status, 'suspect');
});

test('independent confirmations shorten a suspicion to the minimum', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd', 'e']);
  const suspect = (from: string): MembershipMessage => ({ v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from }] });
  a.receive('c', suspect('c'), 0);
  a.receive('d', suspect('d'), 100);
  a.receive('d', suspect('d'), 200);
  a.receive('e', suspect('e'), 300);
  runTo(a, 300, 3999);
  assert.is(a.member('b')?.status, 'suspect');
  runTo(a, 3999, 4000);
  assert.is(a.member('b')?.status, 'dead');
});

test('a refutation at a higher incarnation makes a suspect alive again', () => {
  const a = nodeKnowing('a', ['b', 'c']);
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 0, from: 'c' }] }, 0);
  a.receive('b', { v, type: 'gossip', updates: [alive('b', 0)] }, 10);
  assert.is(a.member('b')?.status, 'suspect', 'the same incarnation does not refute');
  a.receive('b', { v, type: 'gossip', updates: [alive('b', 1)] }, 20);
  assert.is(a.member('b')?.status, 'alive');
  assert.equal(a.takeEvents().map((e) => e.type), ['suspect', 'alive-again']);
  runTo(a, 20, 60_000, ['b', 'c']);
  assert.is(a.member('b')?.status, 'alive', 'the cancelled suspicion does not fire later');
});

test('a graceful leave is announced and recorded as left, not dead', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd']);
  a.leave(100);
  assert.is(a.member('a')?.status, 'left');
  const [broadcast] = a.takeBroadcasts();
  const leaveUpdate = { kind: 'dead', id: 'a', incarnation: 0, from: 'a' };
  assert.equal(broadcast?.updates, [leaveUpdate]);
  const told = ofType(a.takeOutbox(), 'gossip');
  assert.ok(told.length > 0 && told.every((g) => g.message.updates.some((u) => u.kind === 'dead' && u.id === 'a')));
  assert.equal(ofType(runTo(a, 100, 10_000), 'ping'), [], 'a node that left probes no one');

  const b = nodeKnowing('b', ['a', 'c']);
  b.receive('a', broadcast!, 120);
  assert.is(b.member('a')?.status, 'left');
  assert.equal(b.takeEvents().map((e) => e.type), ['left']);
  assert.is(b.liveCount(), 2);
});

test('new metadata goes out with a higher incarnation and reaches others as an update', () => {
  const a = nodeKnowing('a', ['b']);
  a.updateMeta(testMeta('a', { labels: { zone: 'eu-1' } }), 50);
  assert.is(a.incarnation(), 1);
  const [broadcast] = a.takeBroadcasts();
  const b = nodeKnowing('b', ['a']);
  b.receive('a', broadcast!, 60);
  const [event] = b.takeEvents();
  assert.equal([event?.type, event?.member.meta.labels], ['updated', { zone: 'eu-1' }]);
  a.updateMeta(testMeta('a', { labels: { zone: 'eu-1' } }), 70);
  assert.is(a.incarnation(), 1, 'unchanged metadata is not re-announced');
  assert.throws(() => a.updateMeta(testMeta('z'), 80), /cannot change its id/);
});

test('push-pull answers with the full state, and a remote dead only raises suspicion here', () => {
  const a = nodeKnowing('a', ['b', 'c']);
  a.receive('d', {
    v,
    type: 'push-pull',
    reply: false,
    members: [
      { meta: testMeta('d'), incarnation: 0, status: 'alive' },
      { meta: testMeta('b'), incarnation: 0, status: 'dead' },
      { meta: testMeta('x'), incarnation: 3, status: 'dead' },
    ],
  }, 10);
  assert.is(a.member('d')?.status, 'alive');
  assert.is(a.member('b')?.status, 'suspect');
  assert.is(a.member('x'), undefined, 'a stranger that is dead is not worth remembering');
  const [reply] = ofType(a.takeOutbox(), 'push-pull');
  assert.is(reply?.to, 'd');
  assert.is(reply?.message.reply, true);
  assert.equal(reply?.message.members.map((m) => `${m.meta.id}:${m.status}`).sort(), ['a:alive', 'b:suspect', 'c:alive', 'd:alive']);
  a.receive('d', { ...reply!.message, reply: true }, 20);
  assert.equal(ofType(a.takeOutbox(), 'push-pull'), [], 'a reply is not answered');
});

test('a node restarted without its incarnation refutes its old death on join', () => {
  const a = nodeKnowing('a', ['b']);
  a.receive('c', { v, type: 'gossip', updates: [alive('b', 5), { kind: 'dead', id: 'b', incarnation: 5, from: 'c' }] }, 0);
  assert.is(a.member('b')?.status, 'dead');
  const reborn = node('b');
  reborn.join(['a'], 1000);
  const [request] = ofType(reborn.takeOutbox(), 'push-pull');
  a.receive('b', request!.message, 1010);
  assert.is(a.member('b')?.status, 'dead', 'alive at incarnation 0 is older news');
  const [reply] = ofType(a.takeOutbox(), 'push-pull');
  reborn.receive('a', reply!.message, 1020);
  assert.is(reborn.incarnation(), 6);
  const broadcast = reborn.takeBroadcasts().find((b) => b.updates.some((u) => u.kind === 'alive' && u.meta.id === 'b' && u.incarnation === 6));
  a.receive('b', broadcast!, 1030);
  assert.is(a.member('b')?.status, 'alive');
  assert.ok(a.takeEvents().some((e) => e.type === 'alive-again' && e.member.incarnation === 6));
});

test('a node restarted with a higher incarnation is alive again at once', () => {
  const a = nodeKnowing('a', ['b']);
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'dead', id: 'b', incarnation: 0, from: 'c' }] }, 0);
  const reborn = node('b', {}, 1);
  reborn.join(['a'], 1000);
  const [request] = ofType(reborn.takeOutbox(), 'push-pull');
  a.receive('b', request!.message, 1010);
  assert.is(a.member('b')?.status, 'alive');
});

test('dead and left members are reaped after their configured times', () => {
  const a = nodeKnowing('a', ['b', 'c', 'd'], { deadReapAfterMs: 5000, leftReapAfterMs: 2000 });
  a.receive('d', { v, type: 'gossip', updates: [{ kind: 'dead', id: 'b', incarnation: 0, from: 'd' }, { kind: 'dead', id: 'c', incarnation: 0, from: 'c' }] }, 0);
  runTo(a, 0, 2500);
  assert.is(a.member('c'), undefined, 'left reaped');
  assert.is(a.member('b')?.status, 'dead');
  runTo(a, 2500, 6000);
  assert.is(a.member('b'), undefined, 'dead reaped');
  assert.equal(a.members().map((m) => m.meta.id).sort(), ['a', 'd']);
});

test('a dead member is retried by push-pull every reconnectIntervalMs, so partitions heal', () => {
  const a = nodeKnowing('a', ['b', 'c'], { reconnectIntervalMs: 1000, pushPullIntervalMs: 1_000_000 });
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'dead', id: 'b', incarnation: 0, from: 'c' }] }, 0);
  const pushPulls = ofType(runTo(a, 0, 3000), 'push-pull');
  assert.ok(pushPulls.length >= 2 && pushPulls.every((p) => p.to === 'b'), `${pushPulls.map((p) => p.to)}`);
});

test('a join pushes its state to the first seed and joinSeedsMax - 1 others, not to every seed it was handed', () => {
  const j = node('j');
  const seeds = ['s1', 's2', 's3', 's4', 's5', 's6'];
  j.join(seeds, 0);
  const targets = ofType(j.takeOutbox(), 'push-pull').map((o) => o.to);
  assert.is(targets.length, 3);
  assert.is(targets[0], 's1', 'the first seed (the manager that admitted us) always');
  assert.is(new Set(targets).size, 3);
  assert.ok(targets.every((t) => seeds.includes(t)));
});

test('a lonely node retries its seeds every joinRetryIntervalMs', () => {
  const a = node('a', { joinRetryIntervalMs: 1000, pushPullIntervalMs: 1_000_000 });
  a.join(['s1', 's2', 'a'], 0);
  assert.equal(ofType(a.takeOutbox(), 'push-pull').map((p) => p.to), ['s1', 's2']);
  assert.equal(ofType(runTo(a, 0, 2500), 'push-pull').map((p) => p.to), ['s1', 's2', 's1', 's2']);
});

test('a stale accusation is answered with the refutation, straight back to its sender', () => {
  const a = nodeKnowing('a', ['b', 'c']);
  a.receive('c', { v, type: 'gossip', updates: [alive('b', 2)] }, 0);
  a.takeOutbox();
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 1, from: 'x' }, { kind: 'dead', id: 'b', incarnation: 0, from: 'y' }] }, 10);
  const corrections = ofType(a.takeOutbox(), 'gossip');
  assert.equal(corrections.map((g) => [g.to, g.message.updates]), [['c', [alive('b', 2), alive('b', 2)]]]);
  a.receive('c', { v, type: 'gossip', updates: [{ kind: 'suspect', id: 'b', incarnation: 2, from: 'x' }] }, 20);
  assert.equal(ofType(a.takeOutbox(), 'gossip'), [], 'a current accusation is news, not a mistake');
  assert.is(a.member('b')?.status, 'suspect');
});

test('a stranger or a dead peer that talks to us gets a push-pull, at most once per joinRetryIntervalMs', () => {
  const a = nodeKnowing('a', ['b'], { joinRetryIntervalMs: 1000 });
  a.receive('z', { v, type: 'ping', seq: 1, target: 'a', updates: [] }, 0);
  assert.equal(a.takeOutbox().map((o) => [o.to, o.message.type]), [['z', 'ack'], ['z', 'push-pull']]);
  a.receive('z', { v, type: 'ping', seq: 2, target: 'a', updates: [] }, 500);
  assert.equal(a.takeOutbox().map((o) => [o.to, o.message.type]), [['z', 'ack']]);
  a.receive('z', { v, type: 'ping', seq: 3, target: 'a', updates: [] }, 1000);
  assert.equal(a.takeOutbox().map((o) => [o.to, o.message.type]), [['z', 'ack'], ['z', 'push-pull']]);
  a.receive('b', { v, type: 'ping', seq: 4, target: 'a', updates: [] }, 1100);
  assert.equal(a.takeOutbox().map((o) => [o.to, o.message.type]), [['b', 'ack']], 'live peers are not synced');
  a.receive('x', { v, type: 'gossip', updates: [{ kind: 'dead', id: 'b', incarnation: 0, from: 'x' }] }, 1200);
  a.takeOutbox();
  a.receive('b', { v, type: 'ping', seq: 5, target: 'a', updates: [] }, 1300);
  assert.equal(a.takeOutbox().map((o) => [o.to, o.message.type]), [['b', 'ack'], ['b', 'push-pull']], 'a dead peer talking is synced');
});

test('time going backwards is a caller bug', () => {
  const a = node('a');
  a.tick(100);
  assert.throws(() => a.tick(99), /backwards/);
});

test('a seed announces a joiner on gossipsub when it pushes its state, but not twice', () => {
  const a = nodeKnowing('a', ['b']);
  a.takeBroadcasts();
  const joiner = node('j');
  joiner.join(['a'], 1000);
  const [request] = ofType(joiner.takeOutbox(), 'push-pull');
  a.receive('j', request!.message, 1010);
  assert.equal(a.takeBroadcasts().flatMap((b) => b.updates), [{ kind: 'alive', incarnation: 0, meta: testMeta('j') }]);
  a.receive('j', request!.message, 1020);
  assert.equal(a.takeBroadcasts(), [], 'a member already alive is not news');
});

test.run();
