import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exitOutcome } from './exit-outcome.js';

test('exits map to complete or failed with a readable reason', () => {
  const cases: Array<[Parameters<typeof exitOutcome>[0], ReturnType<typeof exitOutcome>]> = [
    [{ exitCode: 0, oomKilled: false, finishedAt: '' }, { state: 'complete', error: '', exitCode: 0 }],
    [{ exitCode: 3, oomKilled: false, finishedAt: '' }, { state: 'failed', error: 'exit code 3', exitCode: 3 }],
    [{ exitCode: 143, signal: 'SIGTERM', oomKilled: false, finishedAt: '' }, { state: 'failed', error: 'exit code 143 (SIGTERM)', exitCode: 143 }],
    [{ exitCode: 137, signal: 'SIGKILL', oomKilled: true, finishedAt: '' }, { state: 'failed', error: 'OOM killed', exitCode: 137 }],
    [{ exitCode: 0, oomKilled: true, finishedAt: '' }, { state: 'failed', error: 'OOM killed', exitCode: 0 }],
  ];
  for (const [exit, outcome] of cases) assert.equal(exitOutcome(exit), outcome, JSON.stringify(exit));
});

test.run();
