import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from './interpolate.js';

const vars: Record<string, string> = { TAG: '1.2', EMPTY: '', PORT: '8080', NAME_2: 'x' };
const lookup = (name: string) => vars[name];

test('variables, defaults and escapes expand like compose', () => {
  const cases: Array<[string, string]> = [
    ['nginx:${TAG}', 'nginx:1.2'],
    ['nginx:$TAG', 'nginx:1.2'],
    ['$TAG-$NAME_2', '1.2-x'],
    ['${MISSING:-3}', '3'],
    ['${EMPTY:-3}', '3'],
    ['${EMPTY-3}', ''],
    ['${MISSING-3}', '3'],
    ['${TAG:-3}', '1.2'],
    ['${MISSING:-${PORT}}', '8080'],
    ['${MISSING:-a ${MISSING2:-b}}', 'a b'],
    ['${TAG:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${MISSING+set}', ''],
    ['cost $$5', 'cost $5'],
    ['$${TAG}', '${TAG}'],
    ['no vars', 'no vars'],
    ['', ''],
  ];
  for (const [text, value] of cases) assert.is(interpolate(text, lookup).value, value, text);
});

test('unset variables become empty and are reported once', () => {
  assert.equal(interpolate('$A:${A}:${B}', lookup), { value: '::', unset: ['A', 'B'] });
  assert.equal(interpolate('${A:-x}', lookup).unset, []);
});

test('required variables fail with their message', () => {
  const cases: Array<[string, string]> = [
    ['${MISSING:?set MISSING to the db password}', 'required variable MISSING is not set: set MISSING to the db password'],
    ['${EMPTY:?}', 'required variable EMPTY is empty'],
    ['${MISSING?no}', 'required variable MISSING is not set: no'],
  ];
  for (const [text, message] of cases) assert.throws(() => interpolate(text, lookup), (err: Error) => err.message === message, text);
  assert.is(interpolate('${EMPTY?no}', lookup).value, '');
});

test('malformed interpolations are errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['${TAG', /unclosed "\$\{"/],
    ['${}', /expected a variable name/],
    ['${1X}', /expected a variable name/],
    ['${TAG%x}', /expected :-, -, :\?, \?, :\+ or \+ after TAG/],
    ['price $5', /write \$\$ for a literal \$/],
    ['trailing $', /write \$\$ for a literal \$/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => interpolate(text, lookup), pattern, text);
});

test.run();
