import type { ClusterEvent, ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import type { NodeSummary } from '../daemon/api-types.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';

/** For tests: a three-node cluster running the web example mid-update, at a fixed time. */

/** The fixed "now" of every fixture: 2026-11-29T10:00:00Z. */
export const fixtureNowMs = Date.UTC(2026, 10, 29, 10, 0, 0);
const ago = (seconds: number) => fixtureNowMs - seconds * 1000;

const nodeId = (tail: string) => `12D3KooWFixture${tail.padStart(12, '0')}`;
export const nodeIds = { a: nodeId('aaaa'), b: nodeId('bbbb'), c: nodeId('cccc') };

function node(id: string, hostname: string, changes: Partial<NodeSummary> = {}): NodeSummary {
  return {
    id, hostname, status: 'ready', availability: 'active', role: 'manager', address: `10.0.0.${hostname.at(-1)!.charCodeAt(0) - 96}:7946`,
    self: false, incarnation: 1, statusChangedAt: ago(3600), labels: {}, ...changes,
  };
}

function service(id: string, name: string, changes: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    id, name, stack: 'web', mode: 'replicated', image: 'busybox:latest', running: 0, desired: 0, ports: [], update: undefined,
    createdAt: ago(600), updatedAt: ago(600), ...changes,
  };
}

function task(id: string, serviceId: string, name: string, slot: number, changes: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id, serviceId, name, slot, image: 'busybox:latest', nodeId: nodeIds.a, node: 'node-a', desiredState: 'running', state: 'running',
    health: undefined, error: '', containerId: `c${id}`, exitCode: undefined, address: undefined, createdAt: ago(300), updatedAt: ago(240), ...changes,
  };
}

const events: ClusterEvent[] = [
  { type: 'node', action: 'joined', nodeId: nodeIds.b, hostname: 'node-b', time: ago(900) },
  { type: 'leader', leader: nodeIds.a, term: 2, time: ago(890) },
  { type: 'service', action: 'created', service: 'web_web', time: ago(600) },
  { type: 'task', action: 'placed', service: 'web_web', taskId: 'tweb1', task: 'web_web.1', nodeId: nodeIds.a, message: '', time: ago(599) },
  { type: 'task', action: 'running', service: 'web_web', taskId: 'tweb1', task: 'web_web.1', nodeId: nodeIds.a, message: '', time: ago(590) },
  { type: 'node', action: 'down', nodeId: nodeIds.c, hostname: 'node-c', time: ago(120) },
  { type: 'task', action: 'failed', service: 'web_worker', taskId: 'twork2old', task: 'web_worker.2', nodeId: nodeIds.b, message: 'exit code 1', time: ago(60) },
  { type: 'service', action: 'updated', service: 'web_web', time: ago(30) },
  { type: 'update', service: 'web_web', state: 'updating', message: '', time: ago(30) },
];

/** The sample cluster: node-a (this node, leader), node-b (voter, draining), node-c (down, its usage unknown); three services. */
export function sampleSnapshot(): ClusterSnapshot {
  return {
    nodes: [
      node(nodeIds.b, 'node-b', { availability: 'drain', usage: { cpuMillicores: 1250, memoryBytes: 3.2 * 1024 ** 3, sampledAt: ago(4) } }),
      node(nodeIds.a, 'node-a', { self: true, usage: { cpuMillicores: 420, memoryBytes: 310 * 1024 ** 2, sampledAt: ago(2) } }),
      node(nodeIds.c, 'node-c', { status: 'down', role: 'worker' }),
    ],
    capacity: {
      [nodeIds.a]: { cpuMillicores: 2000, memoryBytes: 2 * 1024 ** 3 },
      [nodeIds.b]: { cpuMillicores: 4000, memoryBytes: 8 * 1024 ** 3 },
    },
    orchestration: { synced: true, leader: nodeIds.a, isLeader: true, voters: [nodeIds.a, nodeIds.b], learners: [], applied: 42 },
    services: [
      service('svcweb', 'web_web', {
        running: 2, desired: 3, ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }],
        update: { state: 'updating', startedAtMs: ago(30), completedAtMs: undefined, message: '' },
      }),
      service('svcworker', 'web_worker', { image: 'registry.local:5000/team/worker:2.1', running: 1, desired: 2 }),
      service('svcagent', 'web_agent', { mode: 'global', running: 1, desired: 1 }),
    ],
    reservations: { svcweb: { nanoCpus: 250_000_000, memoryBytes: 64 * 1024 ** 2 }, svcworker: { memoryBytes: 128 * 1024 ** 2 } },
    tasks: [
      task('tweb1', 'svcweb', 'web_web.1', 1, { health: 'healthy' }),
      task('tweb2', 'svcweb', 'web_web.2', 2, { health: 'healthy', nodeId: nodeIds.b, node: 'node-b' }),
      task('tweb3', 'svcweb', 'web_web.3', 3, { state: 'starting', health: 'starting', updatedAt: ago(5) }),
      task('tweb3old', 'svcweb', 'web_web.3', 3, { desiredState: 'shutdown', state: 'shutdown', updatedAt: ago(6), createdAt: ago(600) }),
      task('twork1', 'svcworker', 'web_worker.1', 1, { image: 'registry.local:5000/team/worker:2.1' }),
      task('twork2', 'svcworker', 'web_worker.2', 2, { state: 'pending', nodeId: undefined, node: undefined, containerId: undefined, error: 'no suitable node: 0 of 3 nodes have 128Mi of memory free', updatedAt: ago(59) }),
      task('twork2old', 'svcworker', 'web_worker.2', 2, { desiredState: 'shutdown', state: 'failed', nodeId: nodeIds.b, node: 'node-b', exitCode: 1, error: 'exit code 1', updatedAt: ago(60) }),
      task('tagent', 'svcagent', `web_agent.${nodeIds.a}`, 0),
    ],
    events,
  };
}
