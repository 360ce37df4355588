import { SwarmError } from '../core/errors.js';
import type { TaskRecord } from '../cluster/records.js';
import type { ContainerSpec, MountSpec } from '../runtime/runtime.js';
import { serviceFullName } from '../spec/names.js';
import { expandTemplate, templateError, type TemplateContext } from '../spec/template.js';
import { taskLabels } from './task-labels.js';

/** The node an agent runs on, as templates and labels see it. */
export interface AgentNode {
  id: string;
  hostname: string;
}

/** Linux's limit on a hostname (HOST_NAME_MAX is 64 with the terminating NUL), and the runtime's on a container name. */
const nameLengthMax = 63;

/** A node id as the CLI shows it: its last 12 characters (libp2p peer ids all begin alike). */
export function shortNodeId(nodeId: string): string {
  return nodeId.slice(-12);
}

/** `web.1` for a replicated task, `web.<short node id>` for a global one (slot 0): the replica's stable name. */
export function taskReplicaName(task: TaskRecord): string {
  const service = serviceFullName(task.spec.stack, task.spec.name);
  return `${service}.${task.slot > 0 ? task.slot : shortNodeId(task.nodeId ?? '')}`;
}

/** The container's name, as Swarm names it: `${service}.${slot or node}.${task id}`, the first part cut to fit 63 characters. */
export function taskContainerName(task: TaskRecord): string {
  return `${taskReplicaName(task).slice(0, nameLengthMax - task.id.length - 1)}.${task.id}`;
}

/**
 * A container's hostname when the service gives none: the task id's first 12 characters,
 * as Docker uses the container id's. A dotted name (`web.1`) would make resolvers take
 * `1` as the search domain and ask for `db.1`.
 */
export function defaultHostname(task: TaskRecord): string {
  return task.id.slice(0, 12);
}

/** What `{{.Node.ID}}`, `{{.Task.Slot}}` and the other templates stand for in this task. */
export function templateContextOf(task: TaskRecord, node: AgentNode): TemplateContext {
  return {
    nodeId: node.id,
    nodeHostname: node.hostname,
    serviceId: task.serviceId,
    serviceName: serviceFullName(task.spec.stack, task.spec.name),
    taskId: task.id,
    taskName: taskContainerName(task),
    taskSlot: task.slot,
  };
}

/** Expands a template of the task's spec, or throws INVALID_ARGUMENT naming the field. */
export function expandTaskTemplate(text: string, where: string, ctx: TemplateContext): string {
  const problem = templateError(text);
  if (problem !== undefined) throw new SwarmError('INVALID_ARGUMENT', `${where}: ${problem}`);
  return expandTemplate(text, ctx);
}

/**
 * The container a task runs in. Pure: `mounts` are already resolved to host paths
 * (task-mounts.ts). The swarmts labels are set last, so a service's own labels cannot
 * disguise a container as another task's. The network is `none` until service networking
 * exists. Throws INVALID_ARGUMENT for a bad template.
 */
export function buildContainerSpec(task: TaskRecord, node: AgentNode, mounts: MountSpec[]): ContainerSpec {
  const spec = task.spec;
  const ctx = templateContextOf(task, node);
  const env = Object.entries(spec.env).map(([key, value]) => `${key}=${expandTaskTemplate(value, `environment ${key}`, ctx)}`);
  const hostname = spec.hostname === undefined ? defaultHostname(task) : expandTaskTemplate(spec.hostname, 'hostname', ctx).slice(0, nameLengthMax);
  const limits = spec.resources.limits;
  const container: ContainerSpec = {
    name: taskContainerName(task),
    image: spec.image,
    env,
    hostname,
    labels: {
      ...spec.containerLabels,
      [taskLabels.taskId]: task.id,
      [taskLabels.serviceId]: task.serviceId,
      [taskLabels.serviceName]: ctx.serviceName,
      [taskLabels.nodeId]: node.id,
    },
    resources: {
      ...(limits.nanoCpus !== undefined ? { nanoCpus: limits.nanoCpus } : {}),
      ...(limits.memoryBytes !== undefined ? { memoryBytes: limits.memoryBytes } : {}),
      ...(limits.pids !== undefined ? { pidsLimit: limits.pids } : {}),
    },
    network: { mode: 'none' },
    mounts,
    readOnlyRootfs: spec.readOnlyRootfs,
    stopTimeoutMs: spec.stopGracePeriodMs,
  };
  if (spec.command !== undefined) container.command = [...spec.command];
  if (spec.entrypoint !== undefined) container.entrypoint = [...spec.entrypoint];
  if (spec.user !== undefined) container.user = spec.user;
  if (spec.workingDir !== undefined) container.workingDir = spec.workingDir;
  if (spec.stopSignal !== undefined) container.stopSignal = spec.stopSignal;
  return container;
}
