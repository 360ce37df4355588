import { assert } from '../core/assert.js';
import { type Candidate, candidateOf, candidateOrder } from './candidate.js';
import type { PlacementStrategy } from './config.js';
import { FailureTally } from './explain.js';
import { nodeFailure } from './filters.js';
import { type NodeState, type SchedulingService, withPlacedTasks } from './node-state.js';
import { SpreadTree } from './spread-tree.js';

/** Tasks of one service to place on a set of nodes. */
export interface PlacementBatch {
  /** Every node the task could go to, with what it already holds. Node ids must be unique. */
  nodes: readonly NodeState[];
  service: SchedulingService;
  /** The tasks to place, in order: when not all fit, the first ones get a node. */
  taskIds: readonly string[];
  /** Default `spread`. */
  strategy?: PlacementStrategy;
}

/** A task and the node it goes to. */
export interface Placement {
  taskId: string;
  nodeId: string;
}

/** A task no node can take, and why, e.g. "no suitable node: 2 nodes are drained". */
export interface Unplaced {
  taskId: string;
  reason: string;
}

/** What a batch decided. */
export interface PlacementResult {
  /** In task order. */
  placements: Placement[];
  /** In task order; they all carry the same reason, since the batch only ever fills nodes up. */
  unplaced: Unplaced[];
  /** The input nodes, in input order, with the placed tasks' reservations and counts added. */
  nodes: NodeState[];
}

/**
 * Places a batch of tasks of one service, as swarmkit's scheduler does: every filter
 * once per node, then for each task in turn the best node by preference groups and
 * strategy that still fits. Each placement updates the node before the next task is
 * placed, so the batch sees its own reservations and counts. Pure and deterministic:
 * ties go to the smaller node id. Costs O(nodes x constraints) once, then O(log nodes)
 * per task (times the preference levels).
 */
export function placeTasks(batch: PlacementBatch): PlacementResult {
  const { service, taskIds } = batch;
  assert(new Set(batch.nodes.map((n) => n.info.id)).size === batch.nodes.length, 'placeTasks: node ids are unique');
  const tally = new FailureTally(service);
  const candidates: Candidate[] = [];
  const byIndex: (Candidate | undefined)[] = [];
  for (const node of batch.nodes) {
    // As in swarmkit, only nodes that can take one task now join the preference groups,
    // so tasks on full or filtered-out nodes do not count towards their group's share.
    const failure = nodeFailure(node, service);
    if (failure !== undefined) {
      tally.add(failure);
      byIndex.push(undefined);
      continue;
    }
    const candidate = candidateOf(node, service);
    candidates.push(candidate);
    byIndex.push(candidate);
  }
  const tree = new SpreadTree(candidates, service.placement.preferences, candidateOrder(batch.strategy ?? 'spread'), service, tally);

  const placements: Placement[] = [];
  let next = 0;
  for (; next < taskIds.length; next++) {
    const chosen = tree.placeOne();
    if (chosen === undefined) break;
    placements.push({ taskId: taskIds[next]!, nodeId: chosen.node.info.id });
  }
  // Once one task fits nowhere, no later one can: the batch only fills nodes up.
  const reason = next < taskIds.length ? tally.reason() : '';
  const unplaced: Unplaced[] = taskIds.slice(next).map((taskId) => ({ taskId, reason }));
  const nodes = batch.nodes.map((node, i) => withPlacedTasks(node, service, byIndex[i]?.placed ?? 0));
  return { placements, unplaced, nodes };
}
