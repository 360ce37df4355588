import type { FilterFailure } from './filters.js';
import type { SchedulingService } from './node-state.js';

/**
 * Why a task fits nowhere, in words: one count per filter, largest first (as swarmkit's
 * pipeline explains), e.g.
 *   no suitable node: 3 nodes lack 2 GiB of memory, 2 nodes are drained,
 *   1 node does not satisfy node.labels.zone == a
 */

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A byte count in binary units with at most two decimals: 2147483648 -> "2 GiB", 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(2))} ${byteUnits[unit]}`;
}

/** Billionths of a CPU as CPUs: 1e9 -> "1 CPU", 2.5e9 -> "2.5 CPUs"; tiny amounts keep two significant digits. */
export function formatCpus(nanoCpus: number): string {
  const exact = nanoCpus / 1e9;
  const cpus = Math.abs(exact) >= 0.001 || exact === 0 ? Number(exact.toFixed(3)) : Number(exact.toPrecision(2));
  return `${cpus} ${cpus === 1 ? 'CPU' : 'CPUs'}`;
}

const nodes = (count: number): string => (count === 1 ? '1 node' : `${count} nodes`);
const verb = (count: number, one: string, many: string): string => `${nodes(count)} ${count === 1 ? one : many}`;

/** One failure's phrase for `count` nodes. */
function phrase(failure: FilterFailure, count: number, service: SchedulingService): string {
  switch (failure.kind) {
    case 'not-ready': return verb(count, 'is not ready', 'are not ready');
    case 'paused': return verb(count, 'is paused', 'are paused');
    case 'drained': return verb(count, 'is drained', 'are drained');
    case 'constraint': {
      const c = service.placement.constraints[failure.constraint]!;
      return verb(count, 'does not satisfy', 'do not satisfy') + ` ${c.key} ${c.op} ${c.value}`;
    }
    case 'max-replicas': return `max replicas per node (${service.placement.maxReplicasPerNode}) reached on ${nodes(count)}`;
    case 'cpu': return verb(count, 'lacks', 'lack') + ` ${formatCpus(service.reservations.nanoCpus ?? 0)}`;
    case 'memory': return verb(count, 'lacks', 'lack') + ` ${formatBytes(service.reservations.memoryBytes ?? 0)} of memory`;
  }
}

/** Position of a failure in the pipeline, to order equal counts the way the filters run. */
function rank(failure: FilterFailure, constraintCount: number): number {
  switch (failure.kind) {
    case 'not-ready': return 0;
    case 'paused': return 1;
    case 'drained': return 2;
    case 'constraint': return 3 + failure.constraint;
    case 'max-replicas': return 3 + constraintCount;
    case 'cpu': return 4 + constraintCount;
    case 'memory': return 5 + constraintCount;
  }
}

/** Counts, per filter, the nodes that turned a service's task away; owned by one batch. */
export class FailureTally {
  private readonly counts: number[] = [];
  private readonly failures: FilterFailure[] = [];

  constructor(private readonly service: SchedulingService) {}

  /** Charges one node to `failure`. */
  add(failure: FilterFailure): void {
    const at = rank(failure, this.service.placement.constraints.length);
    this.counts[at] = (this.counts[at] ?? 0) + 1;
    this.failures[at] = failure;
  }

  /** The counts in words, largest first, ties in pipeline order; '' when no node was charged. */
  summary(): string {
    const parts: { at: number; count: number }[] = [];
    this.counts.forEach((count, at) => parts.push({ at, count }));
    parts.sort((a, b) => b.count - a.count || a.at - b.at);
    return parts.map((p) => phrase(this.failures[p.at]!, p.count, this.service)).join(', ');
  }

  /** The sentence for a task that fits nowhere. */
  reason(): string {
    return `no suitable node: ${this.summary() || 'there are no nodes'}`;
  }
}
