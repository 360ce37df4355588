import type { ClusterEvent } from '../daemon/api-orchestration.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { matchesFilter } from './filter.js';
import { timeOfDay } from './format.js';
import type { Tone } from './tone.js';

/** One line of the event feed. */
export interface EventRow {
  /** Time and text: unique enough to keep a selection across refreshes. */
  id: string;
  /** `HH:MM:SS` UTC. */
  time: string;
  kind: ClusterEvent['type'];
  text: string;
  tone: Tone;
}

const nodeTones: Record<string, Tone> = { joined: 'good', alive: 'good', suspect: 'warn', down: 'bad', left: 'plain', updated: 'info' };
const taskTones: Record<string, Tone> = { running: 'good', placed: 'info', pending: 'warn', failed: 'bad', rejected: 'bad', unhealthy: 'bad', complete: 'plain', shutdown: 'plain' };

function eventText(e: Exclude<ClusterEvent, { type: 'usage' }>, host: (id: string | undefined) => string): [string, Tone] {
  switch (e.type) {
    case 'node': return [`node ${e.hostname} ${e.action}`, nodeTones[e.action] ?? 'plain'];
    case 'leader': return e.leader === undefined ? [`no leader (term ${e.term})`, 'bad'] : [`leader ${host(e.leader)} elected (term ${e.term})`, 'info'];
    case 'service': return [`service ${e.service} ${e.action === 'rollback' ? 'rolled back' : e.action}`, 'info'];
    case 'update': {
      const stopped = e.state.endsWith('paused') || e.state === 'rollback_started';
      return [`update of ${e.service} ${e.state.replace('_', ' ')}${stopped && e.message ? `: ${e.message}` : ''}`, stopped ? 'bad' : 'info'];
    }
    case 'task': {
      const where = e.nodeId === undefined ? '' : ` on ${host(e.nodeId)}`;
      // A placement's message only names the node again.
      const message = e.message && !(where && e.message.startsWith('on ')) ? `: ${e.message}` : '';
      return [`task ${e.task} ${e.action}${where}${message}`, taskTones[e.action] ?? 'plain'];
    }
  }
}

/** The feed, newest first, matching `filter`; node ids become hostnames where known. */
export function eventRows(snapshot: ClusterSnapshot, filter: string): EventRow[] {
  const hostnames = new Map(snapshot.nodes.map((n) => [n.id, n.hostname]));
  const host = (id: string | undefined) => (id === undefined ? '' : hostnames.get(id) ?? id.slice(-12));
  const rows: EventRow[] = [];
  for (let i = snapshot.events.length - 1; i >= 0; i--) {
    const e = snapshot.events[i]!;
    // Usage samples update the nodes pane; the feed never keeps them (cluster-feed.ts).
    if (e.type === 'usage') continue;
    const [text, tone] = eventText(e, host);
    if (matchesFilter(filter, text)) rows.push({ id: `${e.time}:${text}`, time: timeOfDay(e.time), kind: e.type, text, tone });
  }
  return rows;
}
