import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError, type SwarmError } from '../core/errors.js';
import { waitFor } from '../p2p/wait-for.js';
import { cmd, TestCluster, testConfig } from './test-cluster.js';

const ids = ['n1', 'n2', 'n3'];

async function threeNodes(cluster: TestCluster): Promise<string> {
  for (const id of ids) await cluster.start(id, ids);
  return cluster.waitForLeader(ids);
}

/** The error a promise rejects with, within `timeoutMs`; fails the test when it resolves or hangs. */
async function rejection(promise: Promise<unknown>, what: string, timeoutMs = 8000): Promise<SwarmError> {
  const outcome = await Promise.race([
    promise.then(() => 'resolved' as const, (err: unknown) => err),
    new Promise((resolve) => setTimeout(() => resolve('hung'), timeoutMs)),
  ]);
  if (!isSwarmError(outcome)) throw new Error(`${what}: expected a SwarmError, got ${String(outcome)}`);
  return outcome;
}

test('three nodes elect one leader; proposals from leader and followers apply everywhere in one order with their own results', async () => {
  const cluster = new TestCluster();
  try {
    const leader = await threeNodes(cluster);
    const followers = ids.filter((id) => id !== leader);
    const proposed = await Promise.all([
      cluster.service(leader).propose(cmd('a')),
      cluster.service(followers[0]!).propose(cmd('b')),
      cluster.service(followers[1]!).propose(cmd('c')),
      cluster.service(leader).propose(cmd('d')),
    ]);
    const last = Math.max(...proposed.map((p) => p.index));
    await cluster.waitApplied(ids, last);
    const items = cluster.items(leader);
    assert.equal(items.slice().sort(), ['a', 'b', 'c', 'd']);
    for (const id of ids) assert.equal(cluster.items(id), items, `${id} applied the same commands in the same order`);
    ['a', 'b', 'c', 'd'].forEach((text, i) => assert.is(items[(proposed[i]!.result as number) - 1], text, `${text}'s result is its position`));
    assert.is(new Set(proposed.map((p) => p.index)).size, 4);
    // A follower's proposal resolves on that follower only once applied there.
    const onFollower = await cluster.service(followers[0]!).propose(cmd('e'));
    assert.ok(cluster.service(followers[0]!).status().applied >= onFollower.index);
    assert.is(cluster.items(followers[0]!)[(onFollower.result as number) - 1], 'e');
  } finally {
    await cluster.destroy();
  }
});

test('proposals that arrive together share one fsync; a command the state machine refuses rejects with its error', async () => {
  const cluster = new TestCluster();
  try {
    const leader = await threeNodes(cluster);
    const service = cluster.service(leader);
    await service.propose(cmd('warm-up'));
    const before = service.walStats().fsyncs;
    const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => service.propose(cmd(`x${i}`))));
    const fsyncs = service.walStats().fsyncs - before;
    assert.ok(fsyncs < 20, `50 proposals made ${fsyncs} fsyncs on the leader`);
    assert.equal(batch.map((p) => p.result), batch.map((_, i) => i + 2));
    const refused = await rejection(cluster.service(ids.find((id) => id !== leader)!).propose(cmd('fail')), 'a refused command');
    assert.is(refused.code, 'INVALID_ARGUMENT');
    const after = await service.propose(cmd('after'));
    assert.is(after.result, 52);
  } finally {
    await cluster.destroy();
  }
});

test('a stopped leader is replaced, proposals go on, and it rejoins with the same state', async () => {
  const cluster = new TestCluster();
  try {
    const old = await threeNodes(cluster);
    await cluster.service(old).propose(cmd('before'));
    await cluster.stop(old);
    const rest = ids.filter((id) => id !== old);
    const leader = await cluster.waitForLeader(rest);
    assert.is.not(leader, old);
    const follower = rest.find((id) => id !== leader)!;
    await cluster.service(leader).propose(cmd('from-leader'));
    const last = await cluster.service(follower).propose(cmd('from-follower'));
    await cluster.start(old);
    await cluster.waitApplied(ids, last.index);
    for (const id of ids) assert.equal(cluster.items(id), ['before', 'from-leader', 'from-follower'], id);
  } finally {
    await cluster.destroy();
  }
});

test('a member restarted from its WAL catches up, also past a compaction; the whole cluster restarts with the same state', async () => {
  const cluster = new TestCluster(testConfig({ snapshotEntries: 5, compactLagEntries: 2 }));
  try {
    const leader = await threeNodes(cluster);
    const follower = ids.find((id) => id !== leader)!;
    for (let i = 0; i < 12; i++) await cluster.service(leader).propose(cmd(`a${i}`));
    await cluster.stop(follower);
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await cluster.service(leader).propose(cmd(`b${i}`))).index;
    await cluster.start(follower);
    await cluster.waitApplied([follower], last);
    const expected = cluster.items(leader).slice();
    assert.is(expected.length, 24);
    assert.equal(cluster.items(follower), expected);
    assert.ok(cluster.service(follower).status().snapshotIndex > 0, 'the follower took snapshots of its own');

    for (const id of ids) await cluster.stop(id);
    for (const id of ids) await cluster.start(id, ids);
    for (const id of ids) {
      const status = cluster.service(id).status();
      assert.ok(cluster.sm(id).restores === 1 && status.snapshotIndex > 0, `${id} restored its newest snapshot`);
    }
    const again = await cluster.waitForLeader(ids);
    const next = await cluster.service(again).propose(cmd('after-restart'));
    await cluster.waitApplied(ids, next.index);
    for (const id of ids) assert.equal(cluster.items(id), [...expected, 'after-restart'], id);
  } finally {
    await cluster.destroy();
  }
});

test("a partitioned leader's pending proposal fails instead of hanging, and the majority goes on", async () => {
  const cluster = new TestCluster();
  try {
    const old = await threeNodes(cluster);
    const majority = ids.filter((id) => id !== old);
    await cluster.service(old).propose(cmd('before'));
    cluster.partition([old], majority);
    const pending = cluster.service(old).propose(cmd('lost'));
    const err = await rejection(pending, 'the cut-off leader\'s proposal');
    assert.ok(err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT', `got ${err.code}: ${err.message}`);
    const leader = await cluster.waitForLeader(majority);
    const done = await cluster.service(majority.find((id) => id !== leader)!).propose(cmd('majority'));
    await cluster.waitApplied(majority, done.index);
    cluster.partition([old], majority, true);
    await waitFor('the old leader to follow', () => cluster.service(old).leader() === leader);
    await cluster.waitApplied([old], done.index);
    for (const id of ids) assert.equal(cluster.items(id), ['before', 'majority'], id);
  } finally {
    await cluster.destroy();
  }
});

test('read() on a follower that fell behind resolves only once it has applied what the leader committed', async () => {
  const cluster = new TestCluster();
  try {
    const leader = await threeNodes(cluster);
    const [lagging, other] = ids.filter((id) => id !== leader) as [string, string];
    await cluster.service(leader).propose(cmd('seen'));
    await cluster.waitApplied([lagging], cluster.service(leader).status().commit);
    cluster.partition([lagging], [leader]);
    for (let i = 0; i < 5; i++) await cluster.service(leader).propose(cmd(`w${i}`));
    assert.equal(cluster.items(lagging), ['seen'], 'cut off, the follower missed the writes');
    cluster.partition([lagging], [leader], true);
    await cluster.service(lagging).read();
    assert.equal(cluster.items(lagging), ['seen', 'w0', 'w1', 'w2', 'w3', 'w4']);
    await cluster.service(leader).read();
    await cluster.service(other).read();
    assert.is(cluster.items(other).length, 6);
  } finally {
    await cluster.destroy();
  }
});

test('a node that knows no leader refuses proposals and reads with NOT_LEADER; a stopped one with UNAVAILABLE', async () => {
  const cluster = new TestCluster();
  try {
    const lonely = await cluster.start('n9');
    const proposal = await rejection(lonely.propose(cmd('x')), 'proposal without a leader');
    assert.is(proposal.code, 'NOT_LEADER');
    assert.match(proposal.message, /no leader is known/);
    const read = await rejection(lonely.read(), 'read without a leader');
    assert.is(read.code, 'NOT_LEADER');
    const change = await rejection(lonely.addLearner('n8'), 'membership change on a non-leader');
    assert.is(change.code, 'NOT_LEADER');
    await cluster.stop('n9');
    assert.is((await rejection(lonely.propose(cmd('x')), 'proposal after stop')).code, 'UNAVAILABLE');
  } finally {
    await cluster.destroy();
  }
});

test.run();
