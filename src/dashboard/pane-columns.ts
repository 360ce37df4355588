import type { Column } from './columns.js';
import { bar, compactBytes, compactCpus } from './format.js';
import type { EventRow } from './view-model-events.js';
import type { NodeRow } from './view-model-nodes.js';
import type { ServiceRow } from './view-model-services.js';
import type { TaskRow } from './view-model-tasks.js';

/** The columns of each pane, most important kept longest; all four fit 80 characters. */

/** `used/reserved/capacity`: `-` for usage not measured lately, `?` for capacity not fetched yet. */
const amounts = (used: number | undefined, reserved: number, capacity: number | undefined, format: (value: number) => string) =>
  `${used === undefined ? '-' : format(used)}/${format(reserved)}/${capacity === undefined ? '?' : format(capacity)}`;

export const nodeColumns: Column<NodeRow>[] = [
  { header: 'HOSTNAME', minWidth: 10, maxWidth: 28, priority: 10, text: (r) => r.hostname + (r.self ? ' *' : '') },
  { header: 'STATUS', minWidth: 7, priority: 9, text: (r) => r.status, tone: (r) => r.statusTone },
  // One column for role and raft part, as `docker node ls` does, so that used/reserved/capacity fit 80 characters.
  { header: 'ROLE', minWidth: 7, priority: 7, text: (r) => r.raft || r.role, tone: (r) => (r.raft === 'leader' ? 'info' : 'plain') },
  { header: 'AVAIL', minWidth: 6, priority: 5, text: (r) => r.availability, tone: (r) => (r.availability === 'active' ? 'plain' : 'warn') },
  { header: 'CPU', minWidth: 11, maxWidth: 14, priority: 8, text: (r) => amounts(r.cpuUsedMillicores, r.cpuReservedMillicores, r.cpuCapacityMillicores, compactCpus) },
  { header: 'MEMORY', minWidth: 17, maxWidth: 20, priority: 8, text: (r) => amounts(r.memoryUsedBytes, r.memoryReservedBytes, r.memoryCapacityBytes, compactBytes) },
  { header: 'TASKS', minWidth: 5, priority: 8, alignRight: true, text: (r) => String(r.tasks) },
  { header: 'ID', minWidth: 12, priority: 1, text: (r) => r.id.slice(-12) },
];

/** Cells of the replica bar; the count follows it. */
const replicaBarWidth = 6;

export const serviceColumns: Column<ServiceRow>[] = [
  { header: 'NAME', minWidth: 14, maxWidth: 32, priority: 10, growOrder: 4, text: (r) => r.name },
  { header: 'MODE', minWidth: 6, priority: 6, text: (r) => (r.mode === 'replicated' ? 'repl' : 'global') },
  { header: 'REPLICAS', minWidth: 12, priority: 9, text: (r) => `${bar(r.running, r.desired, replicaBarWidth)} ${r.running}/${r.desired}`, tone: (r) => r.replicasTone },
  { header: 'IMAGE', minWidth: 14, maxWidth: 36, priority: 7, growOrder: 1, text: (r) => r.image },
  { header: 'PORTS', minWidth: 12, maxWidth: 24, priority: 5, growOrder: 2, text: (r) => r.ports },
  { header: 'UPDATE', minWidth: 8, maxWidth: 60, priority: 6, growOrder: 3, text: (r) => r.update, tone: (r) => r.updateTone },
];

export const taskColumns: Column<TaskRow>[] = [
  { header: 'NAME', minWidth: 14, maxWidth: 32, priority: 10, growOrder: 1, text: (r) => (r.current ? r.name : `\\_ ${r.name}`) },
  { header: 'NODE', minWidth: 10, maxWidth: 20, priority: 8, growOrder: 2, text: (r) => r.node },
  { header: 'STATE', minWidth: 9, priority: 10, text: (r) => r.state, tone: (r) => r.stateTone },
  { header: 'HEALTH', minWidth: 9, priority: 6, text: (r) => r.health, tone: (r) => (r.health === 'unhealthy' ? 'bad' : r.health === 'healthy' ? 'good' : 'plain') },
  { header: 'AGE', minWidth: 4, priority: 7, alignRight: true, text: (r) => r.age },
  { header: 'ERROR', minWidth: 10, maxWidth: 200, priority: 5, growOrder: 3, text: (r) => r.error, tone: () => 'bad' },
];

export const eventColumns: Column<EventRow>[] = [
  { header: 'TIME', minWidth: 8, priority: 9, text: (r) => r.time },
  { header: 'EVENT', minWidth: 20, maxWidth: 400, priority: 10, text: (r) => r.text, tone: (r) => r.tone },
];
