import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { testSeed } from '../core/seed.js';
import { MemoryStorage } from './log-storage.js';
import { bootstrapStorage, bytes, drain, electLeader, testNode } from './test-helpers.js';
import type { AppendMessage, Message } from './types.js';

const voters3 = ['1', '2', '3'];

test('a follower campaigns after a randomized timeout in [electionTicks, 2*electionTicks)', () => {
  const seed = testSeed();
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const n = testNode('1', voters3, {}, seed + i);
    drain(n);
    let ticks = 0;
    while (n.raft.status().role === 'follower') {
      n.raft.tick();
      ticks++;
      assert.ok(ticks < 20, `seed ${seed + i}: no campaign after ${ticks} ticks`);
    }
    assert.ok(ticks >= 10, `seed ${seed + i}: campaigned after ${ticks} ticks`);
    seen.add(ticks);
  }
  assert.ok(seen.size > 3, `seed ${seed}: timeouts not spread: ${[...seen]}`);
});

test('propose on a follower throws NOT_LEADER naming the leader', () => {
  const n = testNode('2', voters3);
  n.raft.step({ type: 'heartbeat', from: '1', to: '2', term: 1, commit: 0 });
  try {
    n.raft.propose(bytes('x'));
    assert.unreachable('should throw');
  } catch (err) {
    assert.ok(isSwarmError(err, 'NOT_LEADER'));
    assert.is(err.details?.['leader'], '1');
  }
});

test('step drops misdirected, self-sent and malformed-term messages without throwing', () => {
  const n = testNode('1', voters3);
  drain(n);
  const cases: Message[] = [
    { type: 'heartbeat', from: '2', to: '9', term: 5, commit: 0 },
    { type: 'heartbeat', from: '1', to: '1', term: 5, commit: 0 },
    { type: 'heartbeat', from: '2', to: '1', term: Number.NaN, commit: 0 },
    { type: 'appendResponse', from: '7', to: '1', term: 0, index: 3, reject: false, rejectHint: 0, logTerm: 0 },
    { type: 'readIndexResponse', from: '2', to: '1', term: 0, index: 1, context: bytes('c') },
  ];
  for (const m of cases) n.raft.step(m);
  assert.is(n.raft.status().term, 0);
  assert.is(n.raft.hasReady(), true);
});

test('a single voter elects itself and commits a proposal at once', () => {
  const n = testNode('1', ['1']);
  n.raft.campaign();
  n.raft.propose(bytes('a'));
  const out = drain(n);
  assert.is(n.raft.status().role, 'leader');
  assert.equal(out.committed.map((e) => e.index), [1, 2]);
  n.raft.readIndex(bytes('r'));
  assert.equal(drain(n).readStates.map((r) => r.index), [2]);
});

test('a leader commits an earlier-term entry only through one of its own term (figure 8)', () => {
  const storage = bootstrapStorage(voters3);
  storage.append([{ index: 1, term: 1, type: 'normal', data: bytes('old') }]);
  storage.setHardState({ term: 2, vote: undefined, commit: 0 });
  const n = testNode('1', voters3, {}, 1, storage);
  electLeader(n, voters3);
  assert.is(n.raft.status().term, 3);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 3, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
  assert.is(n.raft.status().commit, 0, 'entry 1/1 is on a majority but not of term 3');
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 3, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
  assert.is(n.raft.status().commit, 2);
});

test('proposals beyond maxUncommittedEntriesBytes are refused until entries commit', () => {
  const n = testNode('1', voters3, { maxUncommittedEntriesBytes: 10 });
  electLeader(n, voters3);
  n.raft.propose(bytes('123456'));
  assert.throws(() => n.raft.propose(bytes('123456')), (err: unknown) => isSwarmError(err, 'UNAVAILABLE'));
  drain(n);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 1, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
  drain(n);
  n.raft.propose(bytes('123456'));
});

test('at most maxInflightMsgs appends are in flight to a replicating follower', () => {
  const n = testNode('1', voters3, { maxInflightMsgs: 2 });
  electLeader(n, voters3);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 1, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
  drain(n);
  for (let i = 0; i < 5; i++) n.raft.propose(bytes(`p${i}`));
  const toTwo = drain(n).messages.filter((m): m is AppendMessage => m.type === 'append' && m.to === '2');
  assert.is(toTwo.length, 2);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 1, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
  const next = drain(n).messages.filter((m): m is AppendMessage => m.type === 'append' && m.to === '2');
  assert.equal(next.flatMap((m) => m.entries.map((e) => e.index)), [4, 5, 6]);
});

test('a snapshot nobody acknowledges is sent again after snapshotTimeoutTicks', () => {
  const storage = new MemoryStorage();
  storage.applySnapshot({ meta: { index: 5, term: 1, confState: { voters: voters3, learners: [] } }, data: bytes('s') });
  storage.setHardState({ term: 1, vote: undefined, commit: 5 });
  const n = testNode('1', voters3, { snapshotTimeoutTicks: 3, heartbeatTicks: 100, electionTicks: 200 }, 1, storage);
  electLeader(n, voters3);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 2, index: 5, reject: true, rejectHint: 0, logTerm: 0 });
  const first = drain(n).messages.filter((m) => m.type === 'snapshot');
  assert.is(first.length, 1);
  for (let i = 0; i < 2; i++) n.raft.tick();
  assert.is(drain(n).messages.filter((m) => m.type === 'snapshot').length, 0);
  n.raft.tick();
  assert.is(drain(n).messages.filter((m) => m.type === 'snapshot').length, 1);
});

test('a new leader defers ReadIndex until it commits an entry of its term', () => {
  const n = testNode('1', voters3);
  electLeader(n, voters3);
  n.raft.readIndex(bytes('r'));
  assert.is(drain(n).messages.filter((m) => m.type === 'heartbeat').length, 0);
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 1, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
  const heartbeats = drain(n).messages.filter((m) => m.type === 'heartbeat');
  assert.is(heartbeats.length, 2);
  n.raft.step({ type: 'heartbeatResponse', from: '3', to: '1', term: 1, context: bytes('r') });
  assert.equal(drain(n).readStates, [{ index: 1, requestCtx: bytes('r') }]);
});

test('conf changes: impossible ones refused, and one pending at a time', () => {
  const n = testNode('1', voters3);
  electLeader(n, voters3);
  const refuse = (fn: () => void, code: 'CONFLICT' | 'INVALID_ARGUMENT') => assert.throws(fn, (err: unknown) => isSwarmError(err, code));
  n.raft.step({ type: 'appendResponse', from: '2', to: '1', term: 1, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
  drain(n);
  refuse(() => n.raft.proposeConfChange({ type: 'promoteLearner', node: '4' }), 'INVALID_ARGUMENT');
  refuse(() => n.raft.proposeConfChange({ type: 'addLearner', node: '2' }), 'INVALID_ARGUMENT');
  n.raft.proposeConfChange({ type: 'addLearner', node: '4' });
  refuse(() => n.raft.proposeConfChange({ type: 'addVoter', node: '5' }), 'CONFLICT');
});

test('a restarted node keeps its term, vote and log from storage', () => {
  const n = testNode('2', voters3);
  n.raft.step({ type: 'vote', from: '1', to: '2', term: 4, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
  n.raft.step({ type: 'append', from: '1', to: '2', term: 4, index: 0, logTerm: 0, commit: 0, entries: [{ index: 1, term: 4, type: 'normal', data: bytes('a') }] });
  drain(n);
  const again = testNode('2', voters3, {}, 2, n.storage);
  const s = again.raft.status();
  assert.equal([s.term, s.lastIndex], [4, 1]);
  again.raft.step({ type: 'vote', from: '3', to: '2', term: 4, lastLogIndex: 9, lastLogTerm: 4, transfer: false });
  const reply = drain(again).messages[0];
  assert.ok(reply?.type === 'voteResponse' && reply.reject, 'already voted for 1 in term 4');
});

test('a leader transfer to an unresponsive node is abandoned after electionTicks', () => {
  const n = testNode('1', voters3, { heartbeatTicks: 1 });
  electLeader(n, voters3);
  n.raft.transferLeadership('3');
  assert.throws(() => n.raft.propose(bytes('x')), (err: unknown) => isSwarmError(err, 'NOT_LEADER'));
  for (let i = 0; i < 10; i++) n.raft.tick();
  n.raft.propose(bytes('x'));
  assert.is(n.raft.status().role, 'leader');
});

test('a stale leader is told the newer term when check-quorum is on, and steps down', () => {
  const old = testNode('1', voters3, { checkQuorum: true });
  electLeader(old, voters3);
  const follower = testNode('2', voters3, { checkQuorum: true });
  follower.raft.step({ type: 'heartbeat', from: '3', to: '2', term: 5, commit: 0 });
  drain(follower);
  follower.raft.step({ type: 'heartbeat', from: '1', to: '2', term: 1, commit: 0 });
  const answer = drain(follower).messages.find((m) => m.to === '1')!;
  assert.is(answer.term, 5);
  old.raft.step(answer);
  assert.equal([old.raft.status().role, old.raft.status().term], ['follower', 5]);
});

test('forgetLeader: a follower grants the pre-vote it refused under the lease', () => {
  const seed = testSeed();
  for (let i = 0; i < 20; i++) {
    const n = testNode('2', voters3, { checkQuorum: true, preVote: true }, seed + i);
    n.raft.step({ type: 'heartbeat', from: '1', to: '2', term: 1, commit: 0 });
    drain(n);
    const preVote: Message = { type: 'preVote', from: '3', to: '2', term: 2, lastLogIndex: 0, lastLogTerm: 0, transfer: false };
    n.raft.step(preVote);
    assert.is(drain(n).messages.length, 0, `seed ${seed + i}: a pre-vote inside the lease is ignored`);
    n.raft.forgetLeader();
    assert.is(n.raft.status().leader, undefined);
    n.raft.step(preVote);
    const answer = drain(n).messages.find((m) => m.type === 'preVoteResponse');
    assert.is(answer?.type === 'preVoteResponse' && !answer.reject, true, `seed ${seed + i}: pre-vote granted once the leader is forgotten`);
  }
});

test('forgetLeader does nothing on a leader', () => {
  const n = testNode('1', voters3, { checkQuorum: true });
  electLeader(n, voters3);
  n.raft.forgetLeader();
  assert.equal([n.raft.status().role, n.raft.status().leader], ['leader', '1']);
});

test.run();
