/**
 * The scheduler: where tasks run, as Docker Swarm's (swarmkit) decides it, as pure
 * functions. Callers pass the nodes (description, liveness, what they hold) and a batch
 * of one service's tasks; they get placements, reasons for the tasks that fit nowhere, and
 * the nodes as the batch left them. No clock, no randomness: ties go to the smaller node id.
 *
 *   placeTasks        replicated tasks: filters, preference spread, spread or binpack
 *   selectGlobalNodes global services: every node that passes the filters
 *   nodeFailure       one node against the filter pipeline (checks, tests, `service ps`)
 */
export { placeTasks, type Placement, type PlacementBatch, type PlacementResult, type Unplaced } from './place-tasks.js';
export { selectGlobalNodes, type GlobalSelection } from './global.js';
export { fitFailure, nodeFailure, staticFailure, type FilterFailure, type NodeLoad } from './filters.js';
export { FailureTally, formatBytes, formatCpus } from './explain.js';
export { schedulingService, serviceTaskCount, withPlacedTasks, type NodeState, type SchedulingService } from './node-state.js';
export { defaultSchedulerConfig, placementStrategies, validateSchedulerConfig, type PlacementStrategy, type SchedulerConfig } from './config.js';
