/**
 * Judging the orchestration `expect` checks (`service`, `leader`, `unchanged`) against what
 * the observers' daemons answered, and saying what each saw. Pure: the runner gathers the
 * views, resolves `$killed` and decides when to look again.
 */
import type { Verdict } from './expectation.js';
import { isRunning, runningContainersOf, sameContainer, type ListedContainer, type ListedStatus, type ListedTask } from './orchestration-lists.js';
import type { ServiceCheck } from './scenario-types.js';

/** One observer's task list for a service; `absent` when it knows no such service. */
export type TaskView = { tasks: ListedTask[] } | { absent: true } | { error: string };
/** One host's containers, as its own daemon lists them. */
export type ContainerView = { containers: ListedContainer[] } | { error: string };
/** One observer's orchestration status. */
export type StatusView = { status: ListedStatus } | { error: string };

/** The scenario's host (`h2`) a task runs on, or a name for a node it did not make. */
export type HostOfTask = (task: ListedTask) => string;

/** What a `record` step saw: the running containers of `service` on `host`. */
export interface Recorded {
  host: string;
  service: string;
  containerIds: string[];
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const byHost = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Running tasks per host. */
export function countPerHost(tasks: ListedTask[], hostOf: HostOfTask): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks.filter(isRunning)) counts.set(hostOf(t), (counts.get(hostOf(t)) ?? 0) + 1);
  return counts;
}

function describeCounts(counts: Map<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts.entries()].sort(([a], [b]) => byHost(a, b)).map(([h, n]) => `${h} ${n}`);
  return `${total} running${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * Whether every observer lists `check.running` running tasks placed as asked, and every
 * running member's own daemon runs, per host, as many containers of the service as the
 * observers list running tasks there. `notOn` is the check's hosts with `$killed` resolved.
 */
export function judgeService(check: ServiceCheck, notOn: string[], tasksSeen: Map<string, TaskView>, containersSeen: Map<string, ContainerView>, hostOf: HostOfTask): Verdict {
  let pass = tasksSeen.size > 0;
  const lines: string[] = [];
  let agreed: Map<string, number> | undefined;
  for (const [observer, seen] of tasksSeen) {
    if ('error' in seen) {
      pass = false;
      lines.push(`${observer} differs: no task list: ${seen.error}`);
      continue;
    }
    const counts = 'absent' in seen ? new Map<string, number>() : countPerHost(seen.tasks, hostOf);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const spreadOk = !check.spread || [...new Set([...counts.keys(), ...Object.keys(check.spread)])].every((h) => (counts.get(h) ?? 0) === (check.spread![h] ?? 0));
    const agrees = total === check.running && spreadOk && notOn.every((h) => !counts.get(h));
    pass &&= agrees;
    agreed ??= counts;
    lines.push(`${observer} ${agrees ? 'agrees' : 'differs'}: ${'absent' in seen ? 'no such service' : `${describeCounts(counts)}${describeOthers(seen.tasks)}`}`);
  }
  for (const [host, seen] of [...containersSeen.entries()].sort(([a], [b]) => byHost(a, b))) {
    if ('error' in seen) {
      pass = false;
      lines.push(`containers on ${host} differ: no list: ${seen.error}`);
      continue;
    }
    const n = runningContainersOf(seen.containers, check.service).length;
    const listed = agreed?.get(host) ?? 0;
    pass &&= n === listed;
    lines.push(`containers on ${host} ${n === listed ? 'agree' : 'differ'}: ${n} running${n === listed ? '' : `, but the tasks put ${listed} there`}`);
  }
  return { pass, lines };
}

/** `, 3 other tasks (2 failed, 1 starting; last error: ...)`: why tasks do not run. */
function describeOthers(tasks: ListedTask[]): string {
  const others = tasks.filter((t) => !isRunning(t));
  if (others.length === 0) return '';
  const states = new Map<string, number>();
  for (const t of others) {
    const key = t.desiredState === 'running' ? t.state : `${t.state}->${t.desiredState}`;
    states.set(key, (states.get(key) ?? 0) + 1);
  }
  const errors = [...new Set(others.map((t) => t.error).filter(Boolean))];
  const last = errors.length ? `; errors: ${errors.slice(-2).map((e) => JSON.stringify(e.slice(0, 300))).join(', ')}` : '';
  return `, ${others.length} other task${others.length === 1 ? '' : 's'} (${[...states].map(([st, n]) => `${n} ${st}`).join(', ')}${last})`;
}

/**
 * Whether every observer names the same leader, a host that runs (`isRunning`), `host`
 * when given; the leader itself, when it observes, says it leads and no other observer does.
 */
export function judgeLeader(host: string | undefined, seen: Map<string, StatusView>, hostOfNode: (id: string) => string | undefined, isRunning: (host: string) => boolean): Verdict {
  const leaders = new Set<string | undefined>();
  for (const view of seen.values()) leaders.add('status' in view ? view.status.leader : undefined);
  const [only] = leaders;
  const leaderHost = leaders.size === 1 && only !== undefined ? hostOfNode(only) : undefined;
  let pass = seen.size > 0 && leaderHost !== undefined && isRunning(leaderHost) && (host === undefined || leaderHost === host);
  const lines: string[] = [];
  for (const [observer, view] of seen) {
    if ('error' in view) {
      pass = false;
      lines.push(`${observer} differs: no status: ${view.error}`);
      continue;
    }
    const { leader, isLeader } = view.status;
    const named = leader === undefined ? 'no leader' : `leader ${hostOfNode(leader) ?? `"${leader}" (not a host of this scenario)`}`;
    const selfOk = isLeader === (observer === leaderHost);
    const agrees = leaderHost !== undefined && leader === only && selfOk && (host === undefined || leaderHost === host);
    pass &&= agrees;
    lines.push(`${observer} ${agrees ? 'agrees' : 'differs'}: ${named}${isLeader ? ', says it leads' : ''}`);
  }
  if (leaderHost !== undefined && !isRunning(leaderHost)) lines.push(`${leaderHost} is named leader but its daemon is not running`);
  return { pass, lines };
}

/**
 * Whether the containers a `record` step saw are still exactly the running containers of
 * its service on its host, and every observer lists that host's running tasks with them.
 */
export function judgeUnchanged(record: Recorded, current: ContainerView, tasksSeen: Map<string, TaskView>, hostOf: HostOfTask): Verdict {
  const want = record.containerIds;
  const sameSet = (ids: string[]) => ids.length === want.length && want.every((w) => ids.some((id) => sameContainer(id, w)));
  const lines: string[] = [];
  let pass = tasksSeen.size > 0;
  if ('error' in current) {
    pass = false;
    lines.push(`containers on ${record.host} differ: no list: ${current.error}`);
  } else {
    const ids = runningContainersOf(current.containers, record.service);
    pass &&= sameSet(ids);
    lines.push(`containers on ${record.host} ${sameSet(ids) ? 'agree' : 'differ'}: ${describeIds(ids, want)}`);
  }
  for (const [observer, seen] of tasksSeen) {
    if (!('tasks' in seen)) {
      pass = false;
      lines.push(`${observer} differs: ${'absent' in seen ? 'no such service' : `no task list: ${seen.error}`}`);
      continue;
    }
    const ids = seen.tasks.filter((t) => isRunning(t) && hostOf(t) === record.host).map((t) => t.containerId ?? '(no container id)');
    pass &&= sameSet(ids);
    const where = sameSet(ids) ? '' : `; the service has ${describeCounts(countPerHost(seen.tasks, hostOf))}`;
    lines.push(`${observer} ${sameSet(ids) ? 'agrees' : 'differs'}: tasks running on ${record.host} have ${describeIds(ids, want)}${where}`);
  }
  return { pass, lines };
}

/** `a1b2c3d4e5f6, ... (recorded: ...)` when the sets differ. */
function describeIds(ids: string[], want: string[]): string {
  const now = ids.length ? ids.map(short).sort().join(', ') : 'none';
  const same = ids.length === want.length && want.every((w) => ids.some((id) => sameContainer(id, w)));
  return same ? now : `${now}; recorded ${want.map(short).sort().join(', ')}`;
}
