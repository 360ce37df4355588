import { matchesConstraint } from '../spec/placement-match.js';
import type { NodeState, SchedulingService } from './node-state.js';

/**
 * The filter pipeline, as in swarmkit's scheduler: a node takes a task only when it passes
 * every filter. The filters run in a fixed order and a node that fails is charged to the
 * first filter it fails, so the reason for an unplaced task counts each node once:
 *
 *   ready -> availability -> constraints (in spec order) -> max replicas per node -> cpu -> memory
 *
 * The first three are static within a batch (`staticFailure`); the last three depend on
 * what the batch already placed on the node (`fitFailure`), and only ever get worse as
 * the batch goes on, so a node that fails them once can be dropped for the whole batch.
 */

/** Why a node cannot take a task of a service; `constraint` is an index into its placement constraints. */
export type FilterFailure =
  | { kind: 'not-ready' }
  | { kind: 'paused' }
  | { kind: 'drained' }
  | { kind: 'constraint'; constraint: number }
  | { kind: 'max-replicas' }
  | { kind: 'cpu' }
  | { kind: 'memory' };

/** What a node holds right now, as the batch sees it (reservations and counts grow as it places). */
export interface NodeLoad {
  nanoCpus: number;
  memoryBytes: number;
  /** Tasks of the service being placed. */
  serviceTasks: number;
}

const notReady: FilterFailure = { kind: 'not-ready' };
const paused: FilterFailure = { kind: 'paused' };
const drained: FilterFailure = { kind: 'drained' };
const maxReplicas: FilterFailure = { kind: 'max-replicas' };
const cpu: FilterFailure = { kind: 'cpu' };
const memory: FilterFailure = { kind: 'memory' };

/** The first static filter `node` fails for `service` (liveness, availability, constraints), or undefined. */
export function staticFailure(node: NodeState, service: SchedulingService): FilterFailure | undefined {
  if (!node.ready) return notReady;
  if (node.info.availability === 'pause') return paused;
  if (node.info.availability === 'drain') return drained;
  const constraints = service.placement.constraints;
  for (let i = 0; i < constraints.length; i++) {
    if (!matchesConstraint(node.info, constraints[i]!)) return { kind: 'constraint', constraint: i };
  }
  return undefined;
}

/**
 * The first filter that one more task of `service` fails on a node with `capacity` and
 * `load`, or undefined when it fits. A zero reservation always fits, even on a node whose
 * capacity is unknown (0) or already overcommitted.
 */
export function fitFailure(
  capacity: { nanoCpus: number; memoryBytes: number },
  load: NodeLoad,
  service: SchedulingService,
): FilterFailure | undefined {
  const max = service.placement.maxReplicasPerNode;
  if (max !== undefined && max > 0 && load.serviceTasks >= max) return maxReplicas;
  const needCpu = service.reservations.nanoCpus ?? 0;
  if (needCpu > 0 && load.nanoCpus + needCpu > capacity.nanoCpus) return cpu;
  const needMemory = service.reservations.memoryBytes ?? 0;
  if (needMemory > 0 && load.memoryBytes + needMemory > capacity.memoryBytes) return memory;
  return undefined;
}

/** What `node` holds as given, seen from `service`. */
export function loadOf(node: NodeState, service: SchedulingService): NodeLoad {
  return { nanoCpus: node.reserved.nanoCpus, memoryBytes: node.reserved.memoryBytes, serviceTasks: node.tasksByService[service.id] ?? 0 };
}

/** The first filter `node`, as given, fails for one more task of `service`, or undefined when it can take it. */
export function nodeFailure(node: NodeState, service: SchedulingService): FilterFailure | undefined {
  return staticFailure(node, service) ?? fitFailure(node.info.resources, loadOf(node, service), service);
}
