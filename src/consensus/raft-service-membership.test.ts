import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError, type SwarmError } from '../core/errors.js';
import { waitFor } from '../p2p/wait-for.js';
import { cmd, TestCluster, testConfig } from './test-cluster.js';

async function refusal(promise: Promise<unknown>, what: string): Promise<SwarmError> {
  try {
    await promise;
  } catch (err) {
    if (isSwarmError(err)) return err;
    throw err;
  }
  throw new Error(`${what}: expected a refusal`);
}

/** Adds `id` as a learner, waits until it caught up, then promotes it. */
async function addAsVoter(cluster: TestCluster, leader: string, id: string): Promise<void> {
  await cluster.service(leader).addLearner(id);
  await waitFor(`${id} to catch up`, () => cluster.service(leader).isCaughtUp(id));
  await cluster.service(leader).addVoter(id);
}

test('one node bootstraps alone and grows to three, then five voters; late members catch up by snapshot after compaction', async () => {
  const cluster = new TestCluster(testConfig({ snapshotEntries: 10, compactLagEntries: 3 }));
  const all = ['n1', 'n2', 'n3', 'n4', 'n5'];
  try {
    await cluster.start('n1', ['n1']);
    for (const id of all.slice(1)) await cluster.start(id);
    assert.is(await cluster.waitForLeader(['n1']), 'n1');
    await cluster.service('n1').propose(cmd('alone'));
    await addAsVoter(cluster, 'n1', 'n2');
    await addAsVoter(cluster, 'n1', 'n3');
    assert.equal(cluster.service('n1').status().voters, ['n1', 'n2', 'n3']);
    for (let i = 0; i < 30; i++) await cluster.service(i % 2 === 0 ? 'n1' : 'n3').propose(cmd(`e${i}`));
    assert.ok(cluster.service('n1').status().snapshotIndex > 20, 'the leader compacted');
    await addAsVoter(cluster, 'n1', 'n4');
    await addAsVoter(cluster, 'n1', 'n5');
    const last = await cluster.service('n5').propose(cmd('five'));
    await cluster.waitApplied(all, last.index);
    for (const id of all) {
      assert.equal(cluster.service(id).status().voters, all, `${id} sees five voters`);
      assert.equal(cluster.items(id), cluster.items('n1'), `${id} has the same state`);
    }
    for (const id of ['n4', 'n5']) {
      assert.ok(cluster.sm(id).restores >= 1, `${id} was caught up by a snapshot`);
      assert.ok(cluster.events(id).some((e) => e.type === 'snapshotRestored'));
    }
    assert.is(cluster.items('n1').length, 32);
    // The joiners kept what they learned: restarted, they come back with the same state.
    await cluster.stop('n5');
    await cluster.start('n5');
    await cluster.waitApplied(['n5'], last.index);
    assert.equal(cluster.items('n5'), cluster.items('n1'));
  } finally {
    await cluster.destroy();
  }
});

test('a joiner restarted before any compaction comes back from its saved bootstrap membership', async () => {
  const cluster = new TestCluster();
  try {
    await cluster.start('n1', ['n1']);
    await cluster.start('n2');
    await cluster.waitForLeader(['n1']);
    await cluster.service('n1').propose(cmd('one'));
    await addAsVoter(cluster, 'n1', 'n2');
    await waitFor('n2 to know its leader', () => cluster.service('n2').leader() === 'n1');
    const done = await cluster.service('n2').propose(cmd('two'));
    assert.is(cluster.sm('n2').restores, 0, 'no real snapshot: n2 got the index-0 one');
    await cluster.stop('n2');
    await cluster.start('n2', ['n2']);
    assert.equal(cluster.service('n2').status().voters, ['n1', 'n2'], 'the saved bootstrap wins over the argument');
    await cluster.waitApplied(['n2'], done.index);
    assert.equal(cluster.items('n2'), ['one', 'two']);
  } finally {
    await cluster.destroy();
  }
});

test('membership changes go one at a time: a second one while the first is pending is a CONFLICT; followers get NOT_LEADER', async () => {
  const cluster = new TestCluster();
  try {
    await cluster.start('n1', ['n1']);
    for (const id of ['n2', 'n3']) await cluster.start(id);
    await cluster.waitForLeader(['n1']);
    const first = cluster.service('n1').addLearner('n2');
    const second = await refusal(cluster.service('n1').addLearner('n3'), 'a second change');
    assert.is(second.code, 'CONFLICT');
    assert.match(second.message, /addLearner n2 .* not applied yet; make one change at a time/);
    await first;
    await cluster.service('n1').addLearner('n3');
    assert.equal(cluster.service('n1').status().learners, ['n2', 'n3']);
    await waitFor('n2 to know its leader', () => cluster.service('n2').leader() === 'n1');
    const fromFollower = await refusal(cluster.service('n2').addVoter('n3'), 'a change on a learner');
    assert.is(fromFollower.code, 'NOT_LEADER');
    assert.equal(fromFollower.details?.['leader'], 'n1');
    const demote = await refusal(cluster.service('n1').removeMember('n1'), 'removing the last voter');
    assert.is(demote.code, 'INVALID_ARGUMENT');
  } finally {
    await cluster.destroy();
  }
});

test('leadership moves to the chosen voter; a removed member leaves and the rest go on', async () => {
  const cluster = new TestCluster();
  const ids = ['n1', 'n2', 'n3'];
  try {
    for (const id of ids) await cluster.start(id, ids);
    const leader = await cluster.waitForLeader(ids);
    const [target, other] = ids.filter((id) => id !== leader) as [string, string];
    const notVoter = await refusal(cluster.service(leader).transferLeadership('n7'), 'a transfer to a non-voter');
    assert.is(notVoter.code, 'INVALID_ARGUMENT');
    await cluster.service(leader).transferLeadership(target);
    assert.is(await cluster.waitForLeader(ids), target);
    await cluster.service(target).removeMember(leader);
    assert.equal(cluster.service(target).status().voters, [target, other].sort((a, b) => ids.indexOf(a) - ids.indexOf(b)));
    const done = await cluster.service(other).propose(cmd('after-removal'));
    await cluster.waitApplied([target, other], done.index);
    assert.equal(cluster.items(other), ['after-removal']);
  } finally {
    await cluster.destroy();
  }
});

test('five voters survive two stopped ones; a partitioned minority cannot commit', async () => {
  const cluster = new TestCluster();
  const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
  try {
    for (const id of ids) await cluster.start(id, ids);
    const leader = await cluster.waitForLeader(ids);
    const others = ids.filter((id) => id !== leader);
    await cluster.stop(others[0]!);
    await cluster.stop(others[1]!);
    const up = [leader, others[2]!, others[3]!];
    const done = await cluster.service(others[3]!).propose(cmd('three-of-five'));
    await cluster.waitApplied(up, done.index);
    cluster.partition([others[3]!], [leader, others[2]!]);
    const cutOff = await refusal(cluster.service(leader).propose(cmd('no-quorum')), 'a proposal without quorum');
    assert.ok(cutOff.code === 'UNAVAILABLE' || cutOff.code === 'TIMEOUT', `${cutOff.code}: ${cutOff.message}`);
    cluster.partition([others[3]!], [leader, others[2]!], true);
    for (const id of others.slice(0, 2)) await cluster.start(id);
    const again = await cluster.waitForLeader(ids);
    const last = await cluster.service(again).propose(cmd('healed'));
    await cluster.waitApplied(ids, last.index);
    for (const id of ids) assert.equal(cluster.items(id), cluster.items(again), id);
    assert.ok(cluster.items(again).includes('three-of-five') && cluster.items(again).includes('healed'));
  } finally {
    await cluster.destroy();
  }
});

test.run();
