/**
 * Which conntrack entries to delete after a view change, as `conntrack` arguments: pure.
 *
 * A balanced connection keeps going to the backend conntrack chose for it even after the
 * backend leaves the rules. Deleting its entries makes the client's next packet a new flow:
 * it is balanced again (the new backend answers a mid-stream TCP segment with a reset) or,
 * with no backend left, refused. So a client sees a reset instead of a hang.
 */
import { frontendsOf, type LbFrontend } from './lb-frontends.js';
import type { LbView } from './lb-view.js';

/**
 * `conntrack` argument lists, one per (frontend, removed backend): the entries whose
 * original destination is the frontend and whose reply comes from the backend
 * (`--reply-src`: after DNAT the backend is the reply source; `-d` would match only the VIP).
 */
export function conntrackDeletions(previous: LbView | undefined, next: LbView): string[][] {
  if (previous === undefined) return [];
  const nextBackends = new Map<string, Set<string>>();
  for (const service of next.services) {
    for (const frontend of frontendsOf(service)) nextBackends.set(frontend.key, new Set(frontend.backends));
  }
  const deletions: string[][] = [];
  for (const service of previous.services) {
    for (const frontend of frontendsOf(service)) {
      const kept = nextBackends.get(frontend.key) ?? new Set<string>();
      for (const ip of frontend.backends) {
        if (!kept.has(ip)) deletions.push(deletionArgs(frontend, ip));
      }
    }
  }
  return deletions;
}

function deletionArgs(frontend: LbFrontend, backendIp: string): string[] {
  const address = frontend.address === undefined ? [] : ['--orig-dst', frontend.address];
  return ['-D', '-p', frontend.protocol, ...address, '--orig-port-dst', String(frontend.port), '--reply-src', backendIp];
}
