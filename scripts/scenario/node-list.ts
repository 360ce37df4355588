/**
 * What one observer's `swarmts node ls --format json` says, checked against the cluster
 * commands' contract so that a changed output is reported as such, not as a slow cluster.
 */
import { memberStatuses, roles, type MemberStatus, type Role } from './scenario-types.js';

/** The fields of a `node ls` entry that scenarios look at. */
export interface ListedNode {
  hostname: string;
  status: MemberStatus;
  role: Role;
  /** `active`, `pause` or `drain`; absent from daemons that predate `node update`. */
  availability?: string;
}

/** The entries in `stdout`, or an Error naming the first entry that breaks the contract. */
export function parseNodeList(stdout: string): ListedNode[] | Error {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return new Error(`node ls --format json printed something that is not JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  if (!Array.isArray(value)) return new Error(`node ls --format json: expected a JSON array, got ${JSON.stringify(value).slice(0, 200)}`);
  const nodes: ListedNode[] = [];
  for (const [i, entry] of value.entries()) {
    const e = entry as Record<string, unknown>;
    const bad = typeof e !== 'object' || e === null ? 'is not an object'
      : typeof e['hostname'] !== 'string' ? `hostname is ${JSON.stringify(e['hostname'])}, expected a string`
      : !(memberStatuses as readonly unknown[]).includes(e['status']) ? `status is ${JSON.stringify(e['status'])}, expected one of ${memberStatuses.join(', ')}`
      : !(roles as readonly unknown[]).includes(e['role']) ? `role is ${JSON.stringify(e['role'])}, expected one of ${roles.join(', ')}`
      : undefined;
    if (bad) return new Error(`node ls --format json: entry ${i} ${bad}: ${JSON.stringify(entry).slice(0, 200)}`);
    const availability = typeof e['availability'] === 'string' ? { availability: e['availability'] } : {};
    nodes.push({ hostname: e['hostname'] as string, status: e['status'] as MemberStatus, role: e['role'] as Role, ...availability });
  }
  return nodes;
}
