/**
 * Asking the live daemons what the orchestration checks need, all hosts at once: task lists,
 * container lists, orchestration status, node ids. Also resolves the host references steps
 * use (`leader`, `follower`, `$killed`) to the host they name at this moment.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { apiErrorText, apiGet } from './daemon-api.js';
import type { ContainerView, HostOfTask, StatusView, TaskView } from './orchestration-judge.js';
import { parseContainers, parseStatus, parseTasks, type ListedTask } from './orchestration-lists.js';
import { killedRef } from './scenario-types.js';
import type { ScenarioWorld } from './scenario-world.js';

/** One API read that takes longer counts as a failed look. */
export const apiReadTimeoutMs = 10_000;
/** How long `leader` or `follower` may wait for the running members to agree on a leader. */
export const leaderAgreementWaitMs = 30_000;
const leaderPollMs = 250;

/** Thrown when `leader`, `follower` or `$killed` names no host at the moment a step runs. */
export class HostResolutionFailed extends Error {
  override readonly name = 'HostResolutionFailed';
}

async function each<V>(hosts: string[], look: (h: string) => Promise<V>): Promise<Map<string, V>> {
  return new Map(await Promise.all(hosts.map(async (h): Promise<[string, V]> => [h, await look(h)])));
}

/** Each observer's tasks of `service`; an unknown service (404) is `absent`. */
export function tasksOf(world: ScenarioWorld, observers: string[], service: string, signal: AbortSignal): Promise<Map<string, TaskView>> {
  return each(observers, async (h): Promise<TaskView> => {
    const answer = await apiGet(world.stateDir(h), `/v1/services/${encodeURIComponent(service)}/tasks`, apiReadTimeoutMs, signal);
    if (!answer.ok) return { error: answer.error };
    if (answer.status === 404) return { absent: true };
    if (answer.status !== 200) return { error: apiErrorText(answer) };
    const tasks = parseTasks(answer.body);
    return tasks instanceof Error ? { error: tasks.message } : { tasks };
  });
}

/** Each host's containers, as its own daemon lists them. */
export function containersOn(world: ScenarioWorld, hosts: string[], signal: AbortSignal): Promise<Map<string, ContainerView>> {
  return each(hosts, async (h): Promise<ContainerView> => {
    const answer = await apiGet(world.stateDir(h), '/v1/containers', apiReadTimeoutMs, signal);
    if (!answer.ok) return { error: answer.error };
    if (answer.status !== 200) return { error: apiErrorText(answer) };
    const containers = parseContainers(answer.body);
    return containers instanceof Error ? { error: containers.message } : { containers };
  });
}

/** Each observer's orchestration status (`GET /v1/orchestration`). */
export function statusesOf(world: ScenarioWorld, observers: string[], signal: AbortSignal): Promise<Map<string, StatusView>> {
  return each(observers, async (h): Promise<StatusView> => {
    const answer = await apiGet(world.stateDir(h), '/v1/orchestration', apiReadTimeoutMs, signal);
    if (!answer.ok) return { error: answer.error };
    if (answer.status !== 200) return { error: apiErrorText(answer) };
    const status = parseStatus(answer.body);
    return status instanceof Error ? { error: status.message } : { status };
  });
}

/** Learns the node id (`GET /v1/cluster`) of every running member whose id is not known yet. */
export async function learnNodeIds(world: ScenarioWorld, signal: AbortSignal): Promise<void> {
  const unknown = world.names.filter((h) => world.isMember(h) && world.daemon(h).running && world.nodeId(h) === undefined);
  await each(unknown, async (h) => {
    const answer = await apiGet(world.stateDir(h), '/v1/cluster', apiReadTimeoutMs, signal);
    const id = answer.ok && answer.status === 200 ? (answer.body as { nodeId?: unknown }).nodeId : undefined;
    if (typeof id === 'string' && id !== '') world.setNodeId(h, id);
  });
}

/** The host a task runs on: by hostname, else by node id, else the node as listed. */
export function hostOfTaskIn(world: ScenarioWorld): HostOfTask {
  return (task: ListedTask) => (task.node && world.hostOf(task.node)) || (task.nodeId && world.hostOfNodeId(task.nodeId))
    || `"${task.node ?? task.nodeId ?? 'unassigned'}"`;
}

/** The host `ref` names now; `leader` and `follower` wait (bounded) for the members to agree. */
export async function resolveHost(ref: string, world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  if (ref === killedRef) {
    if (!world.lastKilled) throw new HostResolutionFailed(`${killedRef} names nobody: no host was killed or stopped yet`);
    return world.lastKilled;
  }
  if (ref !== 'leader' && ref !== 'follower') return ref;
  const leader = await agreedLeader(world, signal);
  if (ref === 'leader') return leader;
  const follower = world.observers('all-running').find((h) => h !== leader);
  if (!follower) throw new HostResolutionFailed(`follower names nobody: ${leader} leads and no other member runs`);
  return follower;
}

/** The host every running member names as leader; fails with what each said after the wait. */
export async function agreedLeader(world: ScenarioWorld, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + leaderAgreementWaitMs;
  for (;;) {
    await learnNodeIds(world, signal);
    const members = world.observers('all-running');
    const seen = await statusesOf(world, members, signal);
    const ids = new Set([...seen.values()].map((v) => ('status' in v ? v.status.leader : undefined)));
    const [only] = ids;
    const host = ids.size === 1 && only !== undefined ? world.hostOfNodeId(only) : undefined;
    if (host && members.includes(host)) return host;
    if (Date.now() > deadline) {
      const said = [...seen.entries()].map(([h, v]) => `${h}: ${'status' in v ? `leader ${v.status.leader === undefined ? 'none' : world.hostOfNodeId(v.status.leader) ?? v.status.leader}` : v.error}`);
      throw new HostResolutionFailed(`the running members did not agree on a live leader within ${leaderAgreementWaitMs / 1000} s: ${said.join('; ')}`);
    }
    await delay(leaderPollMs, undefined, { signal });
  }
}
