import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listOption, parseCommand, parseScript, renderScript } from './datadriven.js';

test('scripts round-trip through parse and render, comments kept', () => {
  const text = '# note\ncmd a b=(1,2)\n----\nline 1\nline 2\n\nnext\n----\nok\n';
  const cases = parseScript(text);
  assert.equal(cases.map((c) => [c.command, c.line, c.expected]), [['cmd a b=(1,2)', 2, 'line 1\nline 2'], ['next', 7, 'ok']]);
  assert.is(renderScript(cases, cases.map((c) => c.expected)), text);
});

test('a command without its ---- line is reported with its line number', () => {
  assert.throws(() => parseScript('a\n----\nok\n\nb\nc\n'), /line 5/);
});

test('commands split into arguments and options', () => {
  const cmd = parseCommand('add-nodes 3 voters=(1,2,3) learners=() pre-vote=true');
  assert.equal(cmd.args, ['3']);
  assert.equal(listOption(cmd.options.get('voters')), ['1', '2', '3']);
  assert.equal(listOption(cmd.options.get('learners')), []);
  assert.equal(listOption('4'), ['4']);
});

test.run();
