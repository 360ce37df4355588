import { FailureTally } from './explain.js';
import { type FilterFailure, nodeFailure, staticFailure } from './filters.js';
import { type NodeState, type SchedulingService, serviceTaskCount } from './node-state.js';

/** The nodes a global service should run on, and a summary of why the others are left out. */
export interface GlobalSelection {
  /** Nodes that should run one task of the service, in id order. */
  nodeIds: string[];
  /** Nodes that should not, in id order. */
  rejectedNodeIds: string[];
  /** Why, per filter, e.g. "2 nodes are drained, 1 node lacks 1 CPU"; '' when none is left out. */
  reason: string;
}

/**
 * Why `node` should not run a task of global `service`, or undefined when it should. A node
 * that already runs one keeps it unless it is not ready, drained or no longer matches the
 * constraints (swarmkit's global orchestrator: pause adds nothing but keeps what runs);
 * its reservations already include that task, so resources are not checked again. A node
 * without one must pass every filter.
 */
function globalFailure(node: NodeState, service: SchedulingService): FilterFailure | undefined {
  if (serviceTaskCount(node, service.id) === 0) return nodeFailure(node, service);
  // Pause is checked before the constraints: look past it, or a paused node that no longer
  // matches them would keep (and get again) a task it should lose.
  const active = node.info.availability === 'pause' ? { ...node, info: { ...node.info, availability: 'active' as const } } : node;
  return staticFailure(active, service);
}

/** Which nodes should run one task of global `service`: all that pass the filters. Pure and deterministic. */
export function selectGlobalNodes(nodes: readonly NodeState[], service: SchedulingService): GlobalSelection {
  const tally = new FailureTally(service);
  const nodeIds: string[] = [];
  const rejectedNodeIds: string[] = [];
  for (const node of nodes) {
    const failure = globalFailure(node, service);
    if (failure === undefined) {
      nodeIds.push(node.info.id);
    } else {
      tally.add(failure);
      rejectedNodeIds.push(node.info.id);
    }
  }
  const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { nodeIds: nodeIds.sort(byId), rejectedNodeIds: rejectedNodeIds.sort(byId), reason: rejectedNodeIds.length > 0 ? tally.summary() : '' };
}
