import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultMembershipConfig, validateMembershipConfig, type MembershipConfig } from './config.js';

test('the default config is valid', () => {
  const config = defaultMembershipConfig();
  assert.is(validateMembershipConfig(config), config);
});

test('bad fields are all reported at once, each with what was expected', () => {
  const cases: [Partial<MembershipConfig>, RegExp][] = [
    [{ probeIntervalMs: 0 }, /probeIntervalMs: expected >= 1, got 0/],
    [{ probeIntervalMs: Number.NaN }, /probeIntervalMs: expected a finite number/],
    [{ indirectChecks: 1.5 }, /indirectChecks: expected an integer/],
    [{ gossipNodes: -1 }, /gossipNodes: expected >= 0/],
    [{ suspicionMult: 0 }, /suspicionMult: expected >= 1/],
    [{ updatesPerMessageMax: Infinity }, /updatesPerMessageMax: expected a finite number/],
    [{ probeTimeoutMs: 1000, probeIntervalMs: 1000 }, /probeTimeoutMs: expected less than probeIntervalMs/],
    [{ retransmitMult: '4' as unknown as number }, /retransmitMult: expected a finite number, got "4"/],
  ];
  for (const [override, message] of cases) {
    try {
      validateMembershipConfig({ ...defaultMembershipConfig(), ...override });
      assert.unreachable(`accepted ${JSON.stringify(override)}`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_CONFIG'), String(err));
      assert.match((err as Error).message, message);
    }
  }
  assert.throws(
    () => validateMembershipConfig({ ...defaultMembershipConfig(), gossipNodes: -1, probeIntervalMs: 0 }),
    (err: unknown) => isSwarmError(err, 'INVALID_CONFIG') && (err.details?.['problems'] as string[]).length === 2,
  );
});

test('boundary values are accepted', () => {
  const config = { ...defaultMembershipConfig(), indirectChecks: 0, gossipNodes: 0, gossipToTheDeadMs: 0, awarenessMaxMultiplier: 1, deadReapAfterMs: 0 };
  assert.is(validateMembershipConfig(config), config);
});

test.run();
