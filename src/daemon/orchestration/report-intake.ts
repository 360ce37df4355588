import type { ClusterCommand } from '../../cluster/commands.js';
import type { TaskStatusReport } from '../../cluster/records.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ClusterReplica } from './cluster-replica.js';
import { reportReflected } from './report-relay.js';

const batchDelayMs = 50;
const batchMax = 1000;

/**
 * The leader's side of task reports: keeps those that come from the node the task is
 * assigned to and would change the committed state, and proposes them in batches as
 * `task-status` commands. A batch that fails is dropped: the agents send again.
 */
export class ReportIntake {
  private readonly queue = new Map<string, TaskStatusReport>();
  private timer: NodeJS.Timeout | undefined;
  private proposing = false;

  constructor(
    private readonly replica: ClusterReplica,
    private readonly propose: (command: ClusterCommand) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  offer(from: string, reports: readonly TaskStatusReport[]): void {
    for (const report of reports) {
      const task = this.replica.store.task(report.taskId);
      if (task === undefined || task.nodeId !== from || reportReflected(task, report)) continue;
      this.queue.set(report.taskId, report);
    }
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.clear();
  }

  private schedule(): void {
    if (this.queue.size === 0 || this.timer !== undefined || this.proposing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.proposeBatch();
    }, batchDelayMs);
  }

  private async proposeBatch(): Promise<void> {
    const reports = [...this.queue.values()].slice(0, batchMax);
    for (const report of reports) this.queue.delete(report.taskId);
    this.proposing = true;
    try {
      await this.propose({ type: 'task-status', reports });
    } catch (err) {
      this.logger.debug('task reports not committed', { count: reports.length, error: errorMessage(err) });
    } finally {
      this.proposing = false;
      this.schedule();
    }
  }
}
