import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultVoterPolicyConfig, nextVoterChange, validateVoterPolicyConfig, type ManagerNode } from './voter-policy.js';

const config = { voterDeadReplaceAfterMs: 60_000, votersMax: 5 };
const now = 1_000_000;
const alive = (id: string): ManagerNode => ({ id, state: 'alive' });
const suspect = (id: string): ManagerNode => ({ id, state: 'suspect' });
const deadFor = (id: string, ms: number): ManagerNode => ({ id, state: 'dead', deadSinceMs: now - ms });

interface Row {
  name: string;
  managers: ManagerNode[];
  voters: string[];
  learners?: string[];
  want: string;
}

const rows: Row[] = [
  { name: 'one manager, voting alone', managers: [alive('a')], voters: ['a'], want: 'none' },
  { name: 'a second manager is not enough for three voters', managers: [alive('a'), alive('b')], voters: ['a'], want: 'none' },
  { name: 'three managers: the first spare becomes a learner', managers: [alive('a'), alive('c'), alive('b')], voters: ['a'], want: 'addLearner b' },
  { name: 'three managers: both spares learn before either votes', managers: [alive('a'), alive('b'), alive('c')], voters: ['a'], learners: ['b'], want: 'addLearner c' },
  { name: 'three managers: then the learners are promoted in id order', managers: [alive('a'), alive('b'), alive('c')], voters: ['a'], learners: ['b', 'c'], want: 'promote b' },
  { name: 'three managers: the second promotion reaches three', managers: [alive('a'), alive('b'), alive('c')], voters: ['a', 'b'], learners: ['c'], want: 'promote c' },
  { name: 'four managers keep three voters', managers: ['a', 'b', 'c', 'd'].map(alive), voters: ['a', 'b', 'c'], want: 'none' },
  { name: 'five managers grow to five voters', managers: ['a', 'b', 'c', 'd', 'e'].map(alive), voters: ['a', 'b', 'c'], want: 'addLearner d' },
  { name: 'seven managers stop at votersMax five', managers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(alive), voters: ['a', 'b', 'c', 'd', 'e'], want: 'none' },
  { name: 'a suspect manager is not added', managers: [alive('a'), alive('b'), suspect('c')], voters: ['a'], want: 'none' },
  { name: 'a voter dead for less than the limit is kept', managers: [alive('a'), alive('b'), deadFor('c', 59_999), alive('d')], voters: ['a', 'b', 'c'], want: 'none' },
  { name: 'a voter dead past the limit: its replacement learns first', managers: [alive('a'), alive('b'), deadFor('c', 60_000), alive('d')], voters: ['a', 'b', 'c'], want: 'addLearner d' },
  { name: 'then the dead voter is removed', managers: [alive('a'), alive('b'), deadFor('c', 60_000), alive('d')], voters: ['a', 'b', 'c'], learners: ['d'], want: 'remove c' },
  { name: 'then the replacement is promoted', managers: [alive('a'), alive('b'), deadFor('c', 60_000), alive('d')], voters: ['a', 'b'], learners: ['d'], want: 'promote d' },
  { name: 'no replacement without a quorum of alive voters', managers: [alive('a'), deadFor('b', 90_000), deadFor('c', 90_000), alive('d'), alive('e')], voters: ['a', 'b', 'c'], want: 'none' },
  { name: 'a suspect voter does not count towards the quorum', managers: [alive('a'), suspect('b'), deadFor('c', 90_000), alive('d')], voters: ['a', 'b', 'c'], learners: ['d'], want: 'none' },
  { name: 'five voters, two long dead, no spare: shrink to three', managers: [alive('a'), alive('b'), alive('c'), deadFor('d', 90_000), deadFor('e', 90_000)], voters: ['a', 'b', 'c', 'd', 'e'], want: 'remove d' },
  { name: 'a voter that is no longer a manager is removed', managers: ['a', 'b', 'c', 'd'].map(alive), voters: ['a', 'b', 'c', 'x'], want: 'remove x' },
  { name: 'an even count left from outside drops the highest id', managers: ['a', 'b', 'c', 'd'].map(alive), voters: ['a', 'b', 'c', 'd'], want: 'remove d' },
  { name: 'an even count drops a suspect voter first', managers: [alive('a'), suspect('b'), alive('c'), alive('d')], voters: ['a', 'b', 'c', 'd'], want: 'remove b' },
  { name: 'a sole voter that left holds no quorum: nothing can change', managers: [alive('b')], voters: ['a'], want: 'none' },
  { name: 'the last voter is never removed, with nobody to replace it', managers: [], voters: ['a'], want: 'none' },
  { name: 'a learner that left is removed', managers: [alive('a')], voters: ['a'], learners: ['z'], want: 'remove z' },
  { name: 'an alive spare learner is kept', managers: [alive('a'), alive('b')], voters: ['a'], learners: ['b'], want: 'none' },
  { name: 'input order does not matter', managers: [alive('c'), alive('a'), alive('b')], voters: ['a'], learners: ['c', 'b'], want: 'promote b' },
];

for (const row of rows) {
  test(`voter policy: ${row.name}`, () => {
    const change = nextVoterChange({ managers: row.managers, voters: row.voters, learners: row.learners ?? [], nowMs: now, config });
    const got = change.kind === 'none' ? 'none' : `${change.kind} ${change.node}`;
    assert.is(got, row.want, change.reason);
    assert.ok(change.reason.length > 0);
  });
}

test('voter policy: following its own advice from one manager to five reaches five voters, never targeting an even count', () => {
  const managers = ['m1', 'm2', 'm3', 'm4', 'm5'].map(alive);
  let voters = ['m1'];
  let learners: string[] = [];
  const counts: number[] = [];
  for (let step = 0; step < 20; step++) {
    const change = nextVoterChange({ managers, voters, learners, nowMs: now, config });
    if (change.kind === 'none') break;
    if (change.kind === 'addLearner') learners = [...learners, change.node];
    if (change.kind === 'promote') {
      learners = learners.filter((id) => id !== change.node);
      voters = [...voters, change.node];
      counts.push(voters.length);
    }
  }
  assert.equal(voters, ['m1', 'm2', 'm3', 'm4', 'm5']);
  assert.equal(counts, [2, 3, 4, 5]);
});

test('voter policy config: defaults are valid; an even votersMax and a negative time are refused together', () => {
  validateVoterPolicyConfig(defaultVoterPolicyConfig());
  try {
    validateVoterPolicyConfig({ voterDeadReplaceAfterMs: -1, votersMax: 4 });
    assert.unreachable('expected INVALID_CONFIG');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_CONFIG'));
    assert.match(err.message, /voterDeadReplaceAfterMs.*votersMax: expected a positive odd integer, got 4/);
  }
});

test.run();
