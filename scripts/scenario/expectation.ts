/**
 * Judging a membership `expect` step (`node`, `members`) against what every observer's
 * `node ls` listed, and saying what each saw. Pure: the runner gathers the observations and
 * decides when to look again. The orchestration checks are judged in `orchestration-judge.ts`.
 */
import { memberStatuses, type MembersCheck, type MemberStatus, type NodeCheck } from './scenario-types.js';
import type { ListedNode } from './node-list.js';

/** One observer's last look: its node list, or why there is none (the CLI failed). */
export type Observation = { nodes: ListedNode[] } | { error: string };

/** The checks judged from node lists. */
export type MembershipCheck = NodeCheck | MembersCheck;

export interface Verdict {
  pass: boolean;
  /** One line per observer: whether it agrees and what it saw. */
  lines: string[];
}

/**
 * Whether every observer sees what `check` asks. `hostOf` maps a listed hostname (the
 * daemon's --name) back to the scenario's `hN`, undefined for a node the scenario did not make.
 */
export function judge(check: MembershipCheck, observations: Map<string, Observation>, hostOf: (hostname: string) => string | undefined): Verdict {
  let pass = observations.size > 0;
  const lines: string[] = [];
  for (const [observer, seen] of observations) {
    const agrees = 'nodes' in seen && agreesWith(check, seen.nodes, hostOf);
    pass &&= agrees;
    lines.push(`${observer} ${agrees ? 'agrees' : 'differs'}: ${'nodes' in seen ? describeList(seen.nodes, hostOf) : `no list: ${seen.error}`}`);
  }
  return { pass, lines };
}

function agreesWith(check: MembershipCheck, nodes: ListedNode[], hostOf: (hostname: string) => string | undefined): boolean {
  if (check.kind === 'members') {
    const counts = countByStatus(nodes);
    return memberStatuses.every((s) => counts[s] === (check.counts[s] ?? 0));
  }
  const entries = nodes.filter((n) => hostOf(n.hostname) === check.host);
  if (check.status === 'absent') return entries.length === 0 && check.role === undefined;
  if (entries.length !== 1) return false;
  const [node] = entries as [ListedNode];
  return (check.status === undefined || node.status === check.status) && (check.role === undefined || node.role === check.role)
    && (check.availability === undefined || node.availability === check.availability);
}

export function countByStatus(nodes: ListedNode[]): Record<MemberStatus, number> {
  const counts = Object.fromEntries(memberStatuses.map((s) => [s, 0])) as Record<MemberStatus, number>;
  for (const n of nodes) counts[n.status]++;
  return counts;
}

/** `h1 ready manager, h2 down worker` in host order; nodes the scenario did not make by hostname. */
export function describeList(nodes: ListedNode[], hostOf: (hostname: string) => string | undefined): string {
  if (nodes.length === 0) return '(empty)';
  const named = nodes.map((n) => ({ name: hostOf(n.hostname) ?? `"${n.hostname}"`, n }));
  named.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return named.map(({ name, n }) => `${name} ${n.status} ${n.role}${n.availability && n.availability !== 'active' ? ` ${n.availability}` : ''}`).join(', ');
}
