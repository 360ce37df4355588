import type { ClusterSnapshot } from './cluster-snapshot.js';
import { compactDuration } from './format.js';
import type { UiState } from './ui-state.js';
import { eventRows, type EventRow } from './view-model-events.js';
import { nodeRows, type NodeRow } from './view-model-nodes.js';
import { serviceRows, type ServiceRow } from './view-model-services.js';
import { taskRows, type TaskRow, type TaskScope } from './view-model-tasks.js';

/** Where the dashboard's link to the daemon stands. */
export type Connection =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'lost'; error: string; retryAtMs: number };

/** A pane's rows and which one is selected (-1 when it has none). */
export interface PaneModel<R> {
  rows: R[];
  selected: number;
}

/** Everything the view draws: a pure function of the snapshot, the connection, the UI state and the time. */
export interface DashboardViewModel {
  /** `3 nodes, 2 ready · leader node-a (term 4)` */
  summary: string;
  connection: string;
  connectionOk: boolean;
  nodes: PaneModel<NodeRow>;
  services: PaneModel<ServiceRow>;
  tasks: PaneModel<TaskRow> & { title: string };
  events: PaneModel<EventRow>;
}

function pane<R extends { id: string }>(rows: R[], selectedId: string | undefined): PaneModel<R> {
  const at = rows.findIndex((r) => r.id === selectedId);
  return { rows, selected: rows.length === 0 ? -1 : Math.max(0, at) };
}

function connectionText(connection: Connection, nowMs: number): string {
  switch (connection.state) {
    case 'connecting': return 'connecting…';
    case 'live': return 'live';
    case 'lost': return `disconnected, retrying in ${compactDuration(Math.max(0, connection.retryAtMs - nowMs) + 999)}: ${connection.error}`;
  }
}

function summaryText(snapshot: ClusterSnapshot): string {
  const ready = snapshot.nodes.filter((n) => n.status === 'ready').length;
  const nodes = `${snapshot.nodes.length} node${snapshot.nodes.length === 1 ? '' : 's'}, ${ready} ready`;
  const leaderId = snapshot.orchestration?.leader;
  const leader = leaderId === undefined ? 'no leader' : `leader ${snapshot.nodes.find((n) => n.id === leaderId)?.hostname ?? leaderId.slice(-12)}`;
  const running = snapshot.services.reduce((sum, s) => sum + s.running, 0);
  const desired = snapshot.services.reduce((sum, s) => sum + s.desired, 0);
  return `${nodes} · ${leader} · ${snapshot.services.length} services, ${running}/${desired} tasks`;
}

export function dashboardViewModel(snapshot: ClusterSnapshot, connection: Connection, ui: UiState, nowMs: number): DashboardViewModel {
  const nodes = pane(nodeRows(snapshot, ui.filter), ui.selected.nodes);
  const services = pane(serviceRows(snapshot, ui.filter), ui.selected.services);
  const node = nodes.rows[nodes.selected];
  const service = services.rows[services.selected];
  const scope: TaskScope | undefined = ui.taskScope === 'node'
    ? node && { kind: 'node', nodeId: node.id }
    : service && { kind: 'service', serviceId: service.id };
  const title = scope === undefined ? 'tasks' : ui.taskScope === 'node' ? `tasks on ${node!.hostname}` : `tasks of ${service!.name}`;
  return {
    summary: summaryText(snapshot),
    connection: connectionText(connection, nowMs),
    connectionOk: connection.state === 'live',
    nodes,
    services,
    tasks: { ...pane(taskRows(snapshot, scope, ui.filter, nowMs), ui.selected.tasks), title },
    events: pane(eventRows(snapshot, ui.filter), ui.selected.events),
  };
}
