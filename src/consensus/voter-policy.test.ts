import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultVoterPolicyConfig, nextVoterChange, validateVoterPolicyConfig, voterRemovalProblem, type ManagerNode } from './voter-policy.js';

const config = { voterDeadReplaceAfterMs: 60_000, votersMax: 5 };
const now = 1_000_000;
const alive = (id: string): ManagerNode => ({ id, state: 'alive' });
const suspect = (id: string): ManagerNode => ({ id, state: 'suspect' });
const leaving = (id: string): ManagerNode => ({ id, state: 'alive', leaving: true });
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
  // A demoted manager is leaving: its seat is refilled first where a spare can take it, then it goes.
  { name: 'demoted voter with a spare manager: the spare catches up first', managers: [alive('a'), alive('b'), leaving('c'), alive('d')], voters: ['a', 'b', 'c'], want: 'addLearner d' },
  { name: 'demoted voter, replacement caught up: the demoted one is removed', managers: [alive('a'), alive('b'), leaving('c'), alive('d')], voters: ['a', 'b', 'c'], learners: ['d'], want: 'remove c' },
  { name: 'demoted voter without a spare: removed', managers: [alive('a'), alive('b'), leaving('c')], voters: ['a', 'b', 'c'], want: 'remove c' },
  { name: 'demoted sole voter: the learner is made a voter before it goes', managers: [leaving('a'), alive('b')], voters: ['a'], learners: ['b'], want: 'promote b' },
  { name: 'demoted sole voter, replacement voting: the demoted one is removed', managers: [leaving('a'), alive('b')], voters: ['a', 'b'], want: 'remove a' },
  { name: 'demoted voter with another voter down: the down one goes first, so the quorum holds', managers: [alive('a'), deadFor('b', 1000), leaving('c')], voters: ['a', 'b', 'c'], want: 'remove b' },
  { name: 'a demoted manager is never added as a learner', managers: [alive('a'), leaving('b')], voters: ['a'], want: 'none' },
  { name: 'demoted learner is removed', managers: [alive('a'), leaving('b')], voters: ['a'], learners: ['b'], want: 'remove b' },
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

const removals: Array<{ name: string; node: string; voters: string[]; alive: string[]; want: RegExp | undefined }> = [
  { name: 'a learner never matters', node: 'd', voters: ['a', 'b', 'c'], alive: ['d'], want: undefined },
  { name: 'one of three alive voters', node: 'a', voters: ['a', 'b', 'c'], alive: ['a', 'b', 'c'], want: undefined },
  { name: 'one of three with another down: one of two left alive', node: 'a', voters: ['a', 'b', 'c'], alive: ['a', 'b'], want: /1 of the 2 raft voters left would be alive, below a quorum of 2 \(down: c\)/ },
  { name: 'the down voter itself', node: 'c', voters: ['a', 'b', 'c'], alive: ['a', 'b'], want: undefined },
  { name: 'one of five with one down', node: 'a', voters: ['a', 'b', 'c', 'd', 'e'], alive: ['a', 'b', 'c', 'd'], want: undefined },
  { name: 'one of five with two down', node: 'a', voters: ['a', 'b', 'c', 'd', 'e'], alive: ['a', 'b', 'c'], want: /2 of the 4 raft voters left would be alive, below a quorum of 3/ },
  { name: 'sole voter with an alive learner', node: 'a', voters: ['a'], alive: ['a', 'b'], want: undefined },
  { name: 'sole voter with nobody to take over', node: 'a', voters: ['a'], alive: ['a'], want: /only raft voter and no other manager is alive/ },
];

for (const row of removals) {
  test(`voter removal: ${row.name}`, () => {
    const problem = voterRemovalProblem({ node: row.node, voters: row.voters, aliveManagers: row.alive });
    if (row.want === undefined) assert.is(problem, undefined);
    else assert.match(problem ?? '', row.want);
  });
}

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
