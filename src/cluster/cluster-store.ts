import { canTransition, isTerminal } from '../spec/task.js';
import { freeNodeSubnet, freeTaskAddress } from './address-plan.js';
import type {
  ClusterCommand,
  CommandResult,
  DeployStackCommand,
  OrchestrateCommand,
  RemoveStackCommand,
  SetNodeRoleCommand,
  UpdateNodeCommand,
} from './commands.js';
import { plainEqual } from './plain-equal.js';
import type { NetworkRecord, NodeRecord, ServiceEndpoint, ServiceRecord, StackRecord, TaskRecord, TaskStatusReport } from './records.js';
import { planEndpoints } from './service-endpoints.js';

/** The whole state as plain data: what a raft snapshot of the cluster holds. */
export interface ClusterSnapshot {
  v: 1;
  services: ServiceRecord[];
  tasks: TaskRecord[];
  nodes: NodeRecord[];
  stacks: StackRecord[];
  networks: NetworkRecord[];
}

/**
 * A snapshot written before service networking had no addresses, endpoints or networks:
 * they are filled in empty (nodes get a subnet at their next registration).
 */
function withNetworkFields(snapshot: ClusterSnapshot): ClusterSnapshot {
  for (const service of snapshot.services) {
    service.endpoint ??= { vip: undefined, ports: [] };
    service.networks ??= [];
  }
  for (const task of snapshot.tasks) task.networks ??= [];
  snapshot.networks ??= [];
  return snapshot;
}

const notFound = (what: string): CommandResult => ({ ok: false, code: 'NOT_FOUND', message: what });

/**
 * The replicated cluster state machine: services, stacks, nodes and tasks, changed only by
 * applying ClusterCommands in log order. Pure and deterministic: every replica that applies
 * the same commands holds the same state. A command that cannot apply (an unknown service,
 * say) changes nothing and returns why.
 */
export class ClusterStore {
  private readonly services = new Map<string, ServiceRecord>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly stacks = new Map<string, StackRecord>();
  private readonly networks = new Map<string, NetworkRecord>();

  apply(command: ClusterCommand): CommandResult {
    switch (command.type) {
      case 'deploy-stack':
        return this.deployStack(command);
      case 'remove-stack':
        return this.removeStack(command);
      case 'scale-service': {
        const service = this.service(command.service);
        if (service === undefined) return notFound(`no service ${command.service}`);
        if (service.spec.mode === 'global') return { ok: false, code: 'INVALID_ARGUMENT', message: `${service.fullName} is a global service: it runs one task per node and cannot be scaled` };
        if (!Number.isSafeInteger(command.replicas) || command.replicas < 0) return { ok: false, code: 'INVALID_ARGUMENT', message: `replicas: expected a whole number >= 0, got ${command.replicas}` };
        this.changeSpec(service, { ...service.spec, replicas: command.replicas }, service.endpoint, command.atMs, 'updating');
        return { ok: true, updated: [service.fullName] };
      }
      case 'update-service': {
        const service = this.service(command.service);
        if (service === undefined) return notFound(`no service ${command.service}`);
        const endpoint = this.endpointFor(service, command.spec);
        if (typeof endpoint === 'string') return { ok: false, code: 'CONFLICT', message: endpoint };
        return this.changeSpec(service, command.spec, endpoint, command.atMs, 'updating') ? { ok: true, updated: [service.fullName] } : { ok: true, unchanged: [service.fullName] };
      }
      case 'rollback-service': {
        const service = this.service(command.service);
        if (service === undefined) return notFound(`no service ${command.service}`);
        if (service.previousSpec === undefined) return { ok: false, code: 'CONFLICT', message: `${service.fullName} has no previous spec to roll back to` };
        const endpoint = this.endpointFor(service, service.previousSpec);
        if (typeof endpoint === 'string') return { ok: false, code: 'CONFLICT', message: endpoint };
        this.changeSpec(service, service.previousSpec, endpoint, command.atMs, 'rollback_started');
        return { ok: true, updated: [service.fullName] };
      }
      case 'update-node':
        return this.updateNode(command);
      case 'set-node-role':
        return this.setNodeRole(command);
      case 'remove-node':
        if (!this.nodes.delete(command.node)) return notFound(`no node ${command.node}`);
        return { ok: true, removed: [command.node] };
      case 'orchestrate':
        return this.orchestrate(command);
      case 'task-status':
        for (const report of command.reports) this.report(report);
        return { ok: true };
    }
  }

  /** A service by id or full name. */
  service(reference: string): ServiceRecord | undefined {
    const byId = this.services.get(reference);
    if (byId !== undefined) return byId;
    for (const service of this.services.values()) if (service.fullName === reference) return service;
    return undefined;
  }

  serviceList(): ServiceRecord[] {
    return [...this.services.values()];
  }

  task(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  taskList(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  tasksOf(serviceId: string): TaskRecord[] {
    return this.taskList().filter((task) => task.serviceId === serviceId);
  }

  node(id: string): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  nodeList(): NodeRecord[] {
    return [...this.nodes.values()];
  }

  stack(name: string): StackRecord | undefined {
    return this.stacks.get(name);
  }

  stackList(): StackRecord[] {
    return [...this.stacks.values()];
  }

  network(name: string): NetworkRecord | undefined {
    return this.networks.get(name);
  }

  networkList(): NetworkRecord[] {
    return [...this.networks.values()];
  }

  exportSnapshot(): ClusterSnapshot {
    return structuredClone({ v: 1, services: this.serviceList(), tasks: this.taskList(), nodes: this.nodeList(), stacks: this.stackList(), networks: this.networkList() });
  }

  /** Replaces the whole state with a snapshot's. */
  importSnapshot(snapshot: ClusterSnapshot): void {
    const copy = withNetworkFields(structuredClone(snapshot));
    this.services.clear();
    this.tasks.clear();
    this.nodes.clear();
    this.stacks.clear();
    this.networks.clear();
    for (const service of copy.services) this.services.set(service.id, service);
    for (const task of copy.tasks) this.tasks.set(task.id, task);
    for (const node of copy.nodes) this.nodes.set(node.id, node);
    for (const stack of copy.stacks) this.stacks.set(stack.name, stack);
    for (const network of copy.networks) this.networks.set(network.name, network);
  }

  private deployStack(command: DeployStackCommand): CommandResult {
    const names = command.services.map(({ spec }) => `${command.stack}_${spec.name}`);
    const wrongStack = command.services.find(({ spec }) => spec.stack !== command.stack);
    if (wrongStack !== undefined) return { ok: false, code: 'INVALID_ARGUMENT', message: `service ${wrongStack.spec.name} belongs to stack ${wrongStack.spec.stack}, not ${command.stack}` };
    for (const [i, { id }] of command.services.entries()) {
      const existing = this.service(names[i]!);
      if (existing === undefined && this.services.has(id)) return { ok: false, code: 'CONFLICT', message: `service id ${id} is taken` };
    }
    const previous = this.stacks.get(command.stack);
    const kept = new Set(names);
    const stale = (previous?.services ?? []).filter((name) => !kept.has(name));

    const networkName = (key: string) => command.networks?.find((n) => n.key === key) ?? { key, name: `${command.stack}_${key}`, external: false };
    const missing = command.services.flatMap(({ spec }) => spec.networks.map(networkName)).find((n) => n.external && !this.networks.has(n.name));
    if (missing !== undefined) return { ok: false, code: 'NOT_FOUND', message: `network ${missing.name} (key ${missing.key}) is declared external but does not exist: deploy the stack that creates it first, or drop external: true` };
    const leaving = new Set([...names, ...(command.prune ? stale : [])]);
    const plan = planEndpoints(
      command.services.map(({ spec }, i) => ({ fullName: names[i]!, spec, previous: this.service(names[i]!)?.endpoint })),
      this.serviceList().filter((service) => !leaving.has(service.fullName)),
    );
    if (!plan.ok) return { ok: false, code: 'CONFLICT', message: plan.message };

    const result = { ok: true as const, created: [] as string[], updated: [] as string[], unchanged: [] as string[], removed: [] as string[] };
    for (const [i, { id, spec }] of command.services.entries()) {
      const fullName = names[i]!;
      const networks = spec.networks.map((key) => networkName(key).name);
      for (const name of networks) if (!this.networks.has(name)) this.networks.set(name, { name, stack: command.stack, createdAtMs: command.atMs });
      const endpoint = plan.endpoints[i]!;
      const existing = this.service(fullName);
      if (existing === undefined) {
        this.services.set(id, { id, fullName, spec, networks, endpoint, version: 1, previousSpec: undefined, createdAtMs: command.atMs, updatedAtMs: command.atMs, update: undefined });
        result.created.push(fullName);
      } else if (this.changeSpec(existing, spec, endpoint, command.atMs, 'updating')) {
        existing.networks = networks;
        result.updated.push(fullName);
      } else {
        result.unchanged.push(fullName);
      }
    }
    if (command.prune) {
      for (const name of stale) {
        const service = this.service(name);
        if (service !== undefined) this.removeService(service);
        result.removed.push(name);
      }
    }
    const services = command.prune ? names : [...names, ...stale.filter((name) => this.service(name) !== undefined)];
    this.stacks.set(command.stack, { name: command.stack, services, deployedAtMs: command.atMs });
    this.dropUnusedNetworks();
    return result;
  }

  private removeStack(command: RemoveStackCommand): CommandResult {
    const stack = this.stacks.get(command.stack);
    if (stack === undefined) return notFound(`no stack ${command.stack}`);
    for (const name of stack.services) {
      const service = this.service(name);
      if (service !== undefined) this.removeService(service);
    }
    this.stacks.delete(command.stack);
    this.dropUnusedNetworks();
    return { ok: true, removed: stack.services };
  }

  /** Networks no service uses, of stacks that no longer declare them (or no longer exist). */
  private dropUnusedNetworks(): void {
    const used = new Set(this.serviceList().flatMap((service) => service.networks));
    for (const network of this.networks.values()) if (!used.has(network.name)) this.networks.delete(network.name);
  }

  /** The endpoint `service` gets with `spec`, or why it cannot have it. */
  private endpointFor(service: ServiceRecord, spec: ServiceRecord['spec']): ServiceEndpoint | string {
    const plan = planEndpoints([{ fullName: service.fullName, spec, previous: service.endpoint }], this.serviceList().filter((other) => other.id !== service.id));
    return plan.ok ? plan.endpoints[0]! : plan.message;
  }

  /** Removes a service; its tasks stay, told to shut down, until the orchestrator deletes them once they ended. */
  private removeService(service: ServiceRecord): void {
    this.services.delete(service.id);
    for (const task of this.tasksOf(service.id)) task.desiredState = 'shutdown';
  }

  /**
   * Records a new spec; false when nothing changed. A change of anything but the replica
   * count is a new version (its tasks roll); a new replica count alone is a scale.
   */
  private changeSpec(service: ServiceRecord, spec: ServiceRecord['spec'], endpoint: ServiceEndpoint, atMs: number, state: 'updating' | 'rollback_started'): boolean {
    if (plainEqual(service.spec, spec)) return false;
    service.endpoint = endpoint;
    service.updatedAtMs = atMs;
    if (plainEqual({ ...service.spec, replicas: spec.replicas }, spec)) {
      service.spec = spec;
      return true;
    }
    service.previousSpec = service.spec;
    service.spec = spec;
    service.version++;
    service.update = { state, startedAtMs: atMs, completedAtMs: undefined, message: state === 'updating' ? 'update in progress' : 'rollback in progress' };
    return true;
  }

  private updateNode(command: UpdateNodeCommand): CommandResult {
    const existing = this.nodes.get(command.node);
    if (existing === undefined && (command.hostname === undefined || command.role === undefined)) {
      return notFound(`no node ${command.node}: a node is registered with its hostname and role first`);
    }
    const node: NodeRecord = existing ?? { id: command.node, hostname: command.hostname!, role: command.role!, availability: 'active', labels: {}, subnet: undefined, lastTaskAddress: undefined };
    node.subnet ??= freeNodeSubnet(new Set(this.nodeList().flatMap((n) => (n.subnet === undefined ? [] : [n.subnet]))));
    if (command.hostname !== undefined) node.hostname = command.hostname;
    if (command.role !== undefined) node.role = command.role;
    if (command.availability !== undefined) node.availability = command.availability;
    const labels = { ...node.labels, ...command.labelsAdd };
    for (const key of command.labelsRemove ?? []) delete labels[key];
    node.labels = labels;
    this.nodes.set(node.id, node);
    return existing === undefined ? { ok: true, created: [node.id] } : { ok: true, updated: [node.id] };
  }

  private setNodeRole(command: SetNodeRoleCommand): CommandResult {
    const node = this.nodes.get(command.node);
    if (node === undefined) return notFound(`no node ${command.node}`);
    if (node.role === command.role) return { ok: true, unchanged: [node.id] };
    const managers = this.nodeList().filter((n) => n.role === 'manager');
    if (command.role === 'worker' && managers.length === 1) {
      return { ok: false, code: 'CONFLICT', message: `${node.hostname} is the cluster's last manager: promote another node first (\`swarmts node promote NODE\`), then demote it` };
    }
    node.role = command.role;
    return { ok: true, updated: [node.id] };
  }

  private orchestrate(command: OrchestrateCommand): CommandResult {
    for (const task of command.createTasks) {
      // A pass planned before its service was removed must not bring the service's tasks back.
      if (!this.tasks.has(task.id) && this.services.has(task.serviceId)) this.tasks.set(task.id, structuredClone(task));
    }
    for (const { taskId, nodeId } of command.assign) {
      const task = this.tasks.get(taskId);
      if (task === undefined || (task.nodeId !== undefined && task.nodeId !== nodeId) || !canTransition(task.state, 'assigned')) continue;
      task.nodeId = nodeId;
      task.address ??= this.taskAddress(nodeId);
      task.state = 'assigned';
      task.error = '';
      task.updatedAtMs = command.atMs;
    }
    for (const { taskId, error } of command.pending) {
      const task = this.tasks.get(taskId);
      if (task !== undefined && task.nodeId === undefined) {
        if (canTransition(task.state, 'pending')) task.state = 'pending';
        task.error = error;
        task.updatedAtMs = command.atMs;
      }
    }
    for (const { taskId, desiredState } of command.desired) {
      const task = this.tasks.get(taskId);
      if (task !== undefined) task.desiredState = desiredState;
    }
    for (const taskId of command.deleteTasks) this.tasks.delete(taskId);
    for (const { serviceId, status } of command.updates) {
      const service = this.services.get(serviceId);
      if (service !== undefined) service.update = status;
    }
    return { ok: true };
  }

  /** A free address in the node's subnet for a task placed there, or undefined when the node has none left. */
  private taskAddress(nodeId: string): string | undefined {
    const node = this.nodes.get(nodeId);
    if (node?.subnet === undefined) return undefined;
    const taken = new Set(this.taskList().flatMap((t) => (t.nodeId === nodeId && t.address !== undefined && !isTerminal(t.state) ? [t.address] : [])));
    const address = freeTaskAddress(node.subnet, taken, node.lastTaskAddress);
    if (address !== undefined) node.lastTaskAddress = address;
    return address;
  }

  /** Applies an agent's report if it moves the task forward; stale or reordered reports are ignored. */
  private report(report: TaskStatusReport): void {
    const task = this.tasks.get(report.taskId);
    if (task === undefined) return;
    if (report.state !== task.state && !canTransition(task.state, report.state)) return;
    task.state = report.state;
    task.error = report.error;
    task.updatedAtMs = report.atMs;
    if (report.containerId !== undefined) task.containerId = report.containerId;
    if (report.exitCode !== undefined) task.exitCode = report.exitCode;
    if (report.health !== undefined) task.health = report.health;
  }
}
