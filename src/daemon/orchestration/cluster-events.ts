import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { MembershipEvent } from '../../membership/types.js';
import type { ClusterEvent } from '../api-orchestration.js';
import type { AppliedCommand } from './cluster-replica.js';
import { taskName } from './views.js';

const taskActions = new Set(['running', 'failed', 'complete', 'shutdown', 'rejected'] as const);
type TaskAction = Extract<ClusterEvent, { type: 'task' }>['action'];

/** The events one applied command means, read against the state after it. Pure. */
export function eventsOfCommand({ command, result }: AppliedCommand, store: ClusterStore, time: number): ClusterEvent[] {
  if (!result.ok) return [];
  const service = (action: Extract<ClusterEvent, { type: 'service' }>['action'], names: readonly string[] = []) =>
    names.map((name): ClusterEvent => ({ type: 'service', action, service: name, time }));
  switch (command.type) {
    case 'deploy-stack':
    case 'remove-stack':
      return [...service('created', result.created), ...service('updated', result.updated), ...service('removed', result.removed)];
    case 'scale-service':
      return service('scaled', result.updated);
    case 'update-service':
      return service('updated', result.updated);
    case 'rollback-service':
      return service('rollback', result.updated);
    case 'update-node': {
      if (command.availability === undefined && command.labelsAdd === undefined && command.labelsRemove === undefined && command.role === undefined) return [];
      if (result.created !== undefined && result.created.length > 0) return [];
      return [{ type: 'node', action: 'updated', nodeId: command.node, hostname: store.node(command.node)?.hostname ?? command.node, time }];
    }
    case 'set-node-role':
      return (result.updated ?? []).map((nodeId): ClusterEvent => ({ type: 'node', action: 'updated', nodeId, hostname: store.node(nodeId)?.hostname ?? nodeId, time }));
    case 'remove-node':
      return [{ type: 'node', action: 'left', nodeId: command.node, hostname: command.node, time }];
    case 'orchestrate': {
      const events: ClusterEvent[] = [];
      for (const { taskId, nodeId } of command.assign) events.push(...taskEvent(store, taskId, 'placed', `on ${store.node(nodeId)?.hostname ?? nodeId}`, time));
      for (const { taskId, error } of command.pending) events.push(...taskEvent(store, taskId, 'pending', error, time));
      for (const { serviceId, status } of command.updates) {
        const name = store.service(serviceId)?.fullName;
        if (name !== undefined && status !== undefined) events.push({ type: 'update', service: name, state: status.state, message: status.message, time });
      }
      return events;
    }
    case 'task-status':
      return command.reports.flatMap((report) => {
        if (report.health === 'unhealthy') return taskEvent(store, report.taskId, 'unhealthy', report.error, time);
        const action = report.state as TaskAction;
        return taskActions.has(action as never) ? taskEvent(store, report.taskId, action, report.error, time) : [];
      });
  }
}

function taskEvent(store: ClusterStore, taskId: string, action: TaskAction, message: string, time: number): ClusterEvent[] {
  const task = store.task(taskId);
  if (task === undefined) return [];
  const service = store.service(task.serviceId)?.fullName ?? `${task.spec.stack}_${task.spec.name}`;
  return [{ type: 'task', action, service, taskId, task: taskName(service, task), nodeId: task.nodeId, message, time }];
}

const nodeActions: Record<MembershipEvent['type'], Extract<ClusterEvent, { type: 'node' }>['action']> = {
  joined: 'joined', updated: 'updated', suspect: 'suspect', dead: 'down', left: 'left', 'alive-again': 'alive',
};

export function eventOfMembership(event: MembershipEvent, time: number): ClusterEvent {
  return { type: 'node', action: nodeActions[event.type], nodeId: event.member.meta.id, hostname: event.member.meta.name, time };
}
