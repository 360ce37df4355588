import type { DependsOnSpec } from '../spec/service-spec.js';
import { isTerminal } from '../spec/task.js';
import type { ClusterStore } from './cluster-store.js';
import type { ServiceRecord, TaskRecord } from './records.js';

/** A task that should be running and has not ended. */
export function isLive(task: TaskRecord): boolean {
  return task.desiredState === 'running' && !isTerminal(task.state);
}

/** Running, and healthy when the spec has a health check. */
export function isHealthyRunning(task: TaskRecord): boolean {
  return task.state === 'running' && (task.spec.healthcheck === undefined || task.health === 'healthy');
}

/** Why `service` must wait for its dependencies (`depends_on`), or undefined when it may start. */
export function dependencyWait(store: ClusterStore, service: ServiceRecord): string | undefined {
  for (const dependency of service.spec.dependsOn) {
    const waiting = unmet(store, service.spec.stack, dependency);
    if (waiting !== undefined) return waiting;
  }
  return undefined;
}

function unmet(store: ClusterStore, stack: string, dependency: DependsOnSpec): string | undefined {
  const name = `${stack}_${dependency.service}`;
  const target = store.service(name);
  if (target === undefined) return `waiting for service ${name}, which does not exist`;
  const tasks = store.tasksOf(target.id);
  switch (dependency.condition) {
    case 'service_started':
      return tasks.some((t) => t.state === 'running') ? undefined : `waiting for ${name} to start`;
    case 'service_healthy':
      return tasks.some(isHealthyRunning) ? undefined : `waiting for ${name} to be healthy`;
    case 'service_completed_successfully':
      return tasks.some((t) => t.state === 'complete' && (t.exitCode ?? 0) === 0) ? undefined : `waiting for ${name} to complete successfully`;
  }
}
