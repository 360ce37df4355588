/**
 * What to reply to one question from one client, looked up in a DnsZone (dns-zone.ts, which
 * lists the name forms). Pure.
 */
import {
  allOf, clientScope, kindOrder, type AddressOwner, type DnsClientScope, type DnsZone, type NameTarget, type ZoneService,
} from './dns-zone.js';
import { ipv4OfReverseName } from './ipv4.js';

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

type Target = NameTarget | AddressOwner;

/** What to reply to `question` from `clientIp` (undefined: the host itself). */
export function answer(zone: DnsZone, question: DnsQuestion, clientIp: string | undefined): DnsZoneAnswer {
  return answerInScope(zone, question, clientScope(zone, clientIp));
}

/** `answer` for a client whose scope is already known: the server caches by scope id. */
export function answerInScope(zone: DnsZone, question: DnsQuestion, scope: DnsClientScope): DnsZoneAnswer {
  const name = normalizeName(question.name);
  const srv = parseSrvName(name);
  const reverseIp = srv === undefined ? ipv4OfReverseName(name) : undefined;
  const candidates: Target[] = srv !== undefined
    ? lookup(zone, srv.serviceName, scope).filter((t) => t.kind === 'service')
    : reverseIp !== undefined ? allOf(zone.addresses, reverseIp) : lookup(zone, name, scope);
  if (candidates.length === 0) return { kind: 'forward' };
  if (question.class.toUpperCase() !== 'IN') return records('REFUSED', [], []);

  const visible = candidates.filter((t) => sharesNetwork(t.service, scope)).sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);
  if (visible.length === 0) return records('NXDOMAIN', [], []);
  if (srv !== undefined) {
    const withPort = visible.map((t) => t.service).filter((s) => s.ports.has(`${srv.port}/${srv.protocol}`));
    if (withPort.length === 0) return records('NXDOMAIN', [], []);
    return wanted(question.type, 'SRV') ? srvRecords(name, srv.port, withPort) : records('NOERROR', [], []);
  }
  if (reverseIp !== undefined) return ptrRecords(name, question.type, visible);
  return addressRecords(name, question.type, visible.filter((t) => t.kind === visible[0]!.kind));
}

/** The targets of a forward name usable by this client's stack (short forms are per stack). */
function lookup(zone: DnsZone, name: string, scope: DnsClientScope): NameTarget[] {
  const found = zone.names.get(name) === undefined ? taskById(zone, name) : allOf(zone.names, name);
  return found.filter((t) => t.kind === 'task' || t.stackOnly === undefined || t.stackOnly === scope.stack);
}

/** `shop_web.2.<taskid>`: the task named by all but the last label, if the last is its id. */
function taskById(zone: DnsZone, name: string): NameTarget[] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return [];
  const taskName = name.slice(0, dot);
  const id = name.slice(dot + 1);
  return allOf(zone.names, taskName).filter((t) => t.kind === 'task' && t.name === taskName && t.id === id);
}

function sharesNetwork(service: ZoneService, scope: DnsClientScope): boolean {
  if (scope.networks === undefined) return true;
  for (const network of service.networks) if (scope.networks.has(network)) return true;
  return false;
}

function addressRecords(name: string, type: string, targets: Target[]): DnsZoneAnswer {
  if (!wanted(type, 'A')) return records('NOERROR', [], []);
  const ips = targets.flatMap((t) => {
    if (t.kind === 'service') return t.service.vip !== undefined ? [t.service.vip] : t.service.readyTasks.map((x) => x.ip);
    if (t.kind === 'tasks') return t.service.readyTasks.map((x) => x.ip);
    if (t.kind === 'task') return t.ready ? [t.ip] : [];
    return [];
  });
  return records('NOERROR', unique(ips).map((data) => ({ type: 'A', name, ttl: clusterRecordTtlS, data })), []);
}

function ptrRecords(name: string, type: string, owners: Target[]): DnsZoneAnswer {
  if (!wanted(type, 'PTR')) return records('NOERROR', [], []);
  const targets = owners.flatMap((o) => (o.kind === 'vip' ? [o.service.fullName] : o.kind === 'task' && o.ready ? [o.name] : []));
  return records('NOERROR', unique(targets).map((data) => ({ type: 'PTR', name, ttl: clusterRecordTtlS, data })), []);
}

function srvRecords(name: string, port: number, services: ZoneService[]): DnsZoneAnswer {
  const tasks = unique(services).flatMap((s) => s.readyTasks);
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
