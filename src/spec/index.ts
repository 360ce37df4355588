/**
 * The stack-file layer: compose v3 text in, validated StackSpec out, with every problem
 * reported at once. Pure: callers pass file contents, environment and a file reader.
 * Also the domain types the scheduler and agents share (services, tasks, nodes).
 */
export { parseStack, type ParsedStack, type ParseStackInput } from './parse-stack.js';
export { formatProblem, type StackProblem } from './reporter.js';
export { expandTemplate, templateError, templateFields, type TemplateContext } from './template.js';
export { parseConstraint } from './parse-placement.js';
export { matchesConstraint, matchesConstraints, nodeAttribute } from './placement-match.js';
export { serviceFullName } from './names.js';
export { canTransition, isTerminal, taskStates, type Task, type TaskState } from './task.js';
export type { NodeAvailability, NodeInfo, NodePlatform, NodeRole } from './node-info.js';
export type { NetworkSpec, StackSpec, VolumeSpec } from './stack-spec.js';
export type * from './service-spec.js';
export { parseBytes, parseCpus, parseDuration } from './units.js';
