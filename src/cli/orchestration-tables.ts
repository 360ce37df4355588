import type { ServiceSummary, StackSummary, TaskSummary } from '../daemon/api-orchestration.js';
import type { PortSpec } from '../spec/service-spec.js';
import { humanAge, table, truncate } from './format.js';

/** The tables of `stack ls`, `service ls`, `stack services`, `service ps` and `stack ps`, as docker prints them. */

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** `*:8080->80/tcp`; a port swarmts has not published yet shows as `*:?->80/tcp`. */
export function portsText(ports: PortSpec[]): string {
  return ports.map((p) => `*:${p.published ?? '?'}->${p.target}/${p.protocol}`).join(', ');
}

export function stackTable(stacks: StackSummary[]): string {
  return table(['NAME', 'SERVICES'], stacks.map((s) => [s.name, String(s.services)]));
}

export function serviceTable(services: ServiceSummary[]): string {
  const rows = services.map((s) => [
    s.id.slice(0, 12),
    s.name,
    s.mode,
    `${s.running}/${s.desired}${s.update?.state === 'updating' || s.update?.state === 'rollback_started' ? ` (${s.update.state === 'updating' ? 'updating' : 'rolling back'})` : ''}`,
    s.image,
    portsText(s.ports),
  ]);
  return table(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'], rows);
}

/**
 * Tasks grouped by slot (by task name), the one meant to run first, then older ones
 * newest first, marked ` \_ ` like docker's history rows.
 */
export function taskTable(tasks: TaskSummary[], nowMs: number, options: { truncateErrors: boolean }): string {
  const current = (t: TaskSummary) => (t.desiredState === 'running' ? 0 : 1);
  const sorted = [...tasks].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }) || current(a) - current(b) || b.createdAt - a.createdAt);
  const rows = sorted.map((t, i) => [
    t.id.slice(0, 12),
    i > 0 && sorted[i - 1]!.name === t.name ? ` \\_ ${t.name}` : t.name,
    t.image,
    t.node ?? t.nodeId?.slice(-12) ?? '',
    capitalized(t.desiredState),
    `${capitalized(t.state)}${t.health === undefined ? '' : ` (${t.health})`} ${humanAge(t.updatedAt, nowMs)}`,
    options.truncateErrors ? truncate(t.error, 40) : t.error,
  ]);
  return table(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'], rows);
}
