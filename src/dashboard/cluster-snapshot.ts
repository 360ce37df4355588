import type { ClusterEvent, OrchestrationStatus, ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import type { NodeSummary } from '../daemon/api-types.js';
import type { ResourceReservations } from '../spec/service-spec.js';

/**
 * Everything the dashboard shows, as last fetched from the daemon: the view-models are
 * pure functions of this (plus the clock and the keyboard state).
 */
export interface ClusterSnapshot {
  nodes: NodeSummary[];
  /** Each node's capacity by node id, from GET /v1/nodes/:id; absent until fetched. */
  capacity: Record<string, NodeCapacity>;
  orchestration: OrchestrationStatus | undefined;
  services: ServiceSummary[];
  /** Each service's per-task reservations by service id, from its spec. */
  reservations: Record<string, ResourceReservations>;
  /** Every task the node's copy of the state holds, history included. */
  tasks: TaskSummary[];
  /** The newest events, oldest first, at most `eventsKeptMax`. */
  events: ClusterEvent[];
}

export interface NodeCapacity {
  cpuMillicores: number;
  memoryBytes: number;
}

/** Events kept for the feed: more than any screen shows, few enough to redraw cheaply. */
export const eventsKeptMax = 200;

export function emptySnapshot(): ClusterSnapshot {
  return { nodes: [], capacity: {}, orchestration: undefined, services: [], reservations: {}, tasks: [], events: [] };
}

/** The snapshot with `event` appended, the oldest dropped past `eventsKeptMax`. */
/** The snapshot with one node's newest usage sample (unknown nodes are left out: the next node list brings them). */
export function withUsage(snapshot: ClusterSnapshot, sample: Extract<ClusterEvent, { type: 'usage' }>): ClusterSnapshot {
  const usage = { cpuMillicores: sample.cpuMillicores, memoryBytes: sample.memoryBytes, sampledAt: sample.time };
  return { ...snapshot, nodes: snapshot.nodes.map((node) => (node.id === sample.nodeId ? { ...node, usage } : node)) };
}

export function withEvent(snapshot: ClusterSnapshot, event: ClusterEvent): ClusterSnapshot {
  const events = [...snapshot.events, event];
  return { ...snapshot, events: events.length > eventsKeptMax ? events.slice(-eventsKeptMax) : events };
}
