import { SwarmError } from '../core/errors.js';
import type { NodeRole } from '../spec/node-info.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import type {
  ChangeResult, ClusterEvent, DeployStackRequest, NodeUpdateRequest, OrchestrationService, OrchestrationStatus,
  ServiceDetail, ServiceLogLine, StackSummary, TaskSummary,
} from './api-orchestration.js';

/**
 * An in-memory OrchestrationService for tests of the routes and the CLI: it keeps
 * services and tasks, records every call, and moves time only when asked. Tasks start
 * `pending`; each read of the services lets one more task per service start running
 * (so a watcher sees progress), unless `pendingError` holds them back as a scheduler would.
 */
export class MemoryOrchestrationService implements OrchestrationService {
  /** Every call, in order, with its arguments (abort signals left out). */
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** When set, no task starts: each stays pending with this error. */
  pendingError: string | undefined;
  /** What `serviceLogs` yields; with follow, the stream then stays open until `endStreams()`. */
  logLines: ServiceLogLine[] = [];
  private readonly records = new Map<string, ServiceDetail>();
  private readonly taskList: TaskSummary[] = [];
  private readonly roles = new Map<string, NodeRole>([['node-a', 'manager']]);
  private readonly eventList: ClusterEvent[] = [];
  private readonly waiting = new Set<() => void>();
  private ended = false;
  private nextId = 1;

  constructor(private readonly nowMs = 1_000_000) {}

  status(): OrchestrationStatus {
    return this.record('status', { synced: true, leader: 'node-a', isLeader: true, voters: ['node-a'], learners: [], applied: this.calls.length });
  }

  async deployStack(name: string, request: DeployStackRequest): Promise<ChangeResult> {
    this.record('deployStack', undefined, name, request);
    const result: ChangeResult = { created: [], updated: [], unchanged: [], removed: [] };
    for (const spec of request.services) {
      const fullName = `${name}_${spec.name}`;
      const current = this.records.get(fullName);
      if (current === undefined) result.created.push(fullName);
      else if (JSON.stringify(current.spec) === JSON.stringify(spec)) result.unchanged.push(fullName);
      else result.updated.push(fullName);
      if (current === undefined || result.updated.includes(fullName)) this.setSpec(fullName, spec);
    }
    if (request.prune) {
      for (const s of this.services(name)) if (!request.services.some((spec) => `${name}_${spec.name}` === s.name)) result.removed.push(this.drop(s.name));
    }
    return result;
  }

  async removeStack(name: string): Promise<ChangeResult> {
    this.record('removeStack', undefined, name);
    return { created: [], updated: [], unchanged: [], removed: this.services(name).map((s) => this.drop(s.name)) };
  }

  stacks(): StackSummary[] {
    const names = [...new Set([...this.records.values()].map((s) => s.stack))];
    return names.map((name) => ({ name, services: this.services(name).length, deployedAt: this.nowMs }));
  }

  services(stack?: string): ServiceDetail[] {
    if (stack !== undefined && ![...this.records.values()].some((s) => s.stack === stack)) throw new SwarmError('NOT_FOUND', `no stack ${stack}`);
    for (const s of this.records.values()) this.startOneTask(s);
    return [...this.records.values()].filter((s) => stack === undefined || s.stack === stack).map((s) => ({ ...s }));
  }

  service(reference: string): ServiceDetail {
    const found = [...this.records.values()].find((s) => s.name === reference || s.id.startsWith(reference));
    if (found === undefined) throw new SwarmError('NOT_FOUND', `no service ${reference}`);
    this.startOneTask(found);
    return { ...found };
  }

  tasks(filter: { service?: string; stack?: string; node?: string }): TaskSummary[] {
    this.record('tasks', undefined, filter);
    const ids = filter.service === undefined ? undefined : this.service(filter.service).id;
    const inStack = filter.stack === undefined ? undefined : new Set(this.services(filter.stack).map((s) => s.id));
    return this.taskList.filter((t) => (ids === undefined || t.serviceId === ids) && (inStack === undefined || inStack.has(t.serviceId)) && (filter.node === undefined || t.node === filter.node));
  }

  async scaleService(reference: string, replicas: number): Promise<ChangeResult> {
    this.record('scaleService', undefined, reference, replicas);
    const s = this.service(reference);
    this.setSpec(s.name, { ...s.spec, replicas });
    return { created: [], updated: [s.name], unchanged: [], removed: [] };
  }

  async updateService(reference: string, spec: ServiceSpec): Promise<ChangeResult> {
    this.record('updateService', undefined, reference, spec);
    const s = this.service(reference);
    this.setSpec(s.name, spec);
    return { created: [], updated: [s.name], unchanged: [], removed: [] };
  }

  async rollbackService(reference: string): Promise<ChangeResult> {
    this.record('rollbackService', undefined, reference);
    const s = this.service(reference);
    if (s.previousSpec === undefined) throw new SwarmError('CONFLICT', `${s.name} has no previous spec`);
    this.setSpec(s.name, s.previousSpec);
    return { created: [], updated: [s.name], unchanged: [], removed: [] };
  }

  async *serviceLogs(reference: string, options: { follow: boolean; tailLines?: number }, signal: AbortSignal): AsyncIterable<ServiceLogLine> {
    this.record('serviceLogs', undefined, reference, options);
    this.service(reference);
    yield* options.tailLines === undefined ? this.logLines : this.logLines.slice(-options.tailLines);
    if (options.follow) await this.untilEnded(signal);
  }

  async updateNode(reference: string, request: NodeUpdateRequest): Promise<ChangeResult> {
    return this.record('updateNode', { created: [], updated: [reference], unchanged: [], removed: [] }, reference, request);
  }

  /** Roles as the real service keeps them: node-a starts as the only manager, any other name is a worker. */
  async setNodeRole(reference: string, role: NodeRole): Promise<ChangeResult> {
    this.record('setNodeRole', undefined, reference, role);
    if ((this.roles.get(reference) ?? 'worker') === role) return { created: [], updated: [], unchanged: [reference], removed: [] };
    if (role === 'worker' && [...this.roles.values()].filter((r) => r === 'manager').length === 1) {
      throw new SwarmError('CONFLICT', `${reference} is the cluster's last manager: promote another node first (\`swarmts node promote NODE\`), then demote it`);
    }
    this.roles.set(reference, role);
    return { created: [], updated: [reference], unchanged: [], removed: [] };
  }

  async removeNode(reference: string, force: boolean): Promise<ChangeResult> {
    return this.record('removeNode', { created: [], updated: [], unchanged: [], removed: [reference] }, reference, force);
  }

  async *events(sinceMs: number, signal: AbortSignal, usage = false): AsyncIterable<ClusterEvent> {
    this.record('events', undefined, sinceMs, usage);
    for (let next = 0; ; ) {
      for (; next < this.eventList.length; next++) if (this.eventList[next]!.time > sinceMs) yield this.eventList[next]!;
      if (this.ended || signal.aborted) return;
      await this.untilChanged(signal);
    }
  }

  /** Adds an event; open event streams send it. */
  emit(event: ClusterEvent): void {
    this.eventList.push(event);
    this.wake();
  }

  /** Ends every open stream, as the daemon does when it stops. */
  endStreams(): void {
    this.ended = true;
    this.wake();
  }

  private record<T>(method: string, result: T, ...args: unknown[]): T {
    this.calls.push({ method, args });
    return result;
  }

  private setSpec(fullName: string, spec: ServiceSpec): void {
    const current = this.records.get(fullName);
    const id = current?.id ?? `svc${this.nextId++}x`.padEnd(25, '0');
    const desired = spec.mode === 'global' ? 1 : spec.replicas;
    this.records.set(fullName, {
      id, name: fullName, stack: spec.stack, mode: spec.mode, image: spec.image, running: 0, desired, ports: spec.ports,
      update: current === undefined ? undefined : { state: 'updating', startedAtMs: this.nowMs, completedAtMs: undefined, message: '' },
      createdAt: current?.createdAt ?? this.nowMs, updatedAt: this.nowMs, spec, version: (current?.version ?? 0) + 1, previousSpec: current?.spec,
      endpoint: { vip: undefined, ports: [] }, networks: [], endpoints: [],
    });
    for (const t of this.taskList) if (t.serviceId === id && t.desiredState === 'running') Object.assign(t, { desiredState: 'shutdown', state: 'shutdown' });
    for (let slot = 1; slot <= desired; slot++) {
      const taskId = `task${this.nextId++}x`.padEnd(25, '0');
      this.taskList.push({
        id: taskId, serviceId: id, name: `${fullName}.${slot}`, slot, image: spec.image, nodeId: undefined, node: undefined,
        desiredState: 'running', state: 'pending', health: undefined, error: this.pendingError ?? '', containerId: undefined, exitCode: undefined, address: undefined,
        createdAt: this.nowMs, updatedAt: this.nowMs,
      });
    }
  }

  private startOneTask(s: ServiceDetail): void {
    if (this.pendingError !== undefined) return;
    const task = this.taskList.find((t) => t.serviceId === s.id && t.desiredState === 'running' && t.state === 'pending');
    if (task !== undefined) Object.assign(task, { state: 'running', nodeId: 'node-a-id', node: 'node-a', error: '' });
    s.running = this.taskList.filter((t) => t.serviceId === s.id && t.state === 'running').length;
    if (s.update?.state === 'updating' && s.running === s.desired) s.update = { ...s.update, state: 'completed', completedAtMs: this.nowMs };
  }

  private drop(fullName: string): string {
    this.records.delete(fullName);
    return fullName;
  }

  private untilChanged(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { this.waiting.delete(done); signal.removeEventListener('abort', done); resolve(); };
      this.waiting.add(done);
      signal.addEventListener('abort', done);
    });
  }

  private async untilEnded(signal: AbortSignal): Promise<void> {
    while (!this.ended && !signal.aborted) await this.untilChanged(signal);
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }
}
