/**
 * The container runtime as the rest of swarmts sees it: images in, containers out.
 * `ContainerManager` is the real implementation (image store + overlayfs + an OCI runtime
 * through swarmts-monitor); `SimRuntime` is its in-memory twin for simulations.
 */

/** How a container is attached to the network. */
export type NetworkAttachment =
  | { mode: 'none' } // a new network namespace with only `lo`
  | { mode: 'host' } // the host's network namespace
  | { mode: 'netns'; path: string }; // join a namespace prepared by the network layer

/** A mount into the container. Bind sources are absolute host paths. */
export interface MountSpec {
  type: 'bind' | 'tmpfs';
  /** Host path for binds; ignored for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size limit; 0 means the kernel default (half of memory). */
  tmpfsSizeBytes?: number;
}

/** Everything needed to create one container. */
export interface ContainerSpec {
  /** Unique name; generated when absent. */
  name?: string;
  /** Image reference, e.g. `busybox`, `127.0.0.1:5000/web:1.2`. */
  image: string;
  /** Replaces the image's Cmd. */
  command?: string[];
  /** Replaces the image's Entrypoint. */
  entrypoint?: string[];
  /** `K=V` entries layered over the image's Env. */
  env: string[];
  workingDir?: string;
  /** `uid[:gid]` or a user name from the image's /etc/passwd. */
  user?: string;
  hostname?: string;
  labels: Record<string, string>;
  resources: ContainerResources;
  network: NetworkAttachment;
  mounts: MountSpec[];
  readOnlyRootfs: boolean;
  /** Signal `stop` sends first (default: the image's StopSignal, else SIGTERM). */
  stopSignal?: string;
  /** How long `stop` waits before SIGKILL. Default 10 000 ms, like Docker. */
  stopTimeoutMs?: number;
}

export interface ContainerResources {
  memoryBytes?: number;
  /** CPU limit in billionths of a CPU (Docker's NanoCpus): 0.5 CPU = 500 000 000. */
  nanoCpus?: number;
  pidsLimit?: number;
}

export type ContainerState = 'created' | 'running' | 'exited';

/** How a container ended. */
export interface ExitStatus {
  exitCode: number;
  /** The signal that killed it, when one did. */
  signal?: string;
  oomKilled: boolean;
  finishedAt: string;
}

/** What `inspect` and `list` return. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  /** The process actually run: entrypoint + command after merging with the image. */
  args: string[];
  state: ContainerState;
  pid?: number;
  createdAt: string;
  startedAt?: string;
  exit?: ExitStatus;
  labels: Record<string, string>;
  spec: ContainerSpec;
}

/** One line of a container's output. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogOptions {
  follow: boolean;
  /** Only the last N lines of what is already there; undefined means all. */
  tailLines?: number;
}

export interface ExecSpec {
  args: string[];
  env: string[];
  user?: string;
  workingDir?: string;
}

/** Where an exec's output goes, chunk by chunk. */
export type OutputSink = (stream: 'stdout' | 'stderr', chunk: Buffer) => void;

/** The container runtime of one node. */
export interface Runtime {
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  start(idOrName: string): Promise<ContainerInfo>;
  /** Sends the stop signal, waits up to the timeout, then SIGKILL. Resolves once it has exited. */
  stop(idOrName: string, timeoutMs?: number): Promise<ContainerInfo>;
  kill(idOrName: string, signal: string): Promise<void>;
  /** Removes a stopped container (or, with force, kills it first) and everything it used. */
  remove(idOrName: string, force: boolean): Promise<void>;
  inspect(idOrName: string): Promise<ContainerInfo>;
  list(): Promise<ContainerInfo[]>;
  /** Resolves when the container has exited (at once if it already has). */
  wait(idOrName: string): Promise<ExitStatus>;
  logs(idOrName: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine>;
  /** Runs a process inside a running container; resolves with its exit code. */
  exec(idOrName: string, spec: ExecSpec, output: OutputSink): Promise<number>;
}
