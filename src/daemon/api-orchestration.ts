import type { StackNetworkName } from '../cluster/commands.js';
import type { ServiceEndpoint, UpdateStatus } from '../cluster/records.js';
import type { NodeAvailability, NodeRole } from '../spec/node-info.js';
import type { PortSpec, ServiceMode, ServiceSpec } from '../spec/service-spec.js';
import type { TaskState } from '../spec/task.js';

/**
 * The local API's orchestration side: stacks, services, tasks, node updates and the
 * cluster's event feed. Every node serves it; reads come from the node's copy of the
 * committed cluster state, writes are forwarded to the raft leader.
 */

/** POST /v1/stacks/:name/deploy — the CLI parses the stack files and sends the services. */
export interface DeployStackRequest {
  services: ServiceSpec[];
  /** The cluster network each network key of the stack file stands for; keys not listed are `${stack}_${key}`. */
  networks?: StackNetworkName[];
  /** Remove the stack's services that are no longer in the files. */
  prune: boolean;
}

/** What a write changed, by full service name (or node id). */
export interface ChangeResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/** GET /v1/stacks */
export interface StackSummary {
  name: string;
  services: number;
  deployedAt: number;
}

/** GET /v1/services, GET /v1/stacks/:name/services */
export interface ServiceSummary {
  id: string;
  /** `${stack}_${name}`. */
  name: string;
  stack: string;
  mode: ServiceMode;
  image: string;
  /** Tasks running (and healthy when the service has a health check). */
  running: number;
  /** Replicas asked for; for a global service, the nodes it should run on. */
  desired: number;
  ports: PortSpec[];
  update: UpdateStatus | undefined;
  createdAt: number;
  updatedAt: number;
}

/** GET /v1/services/:ref (by id, id prefix or full name) */
export interface ServiceDetail extends ServiceSummary {
  spec: ServiceSpec;
  version: number;
  previousSpec: ServiceSpec | undefined;
  /** Its virtual IP (none with endpoint_mode dnsrr) and published ports, numbers decided. */
  endpoint: ServiceEndpoint;
  /** Full names of the networks its tasks join. */
  networks: string[];
  /** Its running tasks' addresses: what `tasks.<service>` answers and the load balancer spreads over when they are healthy. */
  endpoints: Array<{ task: string; address: string; node: string | undefined; healthy: boolean }>;
}

/** GET /v1/services/:ref/tasks, GET /v1/stacks/:name/tasks, GET /v1/tasks?node=REF */
export interface TaskSummary {
  id: string;
  serviceId: string;
  /** `${service full name}.${slot}` for replicated tasks, `${service}.${last 12 characters of the node id}` for global ones. */
  name: string;
  slot: number;
  image: string;
  nodeId: string | undefined;
  /** The node's hostname when known. */
  node: string | undefined;
  desiredState: TaskState;
  state: TaskState;
  health: 'starting' | 'healthy' | 'unhealthy' | undefined;
  error: string;
  containerId: string | undefined;
  exitCode: number | undefined;
  /** The task's address on the cluster network, once placed. */
  address: string | undefined;
  createdAt: number;
  updatedAt: number;
}

/** POST /v1/services/:ref/scale */
export interface ScaleRequest {
  replicas: number;
}

/** POST /v1/services/:ref/update — the whole new spec (the CLI edits the current one). */
export interface UpdateServiceRequest {
  spec: ServiceSpec;
}

/** POST /v1/nodes/:ref/update */
export interface NodeUpdateRequest {
  availability?: NodeAvailability;
  labelsAdd?: Record<string, string>;
  labelsRemove?: string[];
}

/** GET /v1/services/:ref/logs?follow=1&tail=N — a stream of these, from every node that ran the service. */
export interface ServiceLogLine {
  taskId: string;
  /** Task name as in TaskSummary. */
  task: string;
  nodeId: string;
  stream: 'stdout' | 'stderr';
  /** ms since the epoch, as the node's runtime recorded it. */
  time: number;
  line: string;
}

/**
 * GET /v1/events?since=MS[&usage=true] — a stream: the retained events after `since`, then new
 * ones as they happen. Events are the node's view of the committed state and membership;
 * with `usage=true` also every node's usage samples (the dashboard's live figures).
 */
export type ClusterEvent =
  | { type: 'node'; action: 'joined' | 'suspect' | 'down' | 'alive' | 'left' | 'updated'; nodeId: string; hostname: string; time: number }
  | { type: 'leader'; leader: string | undefined; term: number; time: number }
  | { type: 'service'; action: 'created' | 'updated' | 'removed' | 'scaled' | 'rollback'; service: string; time: number }
  | { type: 'update'; service: string; state: UpdateStatus['state']; message: string; time: number }
  | { type: 'task'; action: 'placed' | 'running' | 'failed' | 'complete' | 'shutdown' | 'rejected' | 'pending' | 'unhealthy'; service: string; taskId: string; task: string; nodeId: string | undefined; message: string; time: number }
  /** A node's newest CPU and memory use (every few seconds per node); live only, never retained, and only with `usage=true`. */
  | { type: 'usage'; nodeId: string; cpuMillicores: number; memoryBytes: number; time: number };

/** GET /v1/orchestration: where consensus stands, as `swarmts info` shows it. */
export interface OrchestrationStatus {
  /** Whether this node holds the committed state yet (false right after start, until it caught up). */
  synced: boolean;
  leader: string | undefined;
  /** True on the raft leader. */
  isLeader: boolean;
  voters: string[];
  /** Managers that hold the raft log without voting (the voter policy keeps 1, 3 or 5 voters). */
  learners: string[];
  /** Index of the last committed change this node applied. */
  applied: number;
}

/** What the routes need; the daemon's OrchestrationControl implements it. */
export interface OrchestrationService {
  status(): OrchestrationStatus;
  deployStack(name: string, request: DeployStackRequest): Promise<ChangeResult>;
  removeStack(name: string): Promise<ChangeResult>;
  stacks(): StackSummary[];
  services(stack?: string): ServiceSummary[];
  service(reference: string): ServiceDetail;
  tasks(filter: { service?: string; stack?: string; node?: string }): TaskSummary[];
  scaleService(reference: string, replicas: number): Promise<ChangeResult>;
  updateService(reference: string, spec: ServiceSpec): Promise<ChangeResult>;
  rollbackService(reference: string): Promise<ChangeResult>;
  serviceLogs(reference: string, options: { follow: boolean; tailLines?: number }, signal: AbortSignal): AsyncIterable<ServiceLogLine>;
  updateNode(reference: string, request: NodeUpdateRequest): Promise<ChangeResult>;
  setNodeRole(reference: string, role: NodeRole): Promise<ChangeResult>;
  removeNode(reference: string, force: boolean): Promise<ChangeResult>;
  /** With `usage`, also each node's usage samples as they arrive. */
  events(sinceMs: number, signal: AbortSignal, usage?: boolean): AsyncIterable<ClusterEvent>;
}
