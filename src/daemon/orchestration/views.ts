import { shortNodeId } from '../../agent/container-spec.js';
import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { ServiceRecord, TaskRecord } from '../../cluster/records.js';
import { isHealthyRunning } from '../../cluster/service-health.js';
import type { ServiceDetail, ServiceSummary, StackSummary, TaskSummary } from '../api-orchestration.js';

/** What the API shows of the cluster state: pure functions of the store. */

/** `web_web.2`, or `web_agent.<node id>` for a global service's task. */
export function taskName(service: string, task: TaskRecord): string {
  return task.slot > 0 ? `${service}.${task.slot}` : `${service}.${task.nodeId === undefined ? 'unassigned' : shortNodeId(task.nodeId)}`;
}

export function serviceSummary(store: ClusterStore, service: ServiceRecord): ServiceSummary {
  const live = store.tasksOf(service.id).filter((task) => task.desiredState === 'running');
  return {
    id: service.id,
    name: service.fullName,
    stack: service.spec.stack,
    mode: service.spec.mode,
    image: service.spec.image,
    running: live.filter(isHealthyRunning).length,
    desired: service.spec.mode === 'global' ? live.length : service.spec.replicas,
    ports: service.spec.ports,
    update: service.update,
    createdAt: service.createdAtMs,
    updatedAt: service.updatedAtMs,
  };
}

export function serviceDetail(store: ClusterStore, service: ServiceRecord): ServiceDetail {
  const endpoints = store.tasksOf(service.id)
    .filter((task) => task.state === 'running' && task.desiredState === 'running' && task.address !== undefined)
    .map((task) => ({ task: taskName(service.fullName, task), address: task.address!, node: task.nodeId, healthy: task.health === undefined || task.health === 'healthy' }))
    .sort((a, b) => a.task.localeCompare(b.task));
  return { ...serviceSummary(store, service), spec: service.spec, version: service.version, previousSpec: service.previousSpec, endpoint: service.endpoint, networks: service.networks, endpoints };
}

export function taskSummary(store: ClusterStore, task: TaskRecord): TaskSummary {
  const serviceName = store.service(task.serviceId)?.fullName ?? `${task.spec.stack}_${task.spec.name}`;
  return {
    id: task.id,
    serviceId: task.serviceId,
    name: taskName(serviceName, task),
    slot: task.slot,
    image: task.spec.image,
    nodeId: task.nodeId,
    node: task.nodeId === undefined ? undefined : store.node(task.nodeId)?.hostname,
    desiredState: task.desiredState,
    state: task.state,
    health: task.health,
    error: task.error,
    containerId: task.containerId,
    exitCode: task.exitCode,
    address: task.address,
    createdAt: task.createdAtMs,
    updatedAt: task.updatedAtMs,
  };
}

/** Newest first within a slot, slots in order: as `docker service ps` lists them. */
export function compareTasks(a: TaskSummary, b: TaskSummary): number {
  return a.name.localeCompare(b.name, 'en', { numeric: true }) || b.createdAt - a.createdAt;
}

export function stackSummaries(store: ClusterStore): StackSummary[] {
  return store.stackList()
    .map((stack) => ({ name: stack.name, services: stack.services.filter((name) => store.service(name) !== undefined).length, deployedAt: stack.deployedAtMs }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
