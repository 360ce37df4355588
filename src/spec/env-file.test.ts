import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { envFileVariables, parseEnvFile } from './env-file.js';

test('env files hold KEY=value lines, comments, quotes and bare keys', () => {
  const text = [
    '# database',
    'DB_HOST=db',
    '',
    'export TAG=1.2',
    'QUOTED="a b # not a comment"',
    "SINGLE='$literal'",
    'TRAILING=value # comment',
    'EMPTY=',
    'FROM_SHELL',
    '  SPACED = x  ',
  ].join('\n');
  assert.equal(parseEnvFile(text), {
    entries: [
      { key: 'DB_HOST', value: 'db', line: 2 },
      { key: 'TAG', value: '1.2', line: 4 },
      { key: 'QUOTED', value: 'a b # not a comment', line: 5 },
      { key: 'SINGLE', value: '$literal', line: 6 },
      { key: 'TRAILING', value: 'value', line: 7 },
      { key: 'EMPTY', value: '', line: 8 },
      { key: 'FROM_SHELL', value: undefined, line: 9 },
      { key: 'SPACED', value: 'x', line: 10 },
    ],
    errors: [],
  });
});

test('malformed lines are reported with their line numbers', () => {
  assert.equal(parseEnvFile('OK=1\n=nokey\n9LIVES=x\r\nA B=c').errors, [
    { line: 2, message: 'expected KEY=value, got "=nokey"' },
    { line: 3, message: 'expected KEY=value, got "9LIVES=x"' },
    { line: 4, message: 'expected KEY=value, got "A B=c"' },
  ]);
});

test('later lines win and bare keys are left out of the variable map', () => {
  assert.equal(envFileVariables('A=1\nB\nA=2'), { A: '2' });
});

test.run();
