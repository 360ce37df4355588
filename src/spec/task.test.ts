import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canTransition, isTerminal, taskStates, type TaskState } from './task.js';

test('live states move forward, may skip ahead, and never go back', () => {
  const cases: Array<[TaskState, TaskState, boolean]> = [
    ['new', 'pending', true],
    ['pending', 'assigned', true],
    ['assigned', 'accepted', true],
    ['accepted', 'preparing', true],
    ['preparing', 'starting', true],
    ['starting', 'running', true],
    ['new', 'running', true],
    ['pending', 'rejected', true],
    ['running', 'complete', true],
    ['running', 'failed', true],
    ['running', 'shutdown', true],
    ['running', 'orphaned', true],
    ['starting', 'remove', true],
    ['running', 'starting', false],
    ['assigned', 'pending', false],
    ['running', 'new', false],
  ];
  for (const [from, to, ok] of cases) assert.is(canTransition(from, to), ok, `${from} -> ${to}`);
});

test('a state never transitions to itself', () => {
  for (const state of taskStates) assert.is(canTransition(state, state), false, state);
});

test('ended tasks may only be marked remove, and remove is final', () => {
  const cases: Array<[TaskState, TaskState, boolean]> = [
    ['complete', 'remove', true],
    ['failed', 'remove', true],
    ['shutdown', 'remove', true],
    ['rejected', 'remove', true],
    ['orphaned', 'remove', true],
    ['complete', 'failed', false],
    ['failed', 'shutdown', false],
    ['shutdown', 'running', false],
    ['rejected', 'orphaned', false],
    ['remove', 'new', false],
    ['remove', 'complete', false],
  ];
  for (const [from, to, ok] of cases) assert.is(canTransition(from, to), ok, `${from} -> ${to}`);
});

test('terminal states are complete, failed, shutdown, rejected, orphaned and remove', () => {
  assert.equal(taskStates.filter(isTerminal), ['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);
});

test.run();
