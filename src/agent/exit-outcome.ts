import type { ExitStatus } from '../runtime/runtime.js';

/** How a task ended, from its container's exit: what the agent reports. */
export interface ExitOutcome {
  state: 'complete' | 'failed';
  error: string;
  exitCode: number;
}

/** Exit 0 completes the task; anything else, or the OOM killer, fails it with a reason people can read. */
export function exitOutcome(exit: ExitStatus): ExitOutcome {
  if (exit.oomKilled) return { state: 'failed', error: 'OOM killed', exitCode: exit.exitCode };
  if (exit.exitCode === 0) return { state: 'complete', error: '', exitCode: 0 };
  const signal = exit.signal === undefined ? '' : ` (${exit.signal})`;
  return { state: 'failed', error: `exit code ${exit.exitCode}${signal}`, exitCode: exit.exitCode };
}
