import type { TaskRecord } from '../cluster/records.js';
import type { TaskAttachment } from '../network/task-network.js';

/**
 * Gives a task's container its place on the cluster network before it is created, and
 * takes it away once the container is removed. Without one, containers get a network
 * namespace with only loopback.
 */
export interface TaskNetworking {
  attach(task: TaskRecord, hostname: string): Promise<TaskAttachment>;
  /** Safe to call for a task that has no network. */
  detach(taskId: string): Promise<void>;
}
