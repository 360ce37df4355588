import type { NodeInfo } from '../spec/node-info.js';
import type { PlacementSpec, ResourceReservations, ServiceSpec } from '../spec/service-spec.js';

/**
 * What the scheduler reads about one candidate node: its description, its liveness and
 * what the tasks already on it hold. The caller builds it from the store (desired state)
 * and membership (liveness); the scheduler never looks anywhere else.
 */
export interface NodeState {
  info: NodeInfo;
  /** Alive in membership. A node that is not ready takes no new tasks. */
  ready: boolean;
  /** Sum of the reservations of the live tasks already on the node. */
  reserved: { nanoCpus: number; memoryBytes: number };
  /** Live tasks on the node, of every service. */
  tasksTotal: number;
  /** Live tasks on the node per service id; a missing service counts 0. */
  tasksByService: Readonly<Record<string, number>>;
}

/** The parts of a service the scheduler needs: who it is, what each task reserves and where it may go. */
export interface SchedulingService {
  id: string;
  reservations: ResourceReservations;
  placement: PlacementSpec;
}

/** The scheduling view of a parsed service, under the cluster's id for it. */
export function schedulingService(id: string, spec: Pick<ServiceSpec, 'resources' | 'placement'>): SchedulingService {
  return { id, reservations: spec.resources.reservations, placement: spec.placement };
}

/** How many tasks of `serviceId` run on `node`. */
export function serviceTaskCount(node: NodeState, serviceId: string): number {
  return node.tasksByService[serviceId] ?? 0;
}

/**
 * `node` after `count` more tasks of `service` were placed on it: reservations and counts
 * grow, everything else is shared with the input (which is left untouched).
 */
export function withPlacedTasks(node: NodeState, service: SchedulingService, count: number): NodeState {
  if (count === 0) return node;
  return {
    ...node,
    reserved: {
      nanoCpus: node.reserved.nanoCpus + count * (service.reservations.nanoCpus ?? 0),
      memoryBytes: node.reserved.memoryBytes + count * (service.reservations.memoryBytes ?? 0),
    },
    tasksTotal: node.tasksTotal + count,
    tasksByService: { ...node.tasksByService, [service.id]: serviceTaskCount(node, service.id) + count },
  };
}
