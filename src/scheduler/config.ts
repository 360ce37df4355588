import { SwarmError } from '../core/errors.js';

/**
 * How the scheduler ranks the nodes that pass every filter.
 * - `spread`: the node with the fewest tasks of this service, then the fewest tasks in
 *   total (swarmkit's only strategy): failures and load are spread thin.
 * - `binpack`: the fullest node that still fits (classic Swarm's binpack): whole nodes stay
 *   free for large tasks and idle nodes can be turned off.
 */
export type PlacementStrategy = 'spread' | 'binpack';

/** The strategies, in the order the CLI lists them. */
export const placementStrategies: readonly PlacementStrategy[] = ['spread', 'binpack'];

/** Scheduler settings. */
export interface SchedulerConfig {
  /** How nodes are ranked; default `spread`, as Docker Swarm does, so one node's loss hurts least. */
  strategy: PlacementStrategy;
}

/** The settings the cluster runs with unless told otherwise. */
export function defaultSchedulerConfig(): SchedulerConfig {
  return { strategy: 'spread' };
}

/** `value` as a SchedulerConfig, or a SwarmError INVALID_CONFIG that says what was expected. */
export function validateSchedulerConfig(value: unknown): SchedulerConfig {
  const strategy = (value as { strategy?: unknown } | null | undefined)?.strategy;
  if (typeof value !== 'object' || value === null) {
    throw new SwarmError('INVALID_CONFIG', `scheduler config: expected an object, got ${JSON.stringify(value)}`);
  }
  if (!placementStrategies.includes(strategy as PlacementStrategy)) {
    throw new SwarmError('INVALID_CONFIG', `scheduler.strategy: expected one of ${placementStrategies.join(', ')}, got ${JSON.stringify(strategy)}`);
  }
  return { strategy: strategy as PlacementStrategy };
}
