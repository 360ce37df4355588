import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closestMatch, didYouMean, editDistance } from './suggest.js';

test('edit distance counts inserts, deletes, substitutions and neighbour swaps as one edit each', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0], ['abc', '', 3], ['', 'ab', 2], ['image', 'image', 0], ['imgae', 'image', 1],
    ['replica', 'replicas', 1], ['port', 'ports', 1], ['kitten', 'sitting', 3], ['ab', 'ba', 1],
  ];
  for (const [a, b, d] of cases) assert.is(editDistance(a, b), d, `${a} ${b}`);
});

test('close typos get a suggestion, unrelated words do not', () => {
  const keys = ['image', 'ports', 'replicas', 'environment', 'deploy', 'user'];
  const cases: Array<[string, string | undefined]> = [
    ['imgae', 'image'], ['replica', 'replicas'], ['enviroment', 'environment'], ['Image', 'image'],
    ['usr', 'user'], ['xyz', undefined], ['banana', undefined], ['a', undefined],
  ];
  for (const [word, match] of cases) assert.is(closestMatch(word, keys), match, word);
});

test('didYouMean gives a message suffix, or nothing when no candidate is close', () => {
  assert.is(didYouMean('db_data', new Set(['db-data', 'logs'])), ', did you mean "db-data"?');
  assert.is(didYouMean('cache', ['db', 'web']), '');
  assert.is(didYouMean('x', []), '');
});

test.run();
