import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { humanAge, humanDuration, humanSize, table, truncate } from './format.js';

test('table aligns columns with three spaces and trims line ends', () => {
  assert.is(table(['ID', 'NAME'], [['abc', 'web'], ['abcdef', 'x']]), 'ID       NAME\nabc      web\nabcdef   x');
});

test('humanSize uses decimal units like docker', () => {
  const cases: Array<[number, string]> = [[0, '0B'], [999, '999B'], [1000, '1.00kB'], [1_234_567, '1.23MB'], [45_600_000, '45.6MB'], [999_000_000, '999MB'], [2e12, '2.00TB']];
  for (const [bytes, expected] of cases) assert.is(humanSize(bytes), expected, `${bytes}`);
});

test('humanDuration reads like docker ps', () => {
  const cases: Array<[number, string]> = [[0, 'Less than a second'], [1000, '1 second'], [59_000, '59 seconds'], [60_000, 'About a minute'], [180_000, '3 minutes'], [3_600_000, 'About an hour'], [5 * 3_600_000, '5 hours'], [3 * 86_400_000, '3 days'], [21 * 86_400_000, '3 weeks']];
  for (const [ms, expected] of cases) assert.is(humanDuration(ms), expected, `${ms}`);
});

test('humanAge says how long ago, never in the future', () => {
  assert.is(humanAge(1_000, 181_000), '3 minutes ago');
  assert.is(humanAge(5_000, 1_000), 'Less than a second ago');
});

test('truncate keeps short text and marks cut text', () => {
  assert.is(truncate('short', 10), 'short');
  assert.is(truncate('a long command line', 8), 'a long …');
});

test.run();
