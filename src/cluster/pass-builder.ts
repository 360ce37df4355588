import type { TaskState } from '../spec/task.js';
import type { ClusterCommand, OrchestrateCommand } from './commands.js';
import type { TaskRecord } from './records.js';

/** The decisions of one pass, gathered before they become one OrchestrateCommand. */
export class PassBuilder {
  readonly command: OrchestrateCommand;
  readonly extra: ClusterCommand[] = [];
  wakeAtMs: number | undefined;
  private readonly desired = new Map<string, TaskState>();

  constructor(nowMs: number) {
    this.command = { type: 'orchestrate', createTasks: [], assign: [], desired: [], pending: [], deleteTasks: [], updates: [], atMs: nowMs };
  }

  setDesired(task: TaskRecord, desiredState: TaskState): void {
    if (task.desiredState === desiredState || this.desired.has(task.id)) return;
    this.desired.set(task.id, desiredState);
    this.command.desired.push({ taskId: task.id, desiredState });
  }

  /** The desired state a task will have once this pass applies. */
  desiredOf(task: TaskRecord): TaskState {
    return this.desired.get(task.id) ?? task.desiredState;
  }

  wakeAt(ms: number): void {
    this.wakeAtMs = this.wakeAtMs === undefined ? ms : Math.min(this.wakeAtMs, ms);
  }

  isEmpty(): boolean {
    const c = this.command;
    return c.createTasks.length + c.assign.length + c.desired.length + c.pending.length + c.deleteTasks.length + c.updates.length === 0;
  }
}
