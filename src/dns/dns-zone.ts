/**
 * The cluster's DNS names as a pure lookup table: `buildDnsZone(view)` indexes every name
 * form once, `answer(zone, question, clientIp)` says what to reply. No I/O; the server
 * (dns-server.ts) encodes, caches and forwards.
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
import { ipv4OfReverseName, isIpv4 } from './ipv4.js';

/**
 * TTL of every cluster record, in seconds. Short so that a rescheduled task is seen within
 * a second; not 0 so that a burst of lookups (a connection pool opening) is one query.
 */
export const clusterRecordTtlS = 1;

/** A question as the zone takes it: name in any case, type and class as mnemonics ("A", "IN"). */
export interface DnsQuestion {
  name: string;
  type: string;
  class: string;
}

/** A record the zone answers with; the shapes are dns-packet's, so they encode as they are. */
export type DnsRecord =
  | { type: 'A'; name: string; ttl: number; data: string }
  | { type: 'PTR'; name: string; ttl: number; data: string }
  | { type: 'SRV'; name: string; ttl: number; data: { priority: number; weight: number; port: number; target: string } };

/** What to reply: records with a response code, or "not ours, ask the upstream resolvers". */
export type DnsZoneAnswer =
  | { kind: 'records'; rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED'; answers: DnsRecord[]; additionals: DnsRecord[] }
  | { kind: 'forward' };

/** Who is asking: a task's stack and networks, or the host (`networks` undefined: sees all). */
export interface DnsClientScope {
  /** Small integer, equal for clients that see exactly the same names: a cache key. 0 is the host. */
  id: number;
  stack: string | undefined;
  networks: ReadonlySet<string> | undefined;
}

/** The indexed view. Immutable once built; replace it whole when the view changes. */
export interface DnsZone {
  /** Every name but the reverse (PTR) names: one target, or several when a name means several things. */
  names: ReadonlyMap<string, NameTarget | NameTarget[]>;
  /** By IPv4 address: the client scope of the task there, and what its PTR name answers. */
  addresses: ReadonlyMap<string, AddressEntry>;
  hostScope: DnsClientScope;
  /** Tasks and VIPs left out because their address is not IPv4 dotted-quad: for the daemon's log. */
  skipped: string[];
}

interface ZoneService {
  fullName: string;
  stack: string;
  /** The address `web` answers: the VIP, or undefined to answer the ready tasks (dnsrr). */
  vip: string | undefined;
  networks: ReadonlySet<string>;
  /** "80/tcp" for each port a SRV question may name. */
  ports: ReadonlySet<string>;
  /** Sorted by task name, so answers are stable between rebuilds. */
  readyTasks: ZoneTask[];
}

interface ZoneTask {
  name: string;
  /** Lowercase: `<name>.<id>` is looked up by splitting, not indexed (a view change rebuilds every key). */
  id: string;
  ip: string;
  ready: boolean;
  service: ZoneService;
}

/**
 * What one name means. `stackOnly` marks the short forms (`web`, `tasks.web`), which exist only
 * for clients in that stack. Kinds are listed in precedence order: when a name means several
 * things (a hostname equal to a service name), the first kind wins.
 */
type NameTarget =
  | { kind: 'service'; service: ZoneService; stackOnly: string | undefined }
  | { kind: 'tasks'; service: ZoneService; stackOnly: string | undefined }
  | { kind: 'task'; task: ZoneTask }
  | PtrTarget;

type PtrTarget = { kind: 'ptr'; service: ZoneService; target: string; ready: boolean };

interface AddressEntry {
  /** The scope of a client at this address: undefined for a VIP, which sends no queries. */
  scope: DnsClientScope | undefined;
  ptrs: PtrTarget[];
}

const hostScope: DnsClientScope = { id: 0, stack: undefined, networks: undefined };

/** Indexes every name form of `view`. Cheap enough to call on every view change. */
export function buildDnsZone(view: DnsView): DnsZone {
  // One target is stored bare, several as an array: most names have one, and a view change
  // rebuilds every name, so the arrays saved are most of the garbage.
  const names = new Map<string, NameTarget | NameTarget[]>();
  // Keys must be lowercase already: the callers lowercase each part once.
  const add = (key: string, target: NameTarget): void => {
    const found = names.get(key);
    if (found === undefined) names.set(key, target);
    else if (Array.isArray(found)) found.push(target);
    else names.set(key, [found, target]);
  };
  const addresses = new Map<string, AddressEntry>();
  const addPtr = (ip: string, scope: DnsClientScope | undefined, ptr: PtrTarget): void => {
    const entry = addresses.get(ip);
    if (entry === undefined) {
      addresses.set(ip, { scope, ptrs: [ptr] });
      return;
    }
    entry.ptrs.push(ptr);
    // An address reused by a new task while the old one stops: the ready one names the client.
    if (entry.scope === undefined || ptr.ready) entry.scope = scope ?? entry.scope;
  };
  const scopesByKey = new Map<string, DnsClientScope>();
  const skipped: string[] = [];

  for (const spec of view.services) {
    const service = zoneService(spec, skipped);
    const stack = service.stack;
    const name = spec.name.toLowerCase();
    for (const [form, stackOnly] of [[service.fullName, undefined], [`${name}.${stack}`, undefined], [name, stack]] as const) {
      add(form, { kind: 'service', service, stackOnly });
      add(`tasks.${form}`, { kind: 'tasks', service, stackOnly });
    }
    if (service.vip !== undefined) addPtr(service.vip, undefined, { kind: 'ptr', service, target: service.fullName, ready: true });

    const scope = scopeFor(spec, scopesByKey);
    for (const task of spec.tasks) {
      if (!isIpv4(task.ip)) {
        skipped.push(`task ${task.name}: ip "${task.ip}" is not an IPv4 address; it gets no DNS name`);
        continue;
      }
      const zoneTask: ZoneTask = { name: task.name.toLowerCase(), id: task.id.toLowerCase(), ip: task.ip, ready: task.ready, service };
      if (task.ready) service.readyTasks.push(zoneTask);
      const target: NameTarget = { kind: 'task', task: zoneTask };
      add(zoneTask.name, target);
      const hostname = task.hostname.toLowerCase();
      if (hostname !== zoneTask.name) add(hostname, target);
      addPtr(task.ip, scope, { kind: 'ptr', service, target: zoneTask.name, ready: task.ready });
    }
    service.readyTasks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { names, addresses, hostScope, skipped };
}

/** The service without its tasks, which the caller adds. */
function zoneService(spec: DnsService, skipped: string[]): ZoneService {
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

/** The scope of a client address: the task's, or the host's for any address that is no task. */
export function clientScope(zone: DnsZone, clientIp: string | undefined): DnsClientScope {
  return (clientIp === undefined ? undefined : zone.addresses.get(clientIp)?.scope) ?? zone.hostScope;
}

/** What to reply to `question` from `clientIp` (undefined: the host itself). */
export function answer(zone: DnsZone, question: DnsQuestion, clientIp: string | undefined): DnsZoneAnswer {
  return answerInScope(zone, question, clientScope(zone, clientIp));
}

/** `answer` for a client whose scope is already known: the server caches by scope id. */
export function answerInScope(zone: DnsZone, question: DnsQuestion, scope: DnsClientScope): DnsZoneAnswer {
  const name = normalizeName(question.name);
  const srv = parseSrvName(name);
  const candidates = lookup(zone, srv === undefined ? name : srv.serviceName, scope).filter(
    (t) => srv === undefined || t.kind === 'service',
  );
  if (candidates.length === 0) return { kind: 'forward' };
  if (question.class.toUpperCase() !== 'IN') return records('REFUSED', [], []);

  const visible = candidates.filter((t) => sharesNetwork(t.kind === 'task' ? t.task.service : t.service, scope));
  if (visible.length === 0) return records('NXDOMAIN', [], []);
  if (srv !== undefined) {
    const services = visible.map((t) => (t.kind === 'service' ? t.service : undefined)).filter((s) => s !== undefined);
    const withPort = services.filter((s) => s.ports.has(`${srv.port}/${srv.protocol}`));
    if (withPort.length === 0) return records('NXDOMAIN', [], []);
    return wanted(question.type, 'SRV') ? srvRecords(name, srv.port, withPort) : records('NOERROR', [], []);
  }
  const first = visible.filter((t) => t.kind === visible[0]!.kind);
  return recordsFor(name, question.type, first);
}

function lookup(zone: DnsZone, name: string, scope: DnsClientScope): NameTarget[] {
  const ip = ipv4OfReverseName(name);
  const found = ip === undefined ? zone.names.get(name) ?? taskById(zone, name) : zone.addresses.get(ip)?.ptrs;
  const targets = found === undefined ? [] : Array.isArray(found) ? found : [found];
  const usable = targets.filter((t) => !('stackOnly' in t) || t.stackOnly === undefined || t.stackOnly === scope.stack);
  // Precedence: the first kind in NameTarget's order wins; the index keeps insertion order.
  const order = { service: 0, tasks: 1, task: 2, ptr: 3 };
  return usable.sort((a, b) => order[a.kind] - order[b.kind]);
}

/** `shop_web.2.<taskid>`: the task named by all but the last label, if the last is its id. */
function taskById(zone: DnsZone, name: string): NameTarget[] | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const taskName = name.slice(0, dot);
  const id = name.slice(dot + 1);
  const found = zone.names.get(taskName);
  const targets = (found === undefined ? [] : Array.isArray(found) ? found : [found])
    .filter((t) => t.kind === 'task' && t.task.name === taskName && t.task.id === id);
  return targets.length === 0 ? undefined : targets;
}

function sharesNetwork(service: ZoneService, scope: DnsClientScope): boolean {
  if (scope.networks === undefined) return true;
  for (const network of service.networks) if (scope.networks.has(network)) return true;
  return false;
}

function recordsFor(name: string, type: string, targets: NameTarget[]): DnsZoneAnswer {
  const kind = targets[0]!.kind;
  if (kind === 'ptr') {
    const ptrs = targets.flatMap((t) => (t.kind === 'ptr' && t.ready ? [t.target] : []));
    if (!wanted(type, 'PTR')) return records('NOERROR', [], []);
    return records('NOERROR', unique(ptrs).map((data) => ({ type: 'PTR', name, ttl: clusterRecordTtlS, data })), []);
  }
  const ips = targets.flatMap((t) => {
    if (t.kind === 'service') return t.service.vip !== undefined ? [t.service.vip] : t.service.readyTasks.map((x) => x.ip);
    if (t.kind === 'tasks') return t.service.readyTasks.map((x) => x.ip);
    if (t.kind === 'task') return t.task.ready ? [t.task.ip] : [];
    return [];
  });
  if (!wanted(type, 'A')) return records('NOERROR', [], []);
  return records('NOERROR', unique(ips).map((data) => ({ type: 'A', name, ttl: clusterRecordTtlS, data })), []);
}

function srvRecords(name: string, port: number, services: ZoneService[]): DnsZoneAnswer {
  const tasks = services.flatMap((s) => s.readyTasks);
  const answers: DnsRecord[] = tasks.map((t) => ({
    type: 'SRV', name, ttl: clusterRecordTtlS, data: { priority: 0, weight: 0, port, target: t.name },
  }));
  const additionals: DnsRecord[] = tasks.map((t) => ({ type: 'A', name: t.name, ttl: clusterRecordTtlS, data: t.ip }));
  return records('NOERROR', answers, additionals);
}

function records(rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED', answers: DnsRecord[], additionals: DnsRecord[]): DnsZoneAnswer {
  return { kind: 'records', rcode, answers, additionals };
}

function wanted(questionType: string, recordType: string): boolean {
  const type = questionType.toUpperCase();
  return type === recordType || type === 'ANY';
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** Lowercase without one trailing dot: the index's key form. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `_80._tcp.web` → port 80, tcp, "web"; undefined for any other name. */
function parseSrvName(name: string): { port: number; protocol: 'tcp' | 'udp'; serviceName: string } | undefined {
  const match = /^_(\d{1,5})\._(tcp|udp)\.(.+)$/.exec(name);
  if (match === null) return undefined;
  const port = Number(match[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, protocol: match[2] as 'tcp' | 'udp', serviceName: match[3]! };
}
