import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultSchedulerConfig, validateSchedulerConfig } from './config.js';

test('the default strategy is spread, as in Docker Swarm', () => {
  assert.equal(defaultSchedulerConfig(), { strategy: 'spread' });
});

test('both strategies are valid', () => {
  assert.equal(validateSchedulerConfig({ strategy: 'binpack' }), { strategy: 'binpack' });
  assert.equal(validateSchedulerConfig(defaultSchedulerConfig()), defaultSchedulerConfig());
});

const bad: [unknown, string][] = [
  [null, 'scheduler config: expected an object, got null'],
  ['spread', 'scheduler config: expected an object, got "spread"'],
  [{}, 'scheduler.strategy: expected one of spread, binpack, got undefined'],
  [{ strategy: 'random' }, 'scheduler.strategy: expected one of spread, binpack, got "random"'],
];
for (const [value, message] of bad) {
  test(`${JSON.stringify(value)} is refused: ${message}`, () => {
    try {
      validateSchedulerConfig(value);
      assert.unreachable('accepted');
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_CONFIG'));
      assert.is((err as Error).message, message);
    }
  });
}

test.run();
