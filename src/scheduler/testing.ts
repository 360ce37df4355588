import type { NodeInfo } from '../spec/node-info.js';
import type { PlacementSpec } from '../spec/service-spec.js';
import type { NodeState, SchedulingService } from './node-state.js';

/**
 * Builders for scheduler tests and the benchmark: a ready, active, empty linux worker
 * with 4 CPUs and 8 GiB, and a service with no reservations and no placement rules,
 * each changed only where the test says.
 */

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const CPU = 1e9;

/** What a test may change about a node; `info` fields go at the top level for brevity. */
export type TestNodeOptions = Partial<Omit<NodeInfo, 'id'>> & Partial<Omit<NodeState, 'info'>>;

/** A node state with id `id`, hostname `id`.local, and the given overrides. */
export function testNode(id: string, options: TestNodeOptions = {}): NodeState {
  const info: NodeInfo = {
    id,
    hostname: options.hostname ?? `${id}.local`,
    role: options.role ?? 'worker',
    availability: options.availability ?? 'active',
    labels: options.labels ?? {},
    platform: options.platform ?? { os: 'linux', arch: 'x86_64' },
    resources: options.resources ?? { nanoCpus: 4 * CPU, memoryBytes: 8 * GiB },
  };
  return {
    info,
    ready: options.ready ?? true,
    reserved: options.reserved ?? { nanoCpus: 0, memoryBytes: 0 },
    tasksTotal: options.tasksTotal ?? 0,
    tasksByService: options.tasksByService ?? {},
  };
}

/** A service `id` with the given reservations and placement (unset parts empty). */
export function testService(
  id: string,
  options: { nanoCpus?: number; memoryBytes?: number; placement?: Partial<PlacementSpec> } = {},
): SchedulingService {
  const reservations: SchedulingService['reservations'] = {};
  if (options.nanoCpus !== undefined) reservations.nanoCpus = options.nanoCpus;
  if (options.memoryBytes !== undefined) reservations.memoryBytes = options.memoryBytes;
  const placement: PlacementSpec = { constraints: [], preferences: [], ...options.placement };
  return { id, reservations, placement };
}

/** Task ids t1..tN, for batches. */
export function taskIds(count: number, prefix = 't'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}
