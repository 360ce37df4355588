import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { applyToConfState, confChangeProblem, decodeConfChange, encodeConfChange } from './conf-change.js';
import type { ConfChange, ConfState } from './types.js';

const cs: ConfState = { voters: ['1', '2'], learners: ['3'] };

test('applying changes, including ones that became no-ops', () => {
  const cases: [ConfChange, ConfState][] = [
    [{ type: 'addVoter', node: '4' }, { voters: ['1', '2', '4'], learners: ['3'] }],
    [{ type: 'addVoter', node: '3' }, { voters: ['1', '2', '3'], learners: [] }],
    [{ type: 'addVoter', node: '1' }, cs],
    [{ type: 'addLearner', node: '4' }, { voters: ['1', '2'], learners: ['3', '4'] }],
    [{ type: 'addLearner', node: '1' }, cs],
    [{ type: 'promoteLearner', node: '3' }, { voters: ['1', '2', '3'], learners: [] }],
    [{ type: 'promoteLearner', node: '9' }, cs],
    [{ type: 'removeNode', node: '2' }, { voters: ['1'], learners: ['3'] }],
    [{ type: 'removeNode', node: '3' }, { voters: ['1', '2'], learners: [] }],
    [{ type: 'removeNode', node: '9' }, cs],
  ];
  for (const [change, want] of cases) assert.equal(applyToConfState(cs, change), want, JSON.stringify(change));
  assert.equal(applyToConfState({ voters: ['1'], learners: [] }, { type: 'removeNode', node: '1' }), { voters: ['1'], learners: [] }, 'the last voter stays');
});

test('proposal checks refuse demotion, promoting a stranger and removing the last voter', () => {
  assert.ok(confChangeProblem(cs, { type: 'addLearner', node: '1' }));
  assert.ok(confChangeProblem(cs, { type: 'promoteLearner', node: '9' }));
  assert.ok(confChangeProblem({ voters: ['1'], learners: [] }, { type: 'removeNode', node: '1' }));
  assert.is(confChangeProblem(cs, { type: 'removeNode', node: '1' }), undefined);
  assert.is(confChangeProblem(cs, { type: 'promoteLearner', node: '3' }), undefined);
});

test('conf change payloads round-trip, and bad ones are MALFORMED_MESSAGE', () => {
  const change: ConfChange = { type: 'promoteLearner', node: 'abc' };
  assert.equal(decodeConfChange(encodeConfChange(change)), change);
  const bad = ['', 'not json', 'null', '{"type":"addVoter"}', '{"type":"nope","node":"1"}', '{"type":"addVoter","node":""}', '{"type":"addVoter","node":7}'];
  for (const text of bad) {
    assert.throws(() => decodeConfChange(new TextEncoder().encode(text)), (err: unknown) => isSwarmError(err, 'MALFORMED_MESSAGE'), text);
  }
});

test.run();
