import { readClaims } from '../../admission/certificate.js';
import type { Member, MemberStatus } from '../../membership/types.js';
import type { NodeAvailability } from '../../spec/node-info.js';
import type { NodeDetail, NodeStatus, NodeSummary, NodeUsage } from '../api-types.js';
import { hostPortOf } from './addresses.js';

const statusNames: Record<MemberStatus, NodeStatus> = { alive: 'ready', suspect: 'suspect', dead: 'down', left: 'left' };

/** Membership times are monotonic ms since this process started; the API shows epoch ms. */
function epochMs(monotonicMs: number): number {
  return Math.round(performance.timeOrigin + monotonicMs);
}

/**
 * `availability` comes from the cluster state (`node update`), `usage` from the node-usage
 * gossip (undefined: unknown), the rest from membership.
 */
export function nodeSummary(member: Member, selfId: string, availability: NodeAvailability, usage?: NodeUsage): NodeSummary {
  const { meta } = member;
  return {
    id: meta.id,
    hostname: meta.name,
    status: statusNames[member.status],
    availability,
    role: meta.role,
    address: meta.addresses[0] === undefined ? '' : hostPortOf(meta.addresses[0]),
    self: meta.id === selfId,
    incarnation: member.incarnation,
    statusChangedAt: epochMs(member.statusChangedMs),
    labels: { ...meta.labels },
    ...(usage === undefined ? {} : { usage: { cpuMillicores: usage.cpuMillicores, memoryBytes: usage.memoryBytes, sampledAt: usage.sampledAt } }),
  };
}

export function nodeDetail(member: Member, selfId: string, availability: NodeAvailability, usage?: NodeUsage): NodeDetail {
  const { meta } = member;
  let admission: NodeDetail['admission'];
  try {
    const claims = readClaims(meta.admission);
    admission = { role: claims.role, issuedAt: claims.issuedAtMs };
  } catch {
    admission = undefined;
  }
  return {
    ...nodeSummary(member, selfId, availability, usage),
    addresses: [...meta.addresses],
    capacity: { ...meta.capacity },
    versions: { ...meta.versions },
    admission,
  };
}

/** Managers first, then by hostname: the order `node ls` prints. */
export function compareNodes(a: NodeSummary, b: NodeSummary): number {
  if (a.role !== b.role) return a.role === 'manager' ? -1 : 1;
  return a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id);
}
