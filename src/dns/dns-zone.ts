/**
 * The cluster's DNS names as a pure lookup table: `buildDnsZone(view)` indexes every name
 * once per view; `answer` (zone-answer.ts) says what to reply. No I/O.
 *
 * Name forms, all case-insensitive with an optional trailing dot:
 *   web (from a task of the same stack), web.shop, shop_web   service VIP, or ready tasks (dnsrr)
 *   tasks.web (same stack), tasks.web.shop, tasks.shop_web    ready tasks
 *   <hostname>, shop_web.2, shop_web.2.<taskid>               that task
 *   _<port>._<tcp|udp>.<a service form above>                 SRV per ready task
 *   <reversed task IP or VIP>.in-addr.arpa                    PTR: task name or service name
 * A client that is a known task sees only services that share a network with it; any other
 * client (the host) sees everything. A name the cluster does not define is forwarded.
 */
import type { DnsService, DnsView } from './dns-view.js';
import { isIpv4 } from '../core/ipv4.js';

/** Who is asking: a task's stack and networks, or the host (`networks` undefined: sees all). */
export interface DnsClientScope {
  /** Small integer, equal for clients that see exactly the same names: a cache key. 0 is the host. */
  id: number;
  stack: string | undefined;
  networks: ReadonlySet<string> | undefined;
}

/** The indexed view. Immutable once built; replace it whole when the view changes. */
export interface DnsZone {
  /** Every name but the reverse (PTR) ones: one target, or several when a name means several things. */
  names: ReadonlyMap<string, NameTarget | NameTarget[]>;
  /** Task IPs and VIPs: who is there, for client scopes and PTR questions. */
  addresses: ReadonlyMap<string, AddressOwner | AddressOwner[]>;
  hostScope: DnsClientScope;
  /** Tasks and VIPs left out because their address is not IPv4 dotted-quad: for the daemon's log. */
  skipped: string[];
}

export interface ZoneService {
  fullName: string;
  stack: string;
  /** The address `web` answers: the VIP, or undefined to answer the ready tasks (dnsrr). */
  vip: string | undefined;
  networks: ReadonlySet<string>;
  /** "80/tcp" for each port a SRV question may name. */
  ports: ReadonlySet<string>;
  /** What the service's tasks see when they ask. */
  scope: DnsClientScope;
  /** Sorted by task name, so answers are stable between rebuilds. */
  readyTasks: ZoneTask[];
}

/**
 * A task: the target of its names and the owner of its address at once. One object per task,
 * because a view change rebuilds every task and the garbage is most of the cost.
 */
export interface ZoneTask {
  kind: 'task';
  /** Lowercase, like every name below. */
  name: string;
  /** `<name>.<id>` is found by splitting the question, not indexed. */
  id: string;
  ip: string;
  ready: boolean;
  service: ZoneService;
}

/** A service name form. `stackOnly` marks the short ones (`web`, `tasks.web`): only for clients in that stack. */
export interface ServiceName {
  kind: 'service' | 'tasks';
  service: ZoneService;
  stackOnly: string | undefined;
}

/** The owner of a VIP. */
export interface Vip {
  kind: 'vip';
  service: ZoneService;
}

/** What a name means. When it means several things (a hostname equal to a service name), `kindOrder` decides. */
export type NameTarget = ServiceName | ZoneTask;
export type AddressOwner = ZoneTask | Vip;

/** Precedence when one name has several targets: lower wins. */
export const kindOrder = { service: 0, tasks: 1, task: 2, vip: 3 } as const;

const hostScope: DnsClientScope = { id: 0, stack: undefined, networks: undefined };

/** Indexes every name form of `view`. Cheap enough to call on every view change. */
export function buildDnsZone(view: DnsView): DnsZone {
  const names = new Map<string, NameTarget | NameTarget[]>();
  const addresses = new Map<string, AddressOwner | AddressOwner[]>();
  const scopesByKey = new Map<string, DnsClientScope>();
  const skipped: string[] = [];

  for (const spec of view.services) {
    const service = zoneService(spec, scopeFor(spec, scopesByKey), skipped);
    const stack = service.stack;
    const name = spec.name.toLowerCase();
    for (const [form, stackOnly] of [[service.fullName, undefined], [`${name}.${stack}`, undefined], [name, stack]] as const) {
      addTo(names, form, { kind: 'service', service, stackOnly });
      addTo(names, `tasks.${form}`, { kind: 'tasks', service, stackOnly });
    }
    if (service.vip !== undefined) addTo(addresses, service.vip, { kind: 'vip', service });

    for (const task of spec.tasks) {
      if (!isIpv4(task.ip)) {
        skipped.push(`task ${task.name}: ip "${task.ip}" is not an IPv4 address; it gets no DNS name`);
        continue;
      }
      const zoneTask: ZoneTask = { kind: 'task', name: task.name.toLowerCase(), id: task.id.toLowerCase(), ip: task.ip, ready: task.ready, service };
      if (task.ready) service.readyTasks.push(zoneTask);
      addTo(names, zoneTask.name, zoneTask);
      const hostname = task.hostname.toLowerCase();
      if (hostname !== zoneTask.name) addTo(names, hostname, zoneTask);
      addTo(addresses, task.ip, zoneTask);
    }
    service.readyTasks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { names, addresses, hostScope, skipped };
}

/**
 * Adds under a key that is lowercase already. One value is stored bare, several as an array:
 * most keys have one, and the arrays saved would be much of a rebuild's garbage.
 */
function addTo<T>(map: Map<string, T | T[]>, key: string, value: T): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, value);
  else if (Array.isArray(found)) found.push(value);
  else map.set(key, [found, value]);
}

/** The stored value or values under `key`, as an array. */
export function allOf<T>(map: ReadonlyMap<string, T | T[]>, key: string): T[] {
  const found = map.get(key);
  return found === undefined ? [] : Array.isArray(found) ? found : [found];
}

/** The service without its tasks, which the caller adds. */
function zoneService(spec: DnsService, scope: DnsClientScope, skipped: string[]): ZoneService {
  let vip = spec.endpointMode === 'vip' ? spec.vip : undefined;
  if (vip !== undefined && !isIpv4(vip)) {
    skipped.push(`service ${spec.fullName}: VIP "${vip}" is not an IPv4 address; its name answers the tasks instead`);
    vip = undefined;
  }
  return {
    fullName: spec.fullName.toLowerCase(),
    stack: spec.stack.toLowerCase(),
    vip,
    networks: new Set(spec.networks),
    ports: new Set(spec.ports.map((p) => `${p.target}/${p.protocol}`)),
    scope,
    readyTasks: [],
  };
}

/** Services with the same stack and networks share one scope, so their tasks share cached answers. */
function scopeFor(spec: DnsService, scopesByKey: Map<string, DnsClientScope>): DnsClientScope {
  const networks = [...new Set(spec.networks)].sort();
  const key = `${spec.stack.toLowerCase()}\n${networks.join('\n')}`;
  let scope = scopesByKey.get(key);
  if (scope === undefined) {
    scope = { id: scopesByKey.size + 1, stack: spec.stack.toLowerCase(), networks: new Set(networks) };
    scopesByKey.set(key, scope);
  }
  return scope;
}

/**
 * The scope of a client address: its task's, or the host's for any address that is no task.
 * An address reused by a new task while the old one stops belongs to the ready one.
 */
export function clientScope(zone: DnsZone, clientIp: string | undefined): DnsClientScope {
  if (clientIp === undefined) return zone.hostScope;
  const found = zone.addresses.get(clientIp);
  if (found === undefined) return zone.hostScope;
  if (!Array.isArray(found)) return found.kind === 'task' ? found.service.scope : zone.hostScope;
  const tasks = found.filter((owner) => owner.kind === 'task');
  return (tasks.find((t) => t.ready) ?? tasks[0])?.service.scope ?? zone.hostScope;
}
