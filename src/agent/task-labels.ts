/**
 * The labels that mark a container as a task's. The agent finds its containers by them
 * after a daemon restart (`recover`) and when cleaning up containers whose task is gone,
 * so they are part of the on-disk contract: renaming one orphans running containers.
 */
export const taskLabels = {
  taskId: 'swarmts.task.id',
  serviceId: 'swarmts.service.id',
  serviceName: 'swarmts.service.name',
  nodeId: 'swarmts.node.id',
} as const;

/** The task id of a container this node's agent made, or undefined for any other container. */
export function taskIdOf(labels: Readonly<Record<string, string>>, nodeId: string): string | undefined {
  if (labels[taskLabels.nodeId] !== nodeId) return undefined;
  const taskId = labels[taskLabels.taskId];
  return taskId === undefined || taskId === '' ? undefined : taskId;
}
