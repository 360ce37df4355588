/**
 * What a stack file asks for, after parsing and validation: one ServiceSpec per service.
 * Every duration is in milliseconds, every size in bytes and every CPU amount in
 * billionths of a CPU, so the scheduler and the agents never parse text again.
 */

/** Transport protocol of a published port. */
export type PortProtocol = 'tcp' | 'udp';

/** `ingress` publishes on every node through the routing mesh; `host` only where a task runs. */
export type PublishMode = 'ingress' | 'host';

/** One container port, and the port the cluster publishes it on (undefined: swarmts picks one). */
export interface PortSpec {
  target: number;
  published: number | undefined;
  protocol: PortProtocol;
  mode: PublishMode;
}

/** How a mount's source is provided. */
export type MountType = 'bind' | 'volume' | 'tmpfs';

/**
 * A filesystem mounted into the task's containers. `source` is an absolute host path for
 * `bind`, a stack volume name (or '' for an anonymous volume) for `volume`, '' for `tmpfs`.
 * It may hold Swarm templates such as `{{.Task.Slot}}`, expanded per task.
 */
export interface MountSpec {
  type: MountType;
  source: string;
  target: string;
  readOnly: boolean;
  tmpfsSizeBytes?: number;
}

/** When a dependency counts as satisfied (compose's `depends_on` conditions). */
export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** Another service of the same stack that must reach `condition` before this one starts. */
export interface DependsOnSpec {
  service: string;
  condition: DependsOnCondition;
}

/**
 * A container health probe. `test` is Docker's form: ['CMD', exe, ...args],
 * ['CMD-SHELL', script] or ['NONE'] (the image's own check is disabled).
 */
export interface HealthcheckSpec {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Replicated runs `replicas` tasks anywhere; global runs one task on every eligible node. */
export type ServiceMode = 'replicated' | 'global';

/** Hard caps the runtime enforces per task; absent means unlimited. */
export interface ResourceLimits {
  nanoCpus?: number;
  memoryBytes?: number;
  pids?: number;
}

/** What the scheduler must find free on a node before placing a task there. */
export interface ResourceReservations {
  nanoCpus?: number;
  memoryBytes?: number;
}

export interface ResourcesSpec {
  limits: ResourceLimits;
  reservations: ResourceReservations;
}

/** When a task that stopped is replaced. */
export type RestartCondition = 'none' | 'on-failure' | 'any';

/** Restart rules; `maxAttempts` counts within `windowMs` (or ever, when no window is set). */
export interface RestartPolicySpec {
  condition: RestartCondition;
  delayMs: number;
  maxAttempts?: number;
  windowMs?: number;
}

/** Whether the old task stops before its replacement starts, or after. */
export type UpdateOrder = 'stop-first' | 'start-first';

/** What an update (or a rollback) does when too many new tasks fail. */
export type FailureAction = 'pause' | 'continue' | 'rollback';

/** How a rolling update (or rollback) proceeds: `parallelism` tasks at a time, 0 meaning all. */
export interface UpdateConfigSpec {
  parallelism: number;
  delayMs: number;
  order: UpdateOrder;
  monitorMs: number;
  maxFailureRatio: number;
  failureAction: FailureAction;
}

/** A placement rule `key op value`, e.g. node.role == manager or node.labels.zone != east. */
export interface PlacementConstraint {
  key: string;
  op: '==' | '!=';
  value: string;
}

/** Spread tasks evenly over the values of a node attribute such as node.labels.zone. */
export interface PlacementPreference {
  spread: string;
}

export interface PlacementSpec {
  constraints: PlacementConstraint[];
  preferences: PlacementPreference[];
  maxReplicasPerNode?: number;
}

/** `vip` gives the service one virtual IP; `dnsrr` returns every task's IP from DNS. */
export type EndpointMode = 'vip' | 'dnsrr';

/**
 * One service of a stack. `name` is the service's key in the stack file; the cluster
 * names it `${stack}_${name}`. `labels` are service labels (deploy.labels),
 * `containerLabels` go on each container (the service-level `labels`).
 */
export interface ServiceSpec {
  name: string;
  stack: string;
  image: string;
  /** Replaces the image's CMD; undefined keeps it. */
  command: string[] | undefined;
  /** Replaces the image's ENTRYPOINT; undefined keeps it. */
  entrypoint: string[] | undefined;
  env: Record<string, string>;
  user: string | undefined;
  workingDir: string | undefined;
  hostname: string | undefined;
  /** Mounts the container's root filesystem read-only (compose's `read_only`). */
  readOnlyRootfs: boolean;
  containerLabels: Record<string, string>;
  labels: Record<string, string>;
  /** Time between the stop signal and SIGKILL; compose's default is 10s. */
  stopGracePeriodMs: number;
  /** Undefined keeps the image's STOPSIGNAL (SIGTERM when it has none). */
  stopSignal: string | undefined;
  /** Undefined keeps the image's HEALTHCHECK. */
  healthcheck: HealthcheckSpec | undefined;
  ports: PortSpec[];
  mounts: MountSpec[];
  /** Stack network names (keys of StackSpec.networks), in file order. */
  networks: string[];
  dependsOn: DependsOnSpec[];
  mode: ServiceMode;
  /** Desired task count for replicated mode; 0 for global mode, where nodes decide. */
  replicas: number;
  resources: ResourcesSpec;
  restartPolicy: RestartPolicySpec;
  updateConfig: UpdateConfigSpec;
  rollbackConfig: UpdateConfigSpec;
  placement: PlacementSpec;
  endpointMode: EndpointMode;
}
