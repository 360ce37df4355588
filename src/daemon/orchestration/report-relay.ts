import type { TaskRecord, TaskStatusReport } from '../../cluster/records.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { mergePerTask } from '../../agent/report-log.js';
import type { GossipTopic } from '../../p2p/gossip-topic.js';
import { canTransition } from '../../spec/task.js';
import type { ClusterReplica } from './cluster-replica.js';
import type { ReportsGossip } from './feed-messages.js';

const flushDelayMs = 20;
/** A report not yet seen in the committed state is sent again this often. */
const resendIntervalMs = 1000;

/** Whether the committed task already shows what `report` says (or moved past it). */
export function reportReflected(task: TaskRecord | undefined, report: TaskStatusReport): boolean {
  if (task === undefined) return true;
  if (task.state === report.state) return report.health === undefined || task.health === report.health;
  return !canTransition(task.state, report.state);
}

export interface ReportRelayComponents {
  nodeId: string;
  replica: ClusterReplica;
  topic: GossipTopic<ReportsGossip>;
  /** The leader's intake when this node leads (gossip never comes back to its author). */
  localIntake: () => ((from: string, reports: TaskStatusReport[]) => void) | undefined;
  logger: Logger;
}

/**
 * Carries this node's agent reports to the leader: by gossip, or straight to the intake on
 * the leader itself, again and again until the committed state shows each one. Reports of
 * one task are merged, so only the newest state travels.
 */
export class ReportRelay {
  private readonly pending = new Map<string, { report: TaskStatusReport; sentAtMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly c: ReportRelayComponents) {}

  start(): void {
    this.ticker = setInterval(() => this.flush(), resendIntervalMs);
  }

  stop(): void {
    clearInterval(this.ticker);
    clearTimeout(this.timer);
  }

  /** The agent's report callback. */
  add(reports: readonly TaskStatusReport[]): void {
    for (const report of reports) {
      const earlier = this.pending.get(report.taskId)?.report;
      this.pending.set(report.taskId, { report: earlier === undefined ? report : mergePerTask([earlier, report])[0]!, sentAtMs: 0 });
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, flushDelayMs);
  }

  private flush(): void {
    const now = Date.now();
    const due: TaskStatusReport[] = [];
    for (const [taskId, entry] of this.pending) {
      if (reportReflected(this.c.replica.store.task(taskId), entry.report)) this.pending.delete(taskId);
      else if (now - entry.sentAtMs >= resendIntervalMs) {
        entry.sentAtMs = now;
        due.push(entry.report);
      }
    }
    if (due.length === 0) return;
    const intake = this.c.localIntake();
    if (intake !== undefined) return intake(this.c.nodeId, due);
    this.c.topic.publish({ v: 1, reports: due }).catch((err: unknown) => this.c.logger.debug('task reports not gossiped', { error: errorMessage(err) }));
  }
}
