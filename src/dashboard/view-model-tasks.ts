import type { TaskSummary } from '../daemon/api-orchestration.js';
import type { TaskState } from '../spec/task.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { matchesFilter } from './filter.js';
import { compactDuration } from './format.js';
import type { Tone } from './tone.js';

/** What the tasks pane lists: the tasks of a service, or the tasks on a node. */
export type TaskScope = { kind: 'service'; serviceId: string } | { kind: 'node'; nodeId: string };

/** One row of the tasks pane. */
export interface TaskRow {
  id: string;
  name: string;
  /** Hostname, else the node id's tail, else '' while unassigned. */
  node: string;
  state: TaskState;
  stateTone: Tone;
  /** False for history: tasks that were replaced or shut down. */
  current: boolean;
  health: string;
  /** Time since the task last changed state. */
  age: string;
  error: string;
  containerId: string;
  exitCode: number | undefined;
}

const stateTones: Partial<Record<TaskState, Tone>> = {
  running: 'good', failed: 'bad', rejected: 'bad', orphaned: 'bad', pending: 'warn', assigned: 'info', preparing: 'info', starting: 'info',
};

function stateTone(task: TaskSummary): Tone {
  if (task.health === 'unhealthy') return 'bad';
  if (task.desiredState !== 'running') return task.state === 'failed' || task.state === 'rejected' ? 'bad' : 'plain';
  return stateTones[task.state] ?? 'plain';
}

/** A global task is named after its node's id (`web_agent.12D3KooW…`): show the hostname instead. */
function displayName(t: TaskSummary): string {
  if (t.slot > 0 || t.nodeId === undefined || !t.name.endsWith(t.nodeId)) return t.name;
  return t.name.slice(0, -t.nodeId.length) + (t.node ?? t.nodeId.slice(-12));
}

/** Current tasks by name (slot), then the history, newest first; only those matching `filter`. */
export function taskRows(snapshot: ClusterSnapshot, scope: TaskScope | undefined, filter: string, nowMs: number): TaskRow[] {
  if (scope === undefined) return [];
  const inScope = snapshot.tasks.filter((t) => (scope.kind === 'service' ? t.serviceId === scope.serviceId : t.nodeId === scope.nodeId));
  const current = inScope.filter((t) => t.desiredState === 'running').sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const history = inScope.filter((t) => t.desiredState !== 'running').sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
  return [...current, ...history]
    .map((t) => ({
      id: t.id,
      name: displayName(t),
      node: t.node ?? t.nodeId?.slice(-12) ?? '',
      state: t.state,
      stateTone: stateTone(t),
      current: t.desiredState === 'running',
      health: t.health ?? '',
      age: compactDuration(nowMs - t.updatedAt),
      error: t.error,
      containerId: t.containerId ?? '',
      exitCode: t.exitCode,
    }))
    .filter((r) => matchesFilter(filter, r.name, r.node, r.state, r.error));
}

/** The task in full, for the tasks pane after enter: every field, the error unclipped. */
export function taskDetailLines(row: TaskRow): string[] {
  return [
    `task       ${row.name}${row.current ? '' : ' (history)'}`,
    `node       ${row.node || 'not assigned yet'}`,
    `state      ${row.state} for ${row.age}${row.health ? `, ${row.health}` : ''}`,
    `error      ${row.error || 'none'}`,
    `container  ${row.containerId || 'none yet'}${row.exitCode === undefined ? '' : `, exited ${row.exitCode}`}`,
    `id         ${row.id}`,
  ];
}
