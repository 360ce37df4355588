import type { NodeInfo } from '../spec/node-info.js';
import type { ClusterCommand } from './commands.js';
import type { ServiceRecord, TaskRecord } from './records.js';

/** A node as the orchestrator sees it: the scheduler's view plus whether membership holds it alive. */
export interface NodeView {
  info: NodeInfo;
  ready: boolean;
}

/** The scheduler's answer for a batch of one service's tasks. */
export interface Placement {
  assign: Array<{ taskId: string; nodeId: string }>;
  pending: Array<{ taskId: string; error: string }>;
}

/** Places `tasks` of `service` on `nodes`; the placer knows what the nodes already hold (scheduling.ts). */
export type PlaceTasks = (service: ServiceRecord, tasks: readonly TaskRecord[], nodes: readonly NodeView[]) => Placement;

/** The nodes a global service should run one task on. */
export type EligibleNodes = (service: ServiceRecord, nodes: readonly NodeView[]) => NodeView[];

export interface ReconcileInput {
  nodes: readonly NodeView[];
  nowMs: number;
  /** Fresh task ids (random in the daemon, seeded in simulations). */
  newId: () => string;
  place: PlaceTasks;
  eligible: EligibleNodes;
  /** Ended tasks kept per slot for `service ps`. Default 5, as Swarm's task history. */
  historyPerSlot?: number;
}

export interface ReconcileOutput {
  /** To propose in order; empty when the state already matches. */
  commands: ClusterCommand[];
  /** When a delay (restart or update) ends and a pass is due even if nothing changes. */
  wakeAtMs: number | undefined;
}
