import type { TaskStatusReport } from '../cluster/records.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { canTransition, type TaskState } from '../spec/task.js';

/**
 * The agent's memory of what it told the cluster about each task, and the outbox of
 * reports not yet handed over. A report that would move a task backwards, or repeat the
 * last one, is dropped here, so the rest of the agent can report freely. Reports go out in
 * batches on `flush`; a batch the callback throws on is kept and offered again at the next
 * flush, in order, so no report is lost.
 */
export class ReportLog {
  /** The furthest state of each task: what we reported, or what the cluster already holds, whichever is later. */
  private readonly known = new Map<string, TaskState>();
  private readonly latest = new Map<string, TaskStatusReport>();
  private pending: TaskStatusReport[] = [];

  constructor(
    private readonly send: (reports: TaskStatusReport[]) => void,
    private readonly pendingMax: number,
    private readonly log: Logger,
  ) {}

  /** The furthest state known for the task, undefined before anything was reported or observed. */
  stateOf(taskId: string): TaskState | undefined {
    return this.known.get(taskId);
  }

  /** Takes in the state the cluster records for a task, so the agent never reports behind it. */
  observe(taskId: string, state: TaskState): void {
    const known = this.known.get(taskId);
    if (known === undefined || canTransition(known, state)) this.known.set(taskId, state);
  }

  /**
   * Queues a report if it moves the task forward, or keeps its state and changes its
   * health. Returns whether it was queued.
   */
  push(report: TaskStatusReport): boolean {
    const known = this.known.get(report.taskId);
    const sameState = known === report.state;
    if (known !== undefined && !sameState && !canTransition(known, report.state)) {
      this.log.debug('dropped a report that would move a task backwards', { task: report.taskId, from: known, to: report.state });
      return false;
    }
    if (sameState && (report.health === undefined || report.health === this.latest.get(report.taskId)?.health)) return false;
    this.known.set(report.taskId, report.state);
    this.latest.set(report.taskId, report);
    this.pending.push(report);
    if (this.pending.length > this.pendingMax) this.pending = mergePerTask(this.pending);
    return true;
  }

  /** Hands every queued report to the callback in one batch. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.send(batch);
    } catch (err) {
      this.log.warn('the report callback failed; keeping the reports for the next flush', { count: batch.length, error: errorMessage(err) });
      this.pending = batch.concat(this.pending);
      if (this.pending.length > this.pendingMax) this.pending = mergePerTask(this.pending);
    }
  }

  /** The newest report made for each task: what to send again to a cluster that may have missed some. */
  current(): TaskStatusReport[] {
    return [...this.latest.values()];
  }

  /** Reports waiting for the callback. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Drops what is remembered of a task the cluster deleted. Its pending reports still go out. */
  forget(taskId: string): void {
    this.known.delete(taskId);
    this.latest.delete(taskId);
  }
}

/**
 * One report per task: the newest, with the container id, exit code and health filled
 * from earlier ones where it has none. Tasks keep the order of their first report.
 */
export function mergePerTask(reports: readonly TaskStatusReport[]): TaskStatusReport[] {
  const merged = new Map<string, TaskStatusReport>();
  for (const report of reports) {
    const earlier = merged.get(report.taskId);
    if (earlier === undefined) {
      merged.set(report.taskId, report);
      continue;
    }
    const next: TaskStatusReport = { ...report };
    const containerId = report.containerId ?? earlier.containerId;
    const exitCode = report.exitCode ?? earlier.exitCode;
    const health = report.health ?? earlier.health;
    if (containerId !== undefined) next.containerId = containerId;
    if (exitCode !== undefined) next.exitCode = exitCode;
    if (health !== undefined) next.health = health;
    merged.set(report.taskId, next);
  }
  return [...merged.values()];
}
