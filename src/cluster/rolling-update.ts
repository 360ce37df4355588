import { newTask } from './new-task.js';
import type { ReconcileInput } from './orchestrator-types.js';
import type { PassBuilder } from './pass-builder.js';
import type { ServiceRecord, TaskRecord, UpdateStatus } from './records.js';
import { isLive } from './service-health.js';

const sameSlot = (a: TaskRecord, b: TaskRecord) => (a.slot === 0 ? a.nodeId === b.nodeId : a.slot === b.slot);
const slotKeyOf = (task: TaskRecord) => (task.slot === 0 ? `node:${task.nodeId ?? ''}` : `slot:${task.slot}`);

/** Of two outdated tasks in one slot, whether `a` is the one to keep: the running one, else the newer. */
function preferredOld(a: TaskRecord, b: TaskRecord): boolean {
  if ((a.state === 'running') !== (b.state === 'running')) return a.state === 'running';
  return a.createdAtMs > b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.id > b.id);
}

/**
 * Swarm's rolling update, one step per orchestrator pass: tasks made from an older spec
 * version are replaced `parallelism` at a time (0: all at once), the next batch only once
 * the last one runs and `delay` has passed. `stop-first` shuts the old task down and lets
 * the slot be refilled; `start-first` starts the new task beside the old one, which is shut
 * down once the new one runs. New tasks that fail within `monitor` count as failures; above
 * `max_failure_ratio` the `failure_action` pauses the update, rolls it back, or continues.
 * A rollback is the same process towards the previous spec with `rollback_config`.
 * Returns the tasks it creates (start-first); everything else goes into `pass`.
 */
export function planUpdate(service: ServiceRecord, tasks: readonly TaskRecord[], input: ReconcileInput, pass: PassBuilder): TaskRecord[] {
  const status = service.update;
  if (status === undefined || status.state === 'paused' || status.state === 'rollback_paused') return [];
  // A global task on a paused node is left alone (swarmkit: pause adds and updates nothing), so
  // an update can complete without it; once the node is active again the update resumes there.
  const onPausedNode = (task: TaskRecord) => task.slot === 0 && input.nodes.some((node) => node.info.id === task.nodeId && node.info.availability === 'pause');
  const rollable = (task: TaskRecord) => pass.desiredOf(task) === 'running' && task.specVersion < service.version && isLive(task) && !onPausedNode(task);
  if (status.state === 'completed' || status.state === 'rollback_completed') {
    if (tasks.some(rollable)) {
      const state = status.state === 'completed' ? 'updating' : 'rollback_started';
      pass.command.updates.push({ serviceId: service.id, status: { ...status, state, startedAtMs: input.nowMs, completedAtMs: undefined, message: `${state === 'updating' ? 'update' : 'rollback'} resumed on a node no longer paused` } });
    }
    return [];
  }
  const rollingBack = status.state === 'rollback_started';
  const config = rollingBack ? service.spec.rollbackConfig : service.spec.updateConfig;
  const setStatus = (next: Partial<UpdateStatus>) => pass.command.updates.push({ serviceId: service.id, status: { ...status, ...next } });

  const meant = tasks.filter((t) => pass.desiredOf(t) === 'running');
  const fresh = meant.filter((t) => t.specVersion === service.version);
  const outdated = meant.filter((t) => t.specVersion < service.version && isLive(t)).sort((a, b) => a.slot - b.slot || (a.nodeId ?? '').localeCompare(b.nodeId ?? ''));

  // An update superseded half-way (a rollback during a start-first update) leaves a slot with two
  // outdated tasks: keep the one that runs (else the newest) and stop the other, so the slot gets
  // one replacement and the service stays within replicas + parallelism.
  const kept = new Map<string, TaskRecord>();
  for (const old of outdated) {
    const key = slotKeyOf(old);
    const best = kept.get(key);
    if (best === undefined || preferredOld(old, best)) kept.set(key, old);
  }
  for (const old of outdated) if (kept.get(slotKeyOf(old)) !== old) pass.setDesired(old, 'shutdown');

  // start-first: an old task whose replacement runs is done.
  for (const old of outdated) if (fresh.some((t) => sameSlot(t, old) && t.state === 'running')) pass.setDesired(old, 'shutdown');

  const attempted = tasks.filter((t) => t.specVersion === service.version && t.createdAtMs >= status.startedAtMs);
  const failures = attempted.filter((t) => (t.state === 'failed' || t.state === 'rejected') && t.updatedAtMs - t.createdAtMs <= config.monitorMs + startGraceMs);
  if (failures.length > 0 && failures.length / attempted.length > config.maxFailureRatio && config.failureAction !== 'continue') {
    const summary = `${failures.length} of ${attempted.length} updated tasks failed (max_failure_ratio ${config.maxFailureRatio})`;
    if (config.failureAction === 'rollback' && !rollingBack) pass.extra.push({ type: 'rollback-service', service: service.id, atMs: input.nowMs });
    else setStatus({ state: rollingBack ? 'rollback_paused' : 'paused', message: `${rollingBack ? 'rollback' : 'update'} paused: ${summary}` });
    return [];
  }

  const inFlight = fresh.filter((t) => isLive(t) && t.state !== 'running').length;
  const waiting = outdated.filter((old) => rollable(old) && !fresh.some((t) => sameSlot(t, old)));
  if (waiting.length === 0 && inFlight === 0) {
    setStatus({ state: rollingBack ? 'rollback_completed' : 'completed', completedAtMs: input.nowMs, message: `${rollingBack ? 'rollback' : 'update'} completed` });
    return [];
  }
  if (inFlight > 0 || waiting.length === 0) return [];
  const lastBatchDoneMs = Math.max(status.startedAtMs, ...fresh.filter((t) => t.createdAtMs >= status.startedAtMs).map((t) => t.updatedAtMs));
  const anyBatchDone = fresh.some((t) => t.createdAtMs >= status.startedAtMs);
  if (anyBatchDone && input.nowMs < lastBatchDoneMs + config.delayMs) {
    pass.wakeAt(lastBatchDoneMs + config.delayMs);
    return [];
  }
  const batch = waiting.slice(0, config.parallelism === 0 ? waiting.length : config.parallelism);
  if (config.order === 'stop-first') {
    for (const old of batch) pass.setDesired(old, 'shutdown');
    return [];
  }
  return batch.map((old) => newTask(service, old.slot, old.slot === 0 ? old.nodeId : undefined, input));
}

/** Time a new task may take to start before its monitor window begins. */
const startGraceMs = 30_000;
