import { newObjectId } from '../../core/ids.js';
import type { ClusterCommand, CommandResult } from '../../cluster/commands.js';
import type { NodeRecord, ServiceRecord } from '../../cluster/records.js';
import { SwarmError } from '../../core/errors.js';
import type { Member } from '../../membership/types.js';
import type { NodeRole } from '../../spec/node-info.js';
import type { ServiceSpec } from '../../spec/service-spec.js';
import type {
  ChangeResult, ClusterEvent, DeployStackRequest, NodeUpdateRequest, OrchestrationService, OrchestrationStatus,
  ServiceDetail, ServiceLogLine, ServiceSummary, StackSummary, TaskSummary,
} from '../api-orchestration.js';
import { findByReference } from '../find-by-reference.js';
import type { ClusterReplica } from './cluster-replica.js';
import type { EventLog } from './event-log.js';
import { serviceLogs, type TaskLogSources } from './task-logs.js';
import { compareTasks, serviceDetail, serviceSummary, stackSummaries, taskSummary } from './views.js';

export interface OperationsComponents {
  replica: ClusterReplica;
  write: (command: ClusterCommand) => Promise<CommandResult>;
  /** Sends a role change to the raft leader (RoleRequests). */
  changeRole: (node: string, role: NodeRole) => Promise<CommandResult>;
  events: EventLog;
  members: () => Member[];
  logSources: TaskLogSources;
  status: () => OrchestrationStatus;
}

function changed(result: CommandResult): ChangeResult {
  if (!result.ok) throw new SwarmError(result.code, result.message);
  return { created: result.created ?? [], updated: result.updated ?? [], unchanged: result.unchanged ?? [], removed: result.removed ?? [] };
}

/**
 * The orchestration API on one node: reads from this node's copy of the committed state,
 * writes through the cluster writer (to the leader). References accept an id, a unique id
 * prefix or a name, as docker does.
 */
export class Operations implements OrchestrationService {
  constructor(private readonly c: OperationsComponents) {}

  private get store() {
    return this.c.replica.store;
  }

  status(): OrchestrationStatus {
    return this.c.status();
  }

  async deployStack(name: string, request: DeployStackRequest): Promise<ChangeResult> {
    const services = request.services.map((spec) => ({ id: this.store.service(`${name}_${spec.name}`)?.id ?? newObjectId(), spec }));
    const networks = request.networks === undefined ? {} : { networks: request.networks };
    return changed(await this.c.write({ type: 'deploy-stack', stack: name, services, ...networks, prune: request.prune, atMs: Date.now() }));
  }

  async removeStack(name: string): Promise<ChangeResult> {
    if (this.store.stack(name) === undefined) throw new SwarmError('NOT_FOUND', `no stack ${JSON.stringify(name)}: see \`swarmts stack ls\``);
    return changed(await this.c.write({ type: 'remove-stack', stack: name, atMs: Date.now() }));
  }

  stacks(): StackSummary[] {
    return stackSummaries(this.store);
  }

  services(stack?: string): ServiceSummary[] {
    if (stack !== undefined && this.store.stack(stack) === undefined) throw new SwarmError('NOT_FOUND', `no stack ${JSON.stringify(stack)}: see \`swarmts stack ls\``);
    return this.store.serviceList()
      .filter((service) => stack === undefined || service.spec.stack === stack)
      .map((service) => serviceSummary(this.store, service))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  service(reference: string): ServiceDetail {
    return serviceDetail(this.store, this.findService(reference));
  }

  tasks(filter: { service?: string; stack?: string; node?: string }): TaskSummary[] {
    const serviceId = filter.service === undefined ? undefined : this.findService(filter.service).id;
    const nodeId = filter.node === undefined ? undefined : this.findNode(filter.node).id;
    if (filter.stack !== undefined && this.store.stack(filter.stack) === undefined) throw new SwarmError('NOT_FOUND', `no stack ${JSON.stringify(filter.stack)}: see \`swarmts stack ls\``);
    return this.store.taskList()
      .filter((task) => (serviceId === undefined || task.serviceId === serviceId) && (nodeId === undefined || task.nodeId === nodeId) && (filter.stack === undefined || task.spec.stack === filter.stack))
      .map((task) => taskSummary(this.store, task))
      .sort(compareTasks);
  }

  async scaleService(reference: string, replicas: number): Promise<ChangeResult> {
    const service = this.findService(reference);
    return changed(await this.c.write({ type: 'scale-service', service: service.id, replicas, atMs: Date.now() }));
  }

  async updateService(reference: string, spec: ServiceSpec): Promise<ChangeResult> {
    const service = this.findService(reference);
    if (spec.name !== service.spec.name || spec.stack !== service.spec.stack) {
      throw new SwarmError('INVALID_ARGUMENT', `the new spec names ${spec.stack}_${spec.name}, not ${service.fullName}: a service cannot be renamed or moved to another stack`);
    }
    return changed(await this.c.write({ type: 'update-service', service: service.id, spec, atMs: Date.now() }));
  }

  async rollbackService(reference: string): Promise<ChangeResult> {
    const service = this.findService(reference);
    return changed(await this.c.write({ type: 'rollback-service', service: service.id, atMs: Date.now() }));
  }

  serviceLogs(reference: string, options: { follow: boolean; tailLines?: number }, signal: AbortSignal): AsyncIterable<ServiceLogLine> {
    const service = this.findService(reference);
    return serviceLogs(this.tasks({ service: service.id }), options, signal, this.c.logSources);
  }

  async updateNode(reference: string, request: NodeUpdateRequest): Promise<ChangeResult> {
    const node = this.findNode(reference);
    return changed(await this.c.write({ type: 'update-node', node: node.id, ...request, atMs: Date.now() }));
  }

  /**
   * `node promote` / `demote`: records the wanted role through the raft leader, which checks
   * raft keeps its quorum; the node takes the role moments later (see LeaderDuties).
   */
  async setNodeRole(reference: string, role: NodeRole): Promise<ChangeResult> {
    const node = this.findNode(reference);
    if (node.role === role) return { created: [], updated: [], unchanged: [node.id], removed: [] };
    return changed(await this.c.changeRole(node.id, role));
  }

  async removeNode(reference: string, force: boolean): Promise<ChangeResult> {
    const node = this.findNode(reference);
    const member = this.c.members().find((m) => m.meta.id === node.id);
    const up = member?.status === 'alive' || member?.status === 'suspect';
    if (up && !force) {
      throw new SwarmError('CONFLICT', `${node.hostname} is still up: run \`swarmts leave\` on it first, or drain it (\`swarmts node update --availability drain ${node.hostname}\`) and remove it with --force`);
    }
    return changed(await this.c.write({ type: 'remove-node', node: node.id, atMs: Date.now() }));
  }

  events(sinceMs: number, signal: AbortSignal, usage = false): AsyncIterable<ClusterEvent> {
    return this.c.events.follow(sinceMs, signal, usage);
  }

  private findService(reference: string): ServiceRecord {
    return findByReference('service', reference, this.store.serviceList(), (s) => s.id, (s) => [s.fullName], 'swarmts service ls');
  }

  private findNode(reference: string): NodeRecord {
    return findByReference('node', reference, this.store.nodeList(), (n) => n.id, (n) => [n.hostname], 'swarmts node ls');
  }
}
