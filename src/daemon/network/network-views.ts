import { defaultHostname, expandTaskTemplate, taskReplicaName, templateContextOf } from '../../agent/container-spec.js';
import { addressPlan, subnetGateway } from '../../cluster/address-plan.js';
import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { ServiceRecord, TaskRecord } from '../../cluster/records.js';
import type { DnsView } from '../../dns/dns-view.js';
import type { LbView } from '../../lb/lb-view.js';
import type { IsolationView } from '../../network/isolation-rules.js';
import { isTerminal } from '../../spec/task.js';

/** What the DNS server, the load balancer and the network filter are told, computed from the cluster state. */

/** A task that takes traffic: running, with an address, and healthy if it has a health check. */
export function isReady(task: TaskRecord): boolean {
  return task.state === 'running' && task.desiredState === 'running' && task.address !== undefined && (task.health === undefined || task.health === 'healthy');
}

/**
 * Nodes whose tasks get no traffic: membership holds them suspect or dead. The cluster
 * state keeps a lost node's tasks for a grace period (a restarting daemon moves nothing),
 * but DNS and the load balancer stop sending traffic there as soon as membership doubts it.
 */
export type UnreachableNodes = ReadonlySet<string>;

const takesTraffic = (task: TaskRecord, unreachable: UnreachableNodes) => isReady(task) && !unreachable.has(task.nodeId ?? '');

/** The container's hostname, as the agent gives it: the spec's (templates expanded) or the replica name. */
function hostnameOf(store: ClusterStore, task: TaskRecord): string {
  if (task.spec.hostname === undefined) return defaultHostname(task);
  const node = store.node(task.nodeId ?? '');
  try {
    return expandTaskTemplate(task.spec.hostname, 'hostname', templateContextOf(task, { id: task.nodeId ?? '', hostname: node?.hostname ?? '' }));
  } catch {
    return defaultHostname(task);
  }
}

const servicesWithTasks = (store: ClusterStore): Array<[ServiceRecord, TaskRecord[]]> => {
  const byService = new Map<string, TaskRecord[]>();
  for (const task of store.taskList()) byService.set(task.serviceId, [...(byService.get(task.serviceId) ?? []), task]);
  return store.serviceList().map((service) => [service, byService.get(service.id) ?? []]);
};

export function dnsView(store: ClusterStore, unreachable: UnreachableNodes): DnsView {
  return {
    services: servicesWithTasks(store).map(([service, tasks]) => ({
      fullName: service.fullName,
      stack: service.spec.stack,
      name: service.spec.name,
      vip: service.endpoint.vip,
      endpointMode: service.spec.endpointMode,
      networks: service.networks,
      ports: service.spec.ports.map((port) => ({ target: port.target, protocol: port.protocol })),
      tasks: tasks.filter((task) => task.address !== undefined && !isTerminal(task.state)).map((task) => ({
        id: task.id, name: taskReplicaName(task), hostname: hostnameOf(store, task), ip: task.address!, ready: takesTraffic(task, unreachable),
      })),
    })),
  };
}

export function lbView(store: ClusterStore, selfId: string, unreachable: UnreachableNodes): LbView {
  const subnet = store.node(selfId)?.subnet;
  return {
    services: servicesWithTasks(store)
      .filter(([service]) => service.endpoint.vip !== undefined || service.endpoint.ports.length > 0)
      .map(([service, tasks]) => ({
        id: service.id,
        fullName: service.fullName,
        vip: service.endpoint.vip,
        ports: service.endpoint.ports.map((port) => ({ target: port.target, published: port.published, protocol: port.protocol, mode: port.mode })),
        backends: tasks.filter((task) => takesTraffic(task, unreachable)).map((task) => ({ taskId: task.id, ip: task.address!, local: task.nodeId === selfId })),
      })),
    node: subnet === undefined ? undefined : { subnet, gateway: subnetGateway(subnet) },
  };
}

/** Each network's members: the addresses of its tasks that have not ended, and its services' virtual IPs. */
export function isolationView(store: ClusterStore): IsolationView {
  const members = new Map(store.networkList().map((network) => [network.name, new Set<string>()]));
  for (const task of store.taskList()) {
    if (task.address === undefined || isTerminal(task.state)) continue;
    for (const name of task.networks) members.get(name)?.add(task.address);
  }
  for (const service of store.serviceList()) {
    if (service.endpoint.vip === undefined) continue;
    for (const name of service.networks) members.get(name)?.add(service.endpoint.vip);
  }
  return { pool: addressPlan.pool, vipRange: addressPlan.vipRange, networks: [...members].map(([name, addresses]) => ({ name, addresses: [...addresses] })) };
}
