/**
 * The agent: on every node, makes the local containers match this node's tasks and
 * reports each task's actual state, forward only. The daemon builds one `Agent` with the
 * node's runtime, an image service, a volumes directory, a clock and timers, then calls
 * `recover()` once and `sync(tasks)` whenever its task list changes.
 */
export { Agent, type AgentComponents } from './agent.js';
export { defaultAgentConfig, validateAgentConfig, type AgentConfig } from './agent-config.js';
export { buildContainerSpec, taskContainerName, taskReplicaName, templateContextOf, type AgentNode } from './container-spec.js';
export { exitOutcome, type ExitOutcome } from './exit-outcome.js';
export { HealthCheck, healthProbeArgs, type HealthStatus } from './health-check.js';
export { MemoryImageService, PullingImageService, type ImageService, type PullableImages } from './image-service.js';
export { mergePerTask, ReportLog } from './report-log.js';
export { taskIdOf, taskLabels } from './task-labels.js';
export { ManualTimers, RealTimers, settle, type Timers } from './timers.js';
export { LocalVolumes } from './volumes.js';
