import type { UpdateState } from '../cluster/records.js';
import { SwarmError } from '../core/errors.js';
import type { ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import { humanDuration } from './format.js';

/**
 * Follows services until they converge after a deploy, update or rollback, the way
 * `docker stack deploy` (without --detach) does: a line per service whenever its
 * running/desired count or update state changes, done when every service runs as many
 * tasks as it wants and no update is in progress.
 */

/** What is being watched: `what` names it in messages ("stack demo", "service demo_web"). */
export interface ConvergeTarget {
  what: string;
  /** The command that shows the tasks, suggested on a timeout: `swarmts stack ps demo`. */
  followWith: string;
  /** Full names of the services to follow, and what each must show before it counts (guards against reading the state from before the change). */
  expected: Map<string, { image?: string; replicas?: number }>;
  services(): Promise<ServiceSummary[]>;
  tasks(): Promise<TaskSummary[]>;
}

export interface ConvergeOptions {
  /** Give up after this long: ms, from --timeout (default 5m). */
  timeoutMs: number;
  /** Time between polls: ms; 500 keeps a deploy feeling live without loading the daemon. */
  pollIntervalMs: number;
  nowMs(): number;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
}

/** The change was accepted but did not converge: it timed out (TIMEOUT) or its update paused (CONFLICT). The CLI exits 3. */
export class NotConvergedError extends SwarmError {}

const inProgress = new Set(['updating', 'rollback_started']);
const paused = new Set(['paused', 'rollback_paused']);

const updateWords: Record<UpdateState, string> = {
  updating: 'updating', paused: 'update paused', completed: 'update completed',
  rollback_started: 'rolling back', rollback_paused: 'rollback paused', rollback_completed: 'rollback completed',
};

function statusLine(s: ServiceSummary): string {
  // Only a pause says something the state does not: why.
  const why = s.update !== undefined && paused.has(s.update.state) && s.update.message ? `: ${s.update.message}` : '';
  const update = s.update === undefined ? '' : `, ${updateWords[s.update.state]}${why}`;
  return `${s.name}: ${s.running}/${s.desired} running${update}`;
}

function isCurrent(s: ServiceSummary | undefined, expected: { image?: string; replicas?: number }): s is ServiceSummary {
  return s !== undefined && (expected.image === undefined || s.image === expected.image) && (expected.replicas === undefined || s.desired === expected.replicas);
}

const converged = (s: ServiceSummary): boolean => s.running === s.desired && !inProgress.has(s.update?.state ?? '');

/** Resolves once converged; throws NotConvergedError: TIMEOUT (listing the tasks still pending and why), or CONFLICT when an update paused. */
export async function watchConvergence(target: ConvergeTarget, options: ConvergeOptions): Promise<void> {
  const deadline = options.nowMs() + options.timeoutMs;
  const shown = new Map<string, string>();
  for (;;) {
    const byName = new Map((await target.services()).map((s) => [s.name, s]));
    let done = true;
    for (const [name, expected] of target.expected) {
      const s = byName.get(name);
      if (!isCurrent(s, expected)) {
        done = false;
        continue;
      }
      const line = statusLine(s);
      if (shown.get(name) !== line) options.print(line);
      shown.set(name, line);
      if (paused.has(s.update?.state ?? '')) {
        throw new NotConvergedError('CONFLICT', `the update of ${name} paused: ${s.update!.message || 'too many new tasks failed'}; see \`swarmts service ps ${name}\`, then fix the service and update it again, or run \`swarmts service rollback ${name}\``);
      }
      done &&= converged(s);
    }
    if (done) return options.print(`${target.what} converged.`);
    if (options.nowMs() >= deadline) {
      const ids = new Set([...target.expected.keys()].map((name) => byName.get(name)?.id));
      throw await timedOut(target, options.timeoutMs, ids);
    }
    await options.sleep(Math.min(options.pollIntervalMs, Math.max(0, deadline - options.nowMs())));
  }
}

async function timedOut(target: ConvergeTarget, timeoutMs: number, serviceIds: Set<string | undefined>): Promise<NotConvergedError> {
  const pending = (await target.tasks()).filter((t) => t.desiredState === 'running' && t.state !== 'running' && serviceIds.has(t.serviceId));
  const lines = pending.map((t) => `  ${t.name} (${t.state})${t.error ? `: ${t.error}` : ''}`);
  const detail = lines.length > 0 ? `; tasks not running:\n${lines.join('\n')}` : '';
  return new NotConvergedError('TIMEOUT', `${target.what} did not converge within ${humanDuration(timeoutMs)}${detail}\nThe cluster keeps trying; follow it with \`${target.followWith}\``);
}

/** The real clock and timers, for the CLI. */
export function realConvergeOptions(timeoutMs: number): ConvergeOptions {
  return {
    timeoutMs,
    pollIntervalMs: 500,
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    print: (line) => process.stdout.write(line + '\n'),
  };
}
