import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dnsLabelError, isObjectName, serviceFullName } from './names.js';

test('service and stack names must be DNS labels', () => {
  const cases: Array<[string, boolean]> = [
    ['web', true], ['a', true], ['0', true], ['web-2', true], ['a'.repeat(63), true],
    ['a'.repeat(64), false], ['', false], ['Web', false], ['web_2', false], ['-web', false], ['web-', false], ['we.b', false], ['wéb', false],
  ];
  for (const [name, ok] of cases) assert.is(dnsLabelError(name) === undefined, ok, name);
  assert.is(dnsLabelError('Web'), 'expected a DNS label (lowercase letters, digits and hyphens, at most 63, starting and ending with a letter or digit), got "Web"');
});

test('network and volume names follow Docker object names', () => {
  const cases: Array<[string, boolean]> = [['db-data', true], ['db_data', true], ['v1.2', true], ['X', true], ['_x', false], ['.x', false], ['a b', false], ['', false]];
  for (const [name, ok] of cases) assert.is(isObjectName(name), ok, name);
});

test('a service is named <stack>_<service> in the cluster', () => {
  assert.is(serviceFullName('demo', 'web'), 'demo_web');
});

test.run();
