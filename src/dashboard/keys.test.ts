import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dashboardViewModel } from './dashboard-view-model.js';
import { handleKey, type KeyPress } from './keys.js';
import { fixtureNowMs, nodeIds, sampleSnapshot } from './test-fixtures.js';
import { initialUiState, type UiState } from './ui-state.js';

/** The keyboard as a pure function: sequences of keys and the state and effects they leave. */

const char = (c: string): KeyPress => ({ name: 'char', char: c });
const named = (name: Exclude<KeyPress['name'], 'char'>): KeyPress => ({ name }) as KeyPress;

function play(keys: KeyPress[], ui: UiState = initialUiState()) {
  const effects: unknown[] = [];
  for (const key of keys) {
    const result = handleKey(ui, key, dashboardViewModel(sampleSnapshot(), { state: 'live' }, ui, fixtureNowMs));
    ui = result.ui;
    if (result.effect) effects.push(result.effect);
  }
  return { ui, effects };
}

test('tab and shift-tab cycle the panes both ways', () => {
  assert.is(play([named('tab')]).ui.focus, 'tasks');
  assert.is(play([named('tab'), named('tab'), named('tab')]).ui.focus, 'nodes');
  assert.is(play([named('backtab'), named('backtab')]).ui.focus, 'events');
});

test('selection stops at the ends; moving the service resets the task selection and detail', () => {
  assert.is(play([named('up')]).ui.selected.services, 'svcagent');
  assert.is(play([named('down'), named('down'), named('down'), char('j')]).ui.selected.services, 'svcworker');
  assert.is(play([named('pagedown'), char('k')]).ui.selected.services, 'svcweb');
  const { ui } = play([named('enter'), named('down'), named('enter')]);
  assert.equal([ui.focus, ui.taskDetail], ['tasks', true]);
  const back = play([named('backtab'), named('down')], ui).ui;
  assert.equal([back.selected.tasks, back.taskDetail], [undefined, false]);
});

test('escape closes the task detail, then the logs, then clears the filter', () => {
  const ui = { ...initialUiState(), taskDetail: true, logsOf: 'web_web', filter: 'web' };
  const steps = [1, 2, 3].map((n) => play(Array(n).fill(named('escape')), ui).ui);
  assert.equal(steps.map((s) => [s.taskDetail, s.logsOf, s.filter]), [[false, 'web_web', 'web'], [false, undefined, 'web'], [false, undefined, '']]);
});

test('scale: digits only, at most 6, enter with none typed does nothing', () => {
  const { ui, effects } = play([named('down'), char('s'), char('a'), named('enter'), char('0')]);
  assert.equal(ui.prompt, { kind: 'scale', serviceId: 'svcweb', service: 'web_web', text: '0' });
  assert.equal(effects, []);
  assert.equal(play([char('1'), char('2'), char('3'), char('4'), char('5'), char('6'), char('7')], ui).ui.prompt, { kind: 'scale', serviceId: 'svcweb', service: 'web_web', text: '012345' });
  assert.equal(play([named('enter')], ui).effects, [{ kind: 'scale', service: 'web_web', replicas: 0 }]);
});

test('drain asks first; y or Y confirms, anything else cancels', () => {
  const asked = play([named('backtab'), named('down'), char('d')]).ui;
  assert.equal(asked.prompt, { kind: 'drain', nodeId: nodeIds.b, hostname: 'node-b' });
  assert.equal(play([char('Y')], asked).effects, [{ kind: 'drain', node: nodeIds.b, hostname: 'node-b' }]);
  const cancelled = play([named('enter')], asked);
  assert.equal([cancelled.effects, cancelled.ui.prompt, cancelled.ui.notice], [[], undefined, 'drain of node-b cancelled']);
});

test('with nothing selected, s, d and l say what to pick instead of acting', () => {
  const empty = { ...initialUiState(), filter: 'no-such-thing' };
  for (const key of ['s', 'd', 'l']) {
    const { ui, effects } = play([char(key)], empty);
    assert.equal(effects, []);
    assert.match(ui.notice, /^no (service|node) selected/);
  }
});

test('the filter edits live; q in a prompt is text, q elsewhere quits, q in help quits', () => {
  const typing = play([char('/'), char('w'), char('q'), named('backspace'), char('e')]).ui;
  assert.equal([typing.filter, typing.prompt], ['we', { kind: 'filter', text: 'we' }]);
  assert.equal(play([char('q')]).effects, [{ kind: 'quit' }]);
  assert.equal(play([char('?'), char('q')]).effects, [{ kind: 'quit' }]);
  assert.is(play([char('?'), named('down')]).ui.prompt, undefined);
});

test('a notice lasts until the next key', () => {
  const { ui } = play([char('s')]);
  assert.match(ui.notice, 'global');
  assert.is(play([named('down')], ui).ui.notice, '');
});

test.run();
