import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultAgentConfig, validateAgentConfig } from './agent-config.js';

test('the agent config validator names every bad field at once', () => {
  validateAgentConfig(defaultAgentConfig());
  try {
    validateAgentConfig({ pendingReportsMax: 0, healthOutputBytesMax: 1.5, strayStopTimeoutMs: -1 });
    assert.unreachable('should throw');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_CONFIG'));
    assert.match((err as Error).message, /pendingReportsMax: .*got 0; healthOutputBytesMax: .*got 1\.5; strayStopTimeoutMs: .*got -1/);
  }
});

test.run();
