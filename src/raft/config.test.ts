import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { defaultRaftConfig, raftConfigProblems, validateRaftConfig, type RaftConfig } from './config.js';

test('the default config is valid', () => {
  assert.equal(raftConfigProblems(defaultRaftConfig('n1')), []);
});

test('every bad field is named, all at once', () => {
  const cases: [Partial<RaftConfig>, string[]][] = [
    [{ id: '' }, ['id']],
    [{ electionTicks: 0 }, ['electionTicks']],
    [{ heartbeatTicks: 1.5, maxInflightMsgs: -1 }, ['heartbeatTicks', 'maxInflightMsgs']],
    [{ electionTicks: 3, heartbeatTicks: 3 }, ['electionTicks']],
    [{ maxSizePerMsgBytes: Number.NaN, snapshotTimeoutTicks: 0, maxPendingReads: 0 }, ['maxSizePerMsgBytes', 'snapshotTimeoutTicks', 'maxPendingReads']],
  ];
  for (const [override, fields] of cases) {
    const problems = raftConfigProblems({ ...defaultRaftConfig('n1'), ...override });
    assert.equal(problems.map((p) => p.split(':')[0]), fields, JSON.stringify(override));
  }
  assert.throws(() => validateRaftConfig({ ...defaultRaftConfig('n1'), electionTicks: 0 }), (err: unknown) => isSwarmError(err, 'INVALID_CONFIG'));
});

test.run();
