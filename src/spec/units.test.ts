import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBytes, parseCpus, parseDuration } from './units.js';

test('durations in compose syntax become milliseconds', () => {
  const cases: Array<[string, number]> = [['0', 0], ['500ms', 500], ['10s', 10_000], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5s', 1500], ['2h3m4s', 7_384_000], ['100us', 0], ['.5s', 500]];
  for (const [text, ms] of cases) assert.is(parseDuration(text), ms, text);
});

test('bad durations say what is expected', () => {
  for (const bad of ['', 'ten seconds', '10', '5x', '1m30', 's']) assert.throws(() => parseDuration(bad), /expected a duration like 30s/, bad);
});

test('sizes use binary units, case-insensitive', () => {
  const cases: Array<[string | number, number]> = [['1024', 1024], ['512m', 512 * 1024 ** 2], ['128M', 128 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5GiB', 1.5 * 1024 ** 3], ['64k', 65536], ['2kb', 2048], [4096, 4096]];
  for (const [text, bytes] of cases) assert.is(parseBytes(text), bytes, String(text));
});

test('bad sizes are refused', () => {
  for (const bad of ['lots', '', '12x', '-5m', '0', 0, 1.5, '1 2m']) assert.throws(() => parseBytes(bad), /expected a/, String(bad));
});

test('cpus become nanocpus; zero, negative and nonsense are refused', () => {
  assert.is(parseCpus('0.5'), 500_000_000);
  assert.is(parseCpus('2'), 2_000_000_000);
  assert.is(parseCpus(1.25), 1_250_000_000);
  for (const bad of ['0', '-1', 'half', '', '1e3x']) assert.throws(() => parseCpus(bad), /number of CPUs/, bad);
});

test.run();
