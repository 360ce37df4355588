import type { RestartPolicySpec } from '../spec/service-spec.js';
import type { TaskRecord } from './records.js';

/** What to do about a task that ended while it should be running. */
export type RestartDecision = { kind: 'replace' } | { kind: 'wait'; untilMs: number } | { kind: 'give-up'; reason: string };

/** Whether the task ended by failing (a non-zero exit, a refusal, or lost with its node). */
function failed(task: TaskRecord): boolean {
  return task.state === 'failed' || task.state === 'rejected' || task.state === 'orphaned' || (task.exitCode !== undefined && task.exitCode !== 0);
}

/**
 * Swarm's restart policy for one ended task: `condition` (none, on-failure, any), a
 * `delay` before the replacement starts, and at most `max_attempts` replacements within
 * `window` (all time when no window), counted among the tasks of the ended task's spec
 * version. `history` is every task of the same slot (or node, for global services), the
 * ended one included.
 */
export function restartDecision(policy: RestartPolicySpec, ended: TaskRecord, history: readonly TaskRecord[], nowMs: number): RestartDecision {
  if (policy.condition === 'none') return { kind: 'give-up', reason: 'restart policy is none' };
  if (policy.condition === 'on-failure' && !failed(ended)) return { kind: 'give-up', reason: 'completed successfully (restart policy on-failure)' };
  if (policy.maxAttempts !== undefined && policy.maxAttempts > 0) {
    const since = policy.windowMs === undefined ? -Infinity : nowMs - policy.windowMs;
    // Attempts count per spec version, as swarmkit's restart supervisor resets its history when
    // the spec changes; and the version's first task in the slot is not a restart.
    const ofVersion = history.filter((task) => task.specVersion === ended.specVersion);
    const first = ofVersion.reduce((a, b) => (b.createdAtMs < a.createdAtMs ? b : a), ended);
    const restarts = ofVersion.filter((task) => task !== first && task.createdAtMs >= since).length;
    if (restarts >= policy.maxAttempts) return { kind: 'give-up', reason: `restarted ${restarts} times (max_attempts ${policy.maxAttempts})` };
  }
  const untilMs = ended.updatedAtMs + policy.delayMs;
  return nowMs >= untilMs ? { kind: 'replace' } : { kind: 'wait', untilMs };
}
