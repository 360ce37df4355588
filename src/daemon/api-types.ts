/**
 * The local API between the daemon and its clients (the CLI, the dashboard): HTTP with
 * JSON bodies over a root-only Unix socket. Streaming answers are newline-delimited JSON.
 * Errors come back as `{ error: { code, message, details? } }` with a matching status.
 */
import type { ErrorCode } from '../core/errors.js';
import type { NodeRole } from '../membership/types.js';
import type { NodeAvailability } from '../spec/node-info.js';
import type { ImageSummary, PullEvent } from '../runtime/image/local-images.js';
import type { ContainerInfo, ContainerSpec, ExitStatus, LogLine } from '../runtime/runtime.js';

/** Bumped when a request or answer changes shape incompatibly. */
export const apiVersion = 1;

/** The error body of every failed request. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** GET /v1/info */
export interface InfoResponse {
  apiVersion: number;
  version: string;
  nodeName: string;
  stateDir: string;
  ociRuntime: string;
  cgroupVersion: 1 | 2;
  containers: { total: number; running: number };
  images: number;
}

/** GET /v1/images lists these; POST /v1/images/pull streams PullEvents. */
export type { ImageSummary, PullEvent };

/** POST /v1/images/import: a tar stream in the body, the reference in the query. */
export interface ImportResponse {
  images: ImageSummary[];
}

/** POST /v1/containers: create (and pull the image if missing), optionally start. */
export interface CreateContainerRequest {
  spec: ContainerSpec;
  start: boolean;
  /** 'missing' pulls when the image is not in the store; 'never' fails instead. */
  pull: 'missing' | 'always' | 'never';
}

/** POST /v1/containers/:id/exec, answered as a stream of these. */
export type ExecEvent =
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string /* base64 */ }
  | { type: 'exit'; exitCode: number };

export interface ExecRequest {
  args: string[];
  env: string[];
  user?: string;
  workingDir?: string;
}

export type { ContainerInfo, ContainerSpec, ExitStatus, LogLine };

/** POST /v1/cluster/init: start a new cluster with this node as its first manager. */
export interface ClusterInitRequest {
  /** HOST:PORT to listen on for cluster traffic. Default 0.0.0.0:7946. */
  listenAddress?: string;
  /** HOST[:PORT] other nodes dial. Default: the listen address, or this machine's only IPv4 address. */
  advertiseAddress?: string;
  labels?: Record<string, string>;
}

export interface ClusterInitResponse {
  clusterId: string;
  nodeId: string;
  workerToken: string;
  managerToken: string;
  advertiseAddr: string;
}

/** POST /v1/cluster/join */
export interface ClusterJoinRequest extends ClusterInitRequest {
  token: string;
  /** HOST:PORT of a manager. */
  remoteAddress: string;
}

export interface ClusterJoinResponse {
  clusterId: string;
  nodeId: string;
  role: NodeRole;
}

/** GET /v1/cluster/join-token/:role[?rotate=1] */
export interface JoinTokenResponse {
  role: NodeRole;
  token: string;
  /** The command to run on a new node. */
  command: string;
}

/** GET /v1/cluster */
export type ClusterStatus =
  | { member: false; nodeId: string | undefined }
  | { member: true; clusterId: string; nodeId: string; role: NodeRole; listenAddr: string; advertiseAddr: string; members: number; ready: number };

/** A member's liveness as `node ls` shows it: alive is ready, dead is down. */
export type NodeStatus = 'ready' | 'suspect' | 'down' | 'left';

/** GET /v1/nodes lists these: one per member this node knows, itself included. */
export interface NodeSummary {
  id: string;
  hostname: string;
  status: NodeStatus;
  /** Scheduling availability, as `node update --availability` set it. */
  availability: NodeAvailability;
  role: NodeRole;
  /** HOST:PORT it is reached on. */
  address: string;
  /** Whether this is the node answering. */
  self: boolean;
  incarnation: number;
  /** When this node saw the current status begin, ms since the epoch on its clock. */
  statusChangedAt: number;
  labels: Record<string, string>;
  /** CPU and memory in use on its host as it last gossiped them; absent when no fresh figure arrived (down, just joined, or no orchestration). */
  usage?: NodeUsage | undefined;
}

/** What a node's host uses, the whole machine (not only swarmts' tasks). */
export interface NodeUsage {
  /** CPU busy over the node's last measuring interval (a few seconds), millicores. */
  cpuMillicores: number;
  /** Memory in use (MemTotal − MemAvailable), bytes. */
  memoryBytes: number;
  /** When the node measured it, ms since the epoch on its own clock. */
  sampledAt: number;
}

/** GET /v1/nodes/:idOrHostname */
export interface NodeDetail extends NodeSummary {
  addresses: string[];
  capacity: { cpuMillicores: number; memoryBytes: number };
  versions: Record<string, string>;
  /** Admitted by the cluster authority at this time (ms since the epoch), as this role. */
  admission: { role: NodeRole; issuedAt: number } | undefined;
}
