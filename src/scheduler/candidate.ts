import type { PlacementStrategy } from './config.js';
import { loadOf, type NodeLoad } from './filters.js';
import type { NodeState, SchedulingService } from './node-state.js';

/**
 * A node that passed every filter when the batch began, with the load the batch has put on it so far.
 * Owned by one batch and mutated as it places; the input NodeState is never changed.
 */
export interface Candidate {
  node: NodeState;
  load: NodeLoad;
  /** Tasks of every service, the batch's included. */
  totalTasks: number;
  /** Tasks the batch placed here. */
  placed: number;
  /** Binpack's fullness after one more task (higher is fuller); unused by spread. */
  fullness: number;
}

/** A fresh candidate for `node` with the load it came with. */
export function candidateOf(node: NodeState, service: SchedulingService): Candidate {
  const candidate: Candidate = {
    node,
    load: loadOf(node, service),
    totalTasks: node.tasksTotal,
    placed: 0,
    fullness: 0,
  };
  candidate.fullness = fullness(candidate, service);
  return candidate;
}

/** Adds one task of `service` to `candidate`. */
export function placeOn(candidate: Candidate, service: SchedulingService): void {
  candidate.load.nanoCpus += service.reservations.nanoCpus ?? 0;
  candidate.load.memoryBytes += service.reservations.memoryBytes ?? 0;
  candidate.load.serviceTasks++;
  candidate.totalTasks++;
  candidate.placed++;
  candidate.fullness = fullness(candidate, service);
}

/**
 * Classic Swarm's binpack score: the share of cpu plus the share of memory the node would
 * have reserved with one more task. A resource the node reports no capacity for adds 0.
 */
function fullness(candidate: Candidate, service: SchedulingService): number {
  const capacity = candidate.node.info.resources;
  const cpu = capacity.nanoCpus > 0 ? (candidate.load.nanoCpus + (service.reservations.nanoCpus ?? 0)) / capacity.nanoCpus : 0;
  const memory = capacity.memoryBytes > 0 ? (candidate.load.memoryBytes + (service.reservations.memoryBytes ?? 0)) / capacity.memoryBytes : 0;
  return cpu + memory;
}

/** Spread (swarmkit's nodeLess): fewest tasks of this service, then fewest in total, then node id. */
function spreadLess(a: Candidate, b: Candidate): boolean {
  if (a.load.serviceTasks !== b.load.serviceTasks) return a.load.serviceTasks < b.load.serviceTasks;
  if (a.totalTasks !== b.totalTasks) return a.totalTasks < b.totalTasks;
  return a.node.info.id < b.node.info.id;
}

/** Binpack: fullest first, then most tasks in total, then node id. */
function binpackLess(a: Candidate, b: Candidate): boolean {
  if (a.fullness !== b.fullness) return a.fullness > b.fullness;
  if (a.totalTasks !== b.totalTasks) return a.totalTasks > b.totalTasks;
  return a.node.info.id < b.node.info.id;
}

/** "a goes before b" for a strategy: a strict total order, so picks are deterministic. */
export function candidateOrder(strategy: PlacementStrategy): (a: Candidate, b: Candidate) => boolean {
  return strategy === 'binpack' ? binpackLess : spreadLess;
}
