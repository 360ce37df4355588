import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tamperToken } from './token-tamper.js';

test('a spoiled key or secret differs from the token in exactly that part, by one character', () => {
  const token = 'SWMTKN-1-0123456789abcdef-zyxwvu';
  for (const part of ['key', 'secret'] as const) {
    const spoiled = tamperToken(token, part);
    assert.type(spoiled, 'string');
    const [a, b] = [token.split('-'), (spoiled as string).split('-')];
    const index = part === 'key' ? 2 : 3;
    assert.is(b.length, a.length);
    a.forEach((p, i) => (i === index ? assert.is.not(b[i], p, part) : assert.is(b[i], p, `part ${i} of ${part}`)));
    assert.is([...a[index]!].filter((c, i) => b[index]![i] !== c).length, 1, 'one character changed');
    assert.ok([...b[index]!].every((c) => a[index]!.includes(c)), 'the new character comes from the same part');
  }
});

test('tokens that are not PREFIX-VERSION-KEY-SECRET, or whose part has one character, are refused with a reason', () => {
  for (const [token, part, message] of [
    ['justonestring', 'key', /PREFIX-VERSION-KEY-SECRET/],
    ['a--b-c', 'key', /PREFIX-VERSION-KEY-SECRET/],
    ['SWMTKN-1-aaaa-bcd', 'key', /single distinct character/],
  ] as const) {
    const result = tamperToken(token, part);
    assert.instance(result, Error, token);
    assert.match((result as Error).message, message);
  }
});

test.run();
