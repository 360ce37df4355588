import { matchesConstraint } from '../spec/placement-match.js';
import { isTerminal } from '../spec/task.js';
import type { ClusterStore } from './cluster-store.js';
import type { NodeView, ReconcileInput, ReconcileOutput } from './orchestrator-types.js';
import type { ServiceRecord, TaskRecord } from './records.js';
import { restartDecision } from './restart-policy.js';
import { dependencyWait, isLive } from './service-health.js';
import { newTask } from './new-task.js';
import { PassBuilder } from './pass-builder.js';
import { planUpdate } from './rolling-update.js';

/** Which tasks stand for the same replica: the slot, or the node for a global service. */
function slotKey(service: ServiceRecord, task: TaskRecord): string {
  return service.spec.mode === 'global' ? `node:${task.nodeId ?? ''}` : `slot:${task.slot}`;
}

/**
 * One pass of the orchestrator over the whole state: makes every service's tasks match its
 * spec (replicas, one per eligible node for global services), replaces tasks that ended
 * (restart policy) or were lost with their node, drained or left unmatched by a
 * constraint (or gave up under an older spec), rolls outdated tasks
 * (rolling-update.ts), holds services back until their dependencies are up, asks the
 * scheduler to place what is unplaced, and trims task history. Pure: the same state and
 * input give the same commands.
 */
export function reconcile(store: ClusterStore, input: ReconcileInput): ReconcileOutput {
  const pass = new PassBuilder(input.nowMs);
  const nodes = new Map(input.nodes.map((node) => [node.info.id, node]));
  for (const service of store.serviceList()) reconcileService(store, service, nodes, input, pass);
  removeOrphans(store, nodes, pass);
  const commands = [...pass.extra, ...(pass.isEmpty() ? [] : [pass.command])];
  return { commands, wakeAtMs: pass.wakeAtMs };
}

function reconcileService(store: ClusterStore, service: ServiceRecord, nodes: Map<string, NodeView>, input: ReconcileInput, pass: PassBuilder): void {
  const tasks = store.tasksOf(service.id);
  const global = service.spec.mode === 'global';
  const eligible = global ? new Set(input.eligible(service, [...nodes.values()]).map((node) => node.info.id)) : undefined;

  // Tasks lost with their node, on a drained node, on a node that no longer matches the service's
  // constraints (swarmkit's constraint enforcer), or (global) on a node no longer eligible: shut
  // down, replaced below.
  const constraints = service.spec.placement.constraints;
  for (const task of tasks.filter(isLive)) {
    if (task.nodeId === undefined) continue;
    const node = nodes.get(task.nodeId);
    const gone = node === undefined || !node.ready || node.info.availability === 'drain' || (eligible !== undefined && !eligible.has(task.nodeId)) ||
      !constraints.every((constraint) => matchesConstraint(node.info, constraint));
    if (gone) pass.setDesired(task, 'shutdown');
    // An unhealthy task is replaced, as Docker does: shut down here, a fresh one takes its slot below.
    else if (task.health === 'unhealthy') pass.setDesired(task, 'shutdown');
  }

  // Tasks that ended while they should run: the restart policy decides.
  for (const task of tasks) {
    if (pass.desiredOf(task) !== 'running' || isLive(task)) continue;
    const history = tasks.filter((other) => slotKey(service, other) === slotKey(service, task));
    const newest = history.reduce((a, b) => (b.createdAtMs > a.createdAtMs ? b : a));
    const decision = newest.id === task.id ? restartDecision(service.spec.restartPolicy, task, history, input.nowMs) : ({ kind: 'replace' } as const);
    // A task that gave up under an older spec gets a fresh try at the new one: the update's
    // job (swarmkit's updater takes such a slot as dirty), which planUpdate leaves to us as it
    // only rolls live tasks.
    if (decision.kind === 'replace' || (decision.kind === 'give-up' && task.specVersion < service.version)) pass.setDesired(task, 'shutdown');
    else if (decision.kind === 'wait') pass.wakeAt(decision.untilMs);
  }

  const created = planUpdate(service, tasks, input, pass);
  // A slot is taken by any task still meant to run: live, waiting out a restart delay, or given up on.
  const occupied = new Set([...tasks.filter((t) => pass.desiredOf(t) === 'running'), ...created].map((t) => slotKey(service, t)));

  const waiting = dependencyWait(store, service);
  if (global) {
    // A paused node keeps the task it runs but gets no new one, not even in place of one that ended.
    const vacant = [...eligible!].sort().filter((nodeId) => !occupied.has(`node:${nodeId}`) && nodes.get(nodeId)?.info.availability !== 'pause');
    for (const nodeId of vacant) created.push(newTask(service, 0, nodeId, input));
  } else {
    for (let slot = 1; slot <= service.spec.replicas; slot++) if (!occupied.has(`slot:${slot}`)) created.push(newTask(service, slot, undefined, input));
    for (const task of tasks) if (task.slot > service.spec.replicas) pass.setDesired(task, 'shutdown');
  }
  pass.command.createTasks.push(...created);

  const unplaced = [...tasks, ...created].filter((t) => pass.desiredOf(t) === 'running' && t.nodeId === undefined && (t.state === 'new' || t.state === 'pending'));
  if (waiting !== undefined) {
    for (const task of unplaced) if (task.error !== waiting) pass.command.pending.push({ taskId: task.id, error: waiting });
  } else if (unplaced.length > 0) {
    const placement = input.place(service, unplaced, [...nodes.values()]);
    pass.command.assign.push(...placement.assign);
    for (const p of placement.pending) if (unplaced.find((t) => t.id === p.taskId)?.error !== p.error) pass.command.pending.push(p);
  }
  for (const task of created.filter((t) => t.nodeId !== undefined && waiting === undefined)) pass.command.assign.push({ taskId: task.id, nodeId: task.nodeId! });

  trimHistory(service, tasks, input.historyPerSlot ?? 5, pass);
}

/** Keeps the newest `keep` ended tasks of each slot; older ones are deleted. */
function trimHistory(service: ServiceRecord, tasks: readonly TaskRecord[], keep: number, pass: PassBuilder): void {
  const ended = tasks.filter((t) => t.desiredState !== 'running' && isTerminal(t.state));
  const bySlot = new Map<string, TaskRecord[]>();
  for (const task of ended) bySlot.set(slotKey(service, task), [...(bySlot.get(slotKey(service, task)) ?? []), task]);
  for (const list of bySlot.values()) {
    list.sort((a, b) => b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id));
    for (const task of list.slice(keep)) pass.command.deleteTasks.push(task.id);
  }
}

/**
 * Tasks of removed services: told to shut down if still meant to run (one the removal could
 * not reach), deleted once ended, or once their node is gone (nobody will report them).
 */
function removeOrphans(store: ClusterStore, nodes: Map<string, NodeView>, pass: PassBuilder): void {
  for (const task of store.taskList()) {
    if (store.service(task.serviceId) !== undefined) continue;
    if (task.desiredState === 'running') pass.setDesired(task, 'shutdown');
    const nodeGone = task.nodeId === undefined || nodes.get(task.nodeId)?.ready !== true;
    if (!isLive(task) && (nodeGone || isTerminal(task.state))) pass.command.deleteTasks.push(task.id);
  }
}
