import type { NodeAvailability, NodeRole } from '../spec/node-info.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import type { TaskState } from '../spec/task.js';
import type { TaskRecord, TaskStatusReport, UpdateStatus } from './records.js';

/**
 * The entries of the cluster's raft log. Everything that varies (ids, times) is chosen by
 * the proposer and carried in the command, so every replica applies it alike.
 */

/** `stack deploy`: creates or updates the stack's services; with `prune`, removes the ones no longer in it. */
export interface DeployStackCommand {
  type: 'deploy-stack';
  stack: string;
  /** `id` is used only for services the stack does not have yet. */
  services: Array<{ id: string; spec: ServiceSpec }>;
  /**
   * The full name of each network key the services use; external ones must exist. Keys not
   * listed are the stack's own, `${stack}_${key}`.
   */
  networks?: StackNetworkName[];
  prune: boolean;
  atMs: number;
}

/** A stack file's network key and the cluster network it stands for. */
export interface StackNetworkName {
  key: string;
  name: string;
  external: boolean;
}

export interface RemoveStackCommand {
  type: 'remove-stack';
  stack: string;
  atMs: number;
}

export interface ScaleServiceCommand {
  type: 'scale-service';
  /** Service id or full name. */
  service: string;
  replicas: number;
  atMs: number;
}

export interface UpdateServiceCommand {
  type: 'update-service';
  service: string;
  spec: ServiceSpec;
  atMs: number;
}

export interface RollbackServiceCommand {
  type: 'rollback-service';
  service: string;
  atMs: number;
}

/** A node seen in membership for the first time, or `node update`. */
export interface UpdateNodeCommand {
  type: 'update-node';
  node: string;
  hostname?: string;
  role?: NodeRole;
  availability?: NodeAvailability;
  labelsAdd?: Record<string, string>;
  labelsRemove?: string[];
  atMs: number;
}

/**
 * `node promote` / `node demote`: the role the node should have. The leader then moves raft's
 * configuration and hands the node a certificate of that role; membership shows the role
 * once the node runs it. Demoting the last manager is refused here, so two demotions racing
 * through the log cannot both pass.
 */
export interface SetNodeRoleCommand {
  type: 'set-node-role';
  node: string;
  role: NodeRole;
  atMs: number;
}

export interface RemoveNodeCommand {
  type: 'remove-node';
  node: string;
  atMs: number;
}

/** The orchestrator's decisions of one pass, applied together. */
export interface OrchestrateCommand {
  type: 'orchestrate';
  createTasks: TaskRecord[];
  assign: Array<{ taskId: string; nodeId: string }>;
  desired: Array<{ taskId: string; desiredState: TaskState }>;
  /** Tasks whose reason for staying pending changed (`no suitable node: …`). */
  pending: Array<{ taskId: string; error: string }>;
  /** Ended tasks dropped from the state. */
  deleteTasks: string[];
  updates: Array<{ serviceId: string; status: UpdateStatus | undefined }>;
  atMs: number;
}

/** Agents' task reports, batched by the leader. */
export interface TaskStatusCommand {
  type: 'task-status';
  reports: TaskStatusReport[];
}

export type ClusterCommand =
  | DeployStackCommand
  | RemoveStackCommand
  | ScaleServiceCommand
  | UpdateServiceCommand
  | RollbackServiceCommand
  | UpdateNodeCommand
  | SetNodeRoleCommand
  | RemoveNodeCommand
  | OrchestrateCommand
  | TaskStatusCommand;

/** What applying a command did. A refused command changes nothing and says why. */
export type CommandResult =
  | { ok: true; created?: string[]; updated?: string[]; unchanged?: string[]; removed?: string[] }
  | { ok: false; code: 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'CONFLICT'; message: string };
