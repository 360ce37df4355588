import type { NodeAvailability, NodeRole } from '../spec/node-info.js';
import type { PortSpec, ServiceSpec } from '../spec/service-spec.js';
import type { Task, TaskState } from '../spec/task.js';

/**
 * What the replicated cluster state holds: the desired state (services and their specs,
 * stacks, the operator's view of nodes) and the orchestrator's decisions (tasks, their
 * nodes and desired states). Plain, serialisable objects: the raft snapshot is these.
 */

/** Where a service's rolling update (or rollback) stands, as `service inspect` shows it. */
export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface UpdateStatus {
  state: UpdateState;
  startedAtMs: number;
  completedAtMs: number | undefined;
  message: string;
}

/** A published port with its number decided (picked from 30000-32767 when the spec gave none). */
export type PublishedPort = PortSpec & { published: number };

/** How a service is reached: its virtual IP (none with endpoint_mode dnsrr) and the ports it publishes. */
export interface ServiceEndpoint {
  vip: string | undefined;
  ports: PublishedPort[];
}

export interface ServiceRecord {
  id: string;
  /** `${stack}_${name}`: what the CLI and DNS use. */
  fullName: string;
  spec: ServiceSpec;
  /** Full names of the networks its tasks join (`${stack}_default`, say). */
  networks: string[];
  endpoint: ServiceEndpoint;
  /** Bumped on every change of the spec; tasks carry the version they were made from. */
  version: number;
  /** The spec before the last change, for `service rollback`; undefined before any change. */
  previousSpec: ServiceSpec | undefined;
  createdAtMs: number;
  updatedAtMs: number;
  update: UpdateStatus | undefined;
}

/** A task with what the agent needs to run it and what it last reported. */
export interface TaskRecord extends Task {
  /** The spec the task runs: its service's spec at `specVersion`. */
  spec: ServiceSpec;
  specVersion: number;
  /** Set by the agent once it made the container. */
  containerId: string | undefined;
  exitCode: number | undefined;
  /** From the health check, when the service has one. */
  health: 'starting' | 'healthy' | 'unhealthy' | undefined;
  /** The container's address in its node's subnet, given when the task is assigned; held until the task ends. */
  address: string | undefined;
  /** Full names of the networks the task joined: its service's at creation. */
  networks: string[];
}

/** The operator's side of a node: what `node update` and `node promote` change. */
export interface NodeRecord {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: NodeAvailability;
  labels: Record<string, string>;
  /** The node's share of the address pool for its containers; undefined only when the pool is used up. */
  subnet: string | undefined;
  /** The last task address given on this node: the next one is taken after it. */
  lastTaskAddress: string | undefined;
}

/** A stack's network: tasks on one network reach each other and its services' virtual IPs, not other networks'. */
export interface NetworkRecord {
  /** `${stack}_${key}`. */
  name: string;
  /** The stack that declared it; it is removed with the stack once no service uses it. */
  stack: string;
  createdAtMs: number;
}

export interface StackRecord {
  name: string;
  /** Full names of its services. */
  services: string[];
  deployedAtMs: number;
}

/** A task report from an agent: the state moves forward only (canTransition). */
export interface TaskStatusReport {
  taskId: string;
  state: TaskState;
  error: string;
  containerId?: string;
  exitCode?: number;
  health?: TaskRecord['health'];
  atMs: number;
}
