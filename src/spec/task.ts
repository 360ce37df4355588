/**
 * A task is one scheduled instance of a service: it owns one container on one node.
 * Its observed state only moves forward, as in swarmkit, so a stale or reordered report
 * from an agent can never undo a newer one: the receiver keeps a report only if
 * `canTransition(current, reported)` holds.
 */

/** Task states in their forward-only order; everything from `complete` on is terminal. */
export const taskStates = [
  'new', 'pending', 'assigned', 'accepted', 'preparing', 'starting', 'running',
  'complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove',
] as const;

export type TaskState = (typeof taskStates)[number];

/** States a task ends in: its container is gone or never ran. Only `remove` follows them. */
const terminalStates: ReadonlySet<TaskState> = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned']);

/** One task of a service. Timestamps are milliseconds from the injected clock. */
export interface Task {
  id: string;
  serviceId: string;
  /** Replica number 1..replicas for replicated services; 0 for global ones (the node tells them apart). */
  slot: number;
  /** Undefined until the scheduler assigns the task. */
  nodeId: string | undefined;
  /** Where the orchestrator wants the task: usually running, shutdown or remove. */
  desiredState: TaskState;
  state: TaskState;
  /** Why the task failed or was rejected; '' otherwise. */
  error: string;
  createdAtMs: number;
  updatedAtMs: number;
}

/** True when `state` ends a task's life (remove included). */
export function isTerminal(state: TaskState): boolean {
  return terminalStates.has(state) || state === 'remove';
}

/**
 * Whether a task in `from` may move to `to`. A live task may skip ahead to any later live
 * state (reports can be coalesced) or end in any terminal state; an ended task may only be
 * marked `remove`. Staying in the same state is not a transition.
 */
export function canTransition(from: TaskState, to: TaskState): boolean {
  if (from === 'remove') return false;
  if (terminalStates.has(from)) return to === 'remove';
  return taskStates.indexOf(to) > taskStates.indexOf(from);
}
