import { placeTasks, schedulingService, selectGlobalNodes, withPlacedTasks, type NodeState, type PlacementStrategy } from '../scheduler/index.js';
import type { ClusterStore } from './cluster-store.js';
import type { EligibleNodes, NodeView, PlaceTasks } from './orchestrator-types.js';
import { isLive } from './service-health.js';

/**
 * The scheduler as the orchestrator uses it during one pass: node states (reservations and
 * task counts) are computed from the store's live tasks once, and every placement of the
 * pass is added to them, so later services see earlier ones.
 */
export function passScheduler(store: ClusterStore, views: readonly NodeView[], strategy: PlacementStrategy): { place: PlaceTasks; eligible: EligibleNodes } {
  const states = new Map<string, NodeState>(
    views.map((view) => [view.info.id, { info: view.info, ready: view.ready, reserved: { nanoCpus: 0, memoryBytes: 0 }, tasksTotal: 0, tasksByService: {} }]),
  );
  for (const task of store.taskList()) {
    const state = task.nodeId === undefined ? undefined : states.get(task.nodeId);
    if (state === undefined || !isLive(task)) continue;
    states.set(state.info.id, withPlacedTasks(state, schedulingService(task.serviceId, task.spec), 1));
  }
  return {
    place: (service, tasks) => {
      const result = placeTasks({ nodes: [...states.values()], service: schedulingService(service.id, service.spec), taskIds: tasks.map((t) => t.id), strategy });
      for (const node of result.nodes) states.set(node.info.id, node);
      return { assign: result.placements, pending: result.unplaced.map((u) => ({ taskId: u.taskId, error: u.reason })) };
    },
    eligible: (service) => {
      const selected = new Set(selectGlobalNodes([...states.values()], schedulingService(service.id, service.spec)).nodeIds);
      return views.filter((view) => selected.has(view.info.id));
    },
  };
}
