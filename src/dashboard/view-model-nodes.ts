import type { NodeStatus } from '../daemon/api-types.js';
import type { NodeAvailability } from '../spec/node-info.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { matchesFilter } from './filter.js';
import type { Tone } from './tone.js';

/** One row of the nodes pane. */
export interface NodeRow {
  id: string;
  hostname: string;
  /** The node the dashboard talks to. */
  self: boolean;
  status: NodeStatus;
  statusTone: Tone;
  availability: NodeAvailability;
  role: 'manager' | 'worker';
  /** Its part in raft: the leader, a voter, a learner (a manager without a vote), or none (workers). */
  raft: 'leader' | 'voter' | 'learner' | '';
  /** In use on its host as it last gossiped it; undefined when unknown (no fresh figure). */
  cpuUsedMillicores: number | undefined;
  memoryUsedBytes: number | undefined;
  /** Reserved by its tasks, and its capacity when known (undefined until fetched). */
  cpuReservedMillicores: number;
  cpuCapacityMillicores: number | undefined;
  memoryReservedBytes: number;
  memoryCapacityBytes: number | undefined;
  /** Tasks assigned to it that are meant to run. */
  tasks: number;
}

const statusTones: Record<NodeStatus, Tone> = { ready: 'good', suspect: 'warn', down: 'bad', left: 'plain' };

/** The nodes pane: every node matching `filter`, by hostname. */
export function nodeRows(snapshot: ClusterSnapshot, filter: string): NodeRow[] {
  const { leader, voters = [], learners = [] } = snapshot.orchestration ?? {};
  const usage = new Map<string, { cpu: number; memory: number; tasks: number }>();
  for (const task of snapshot.tasks) {
    if (task.nodeId === undefined || task.desiredState !== 'running') continue;
    const reservation = snapshot.reservations[task.serviceId] ?? {};
    const sum = usage.get(task.nodeId) ?? { cpu: 0, memory: 0, tasks: 0 };
    sum.cpu += (reservation.nanoCpus ?? 0) / 1e6;
    sum.memory += reservation.memoryBytes ?? 0;
    sum.tasks += 1;
    usage.set(task.nodeId, sum);
  }
  return snapshot.nodes
    .filter((n) => matchesFilter(filter, n.hostname, n.status, n.role, n.availability))
    .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
    .map((n) => {
      const used = usage.get(n.id) ?? { cpu: 0, memory: 0, tasks: 0 };
      const capacity = snapshot.capacity[n.id];
      return {
        id: n.id,
        hostname: n.hostname,
        self: n.self,
        status: n.status,
        statusTone: statusTones[n.status],
        availability: n.availability,
        role: n.role,
        raft: n.id === leader ? 'leader' : voters.includes(n.id) ? 'voter' : learners.includes(n.id) ? 'learner' : '',
        cpuUsedMillicores: n.usage?.cpuMillicores,
        memoryUsedBytes: n.usage?.memoryBytes,
        cpuReservedMillicores: Math.round(used.cpu),
        cpuCapacityMillicores: capacity?.cpuMillicores,
        memoryReservedBytes: used.memory,
        memoryCapacityBytes: capacity?.memoryBytes,
        tasks: used.tasks,
      };
    });
}
