import { Command, InvalidArgumentError, Option } from 'commander';
import type { ClusterEvent } from '../../daemon/api-orchestration.js';
import { parseDuration } from '../../spec/units.js';
import { clientFor, type GlobalOptions } from '../context.js';

/** `--since 10m` (that long ago) or `--since 2026-11-29T06:00:00Z` -> ms since the epoch. */
export function sinceMs(text: string, nowMs: number): number {
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isNaN(at)) return at;
  try {
    return nowMs - parseDuration(text);
  } catch {
    throw new InvalidArgumentError(`expected a duration ago such as 10m or 2h, or a time such as 2026-11-29T06:00:00Z, got "${text}"`);
  }
}

/** Node ids are shown by their last 12 characters, as `node ls` does (libp2p ids all start alike). */
const shortNode = (id: string): string => id.slice(-12);

/** One event as a line of text: time, kind, what happened and to what. */
export function eventLine(e: ClusterEvent): string {
  const time = new Date(e.time).toISOString();
  switch (e.type) {
    case 'node': return `${time} node ${e.action} ${e.hostname} (${shortNode(e.nodeId)})`;
    case 'leader': return `${time} leader ${e.leader === undefined ? 'none' : shortNode(e.leader)} (term ${e.term})`;
    case 'service': return `${time} service ${e.action} ${e.service}`;
    case 'update': {
      // The message only adds something when the update stopped or turned back: why.
      const why = e.message && (e.state.endsWith('paused') || e.state === 'rollback_started') ? `: ${e.message}` : '';
      return `${time} update ${e.state.replace('_', ' ')} ${e.service}${why}`;
    }
    case 'task': return `${time} task ${e.action} ${e.task} (${e.taskId.slice(0, 12)})${e.nodeId ? ` on ${shortNode(e.nodeId)}` : ''}${e.message ? `: ${e.message}` : ''}`;
    case 'usage': return `${time} usage ${shortNode(e.nodeId)} cpu ${e.cpuMillicores}m memory ${e.memoryBytes} bytes`;
  }
}

/** `swarmts events`: the cluster's events as they happen, until interrupted. */
export function eventsCommand(globals: () => GlobalOptions): Command {
  return new Command('events')
    .description('Print the cluster\'s events (nodes, leader, services, updates, tasks) as they happen, until interrupted')
    .option('--since <when>', 'first the retained events since then: a duration ago (10m) or a time (2026-11-29T06:00:00Z)', (text) => sinceMs(text, Date.now()))
    .addOption(new Option('--format <format>', "'text' or 'json' (one JSON object per line)").choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  swarmts events\n  swarmts events --since 10m\n  swarmts events --format json | jq -c \'select(.type == "task")\'')
    .action(async (opts: { since?: number; format: string }) => {
      const client = clientFor(globals());
      for await (const event of client.stream<ClusterEvent>('GET', `/v1/events?since=${Math.max(0, Math.floor(opts.since ?? Date.now()))}`)) {
        process.stdout.write((opts.format === 'json' ? JSON.stringify(event) : eventLine(event)) + '\n');
      }
    });
}
