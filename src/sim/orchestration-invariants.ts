import type { ClusterCommand } from '../cluster/commands.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { NodeView } from '../cluster/orchestrator-types.js';
import type { ServiceRecord, TaskRecord } from '../cluster/records.js';
import { matchesConstraint } from '../spec/placement-match.js';
import { canTransition, isTerminal, type TaskState } from '../spec/task.js';
import { InvariantViolation } from './raft-invariants.js';

/**
 * The orchestration simulation's safety checks, run on every manager's store at every
 * applied log index and on every orchestrator pass:
 * - task states only move forward in every store;
 * - replicas hold the same state at the same applied index (a digest, every `digestEvery`);
 * - after each orchestrator pass is applied: no two live tasks of one replicated service
 *   share a slot (one per spec version, and two only during a start-first update), and a
 *   service never has more than `replicas` live tasks, plus `parallelism` during a
 *   start-first update (live: desired running and not ended);
 * - a pass leaves no live task on a node its leader holds down or drained, and places
 *   nothing on a node that is down, paused or drained;
 * - during a stop-first update the driver marks clean (no fault touched the service), at
 *   least `replicas - parallelism` tasks run.
 * Throws InvariantViolation at the first breach.
 */

const live = (task: TaskRecord): boolean => task.desiredState === 'running' && !isTerminal(task.state);
const updating = (service: ServiceRecord): boolean => service.update !== undefined && !['completed', 'rollback_completed'].includes(service.update.state);

/** What start-first allows beyond `replicas` while an update or rollback of `service` is under way. */
function startFirstAllowance(service: ServiceRecord): number {
  if (!updating(service)) return 0;
  const replicas = service.spec.mode === 'global' ? Infinity : service.spec.replicas;
  const allowance = (config: ServiceRecord['spec']['updateConfig']) => (config.order !== 'start-first' ? 0 : config.parallelism === 0 ? replicas : config.parallelism);
  const rollingBack = service.update!.state.startsWith('rollback');
  // A rollback starts while the update's own start-first tasks may still be in flight.
  return rollingBack ? Math.max(allowance(service.spec.rollbackConfig), allowance(service.spec.updateConfig)) : allowance(service.spec.updateConfig);
}

interface StoreTrack {
  states: Map<string, TaskState>;
  /** Per service, from the last orchestrate entry on: the highest replica count and start-first allowance. */
  replicasMax: Map<string, number>;
  allowanceMax: Map<string, number>;
  /**
   * False from a restore until the next orchestrate entry: the limits a pass was planned
   * under go back to the orchestrate entry before it, which a snapshot does not show.
   */
  limitsKnown: boolean;
}

export class OrchestrationInvariants {
  private readonly stores = new Map<string, StoreTrack>();
  private readonly digestAt = new Map<number, string>();
  /** Services in a clean stop-first update window: at least this many tasks must run. */
  readonly runningFloor = new Map<string, number>();
  readonly counters = { checkedIndexes: 0, digests: 0, passesChecked: 0, floorChecks: 0 };

  constructor(private readonly digestEvery: number) {}

  /**
   * A store was rebuilt from a snapshot (or from nothing) at `index`. One installed from the
   * leader moves this replica forward, so its tasks' states must too; a restart replays from
   * the node's own older snapshot, which is no step back of the cluster's state.
   */
  restored(hostId: string, store: ClusterStore, index: number, installed: boolean): void {
    const before = this.stores.get(hostId)?.states;
    if (installed && before !== undefined) {
      for (const task of store.taskList()) {
        const was = before.get(task.id);
        if (was !== undefined && was !== task.state && !canTransition(was, task.state)) {
          throw new InvariantViolation('forward-only task state', `${hostId}: task ${task.id} went from ${was} back to ${task.state} with a snapshot installed at index ${index}`);
        }
      }
    }
    this.stores.set(hostId, { states: new Map(store.taskList().map((t) => [t.id, t.state])), replicasMax: new Map(), allowanceMax: new Map(), limitsKnown: false });
    this.checkDigest(hostId, store, index);
  }

  applied(hostId: string, store: ClusterStore, index: number, command: ClusterCommand | undefined): void {
    this.counters.checkedIndexes++;
    const track = this.stores.get(hostId)!;
    if (command !== undefined) this.checkForward(hostId, store, track, command);
    this.noteLimits(store, track);
    if (command?.type === 'orchestrate') {
      if (track.limitsKnown) this.checkSlots(hostId, store, track, index);
      track.limitsKnown = true;
      // The next pass is planned from a state at or after this one (the leader waits for its
      // pass to apply; a new leader first applies its predecessors'), so its limits start here.
      track.replicasMax.clear();
      track.allowanceMax.clear();
      this.noteLimits(store, track);
    }
    this.checkFloor(hostId, store, index);
    this.checkDigest(hostId, store, index);
  }

  /** Widens each service's limits to what the state allows now. */
  private noteLimits(store: ClusterStore, track: StoreTrack): void {
    for (const service of store.serviceList()) {
      track.replicasMax.set(service.id, Math.max(track.replicasMax.get(service.id) ?? 0, service.spec.replicas));
      track.allowanceMax.set(service.id, Math.max(track.allowanceMax.get(service.id) ?? 0, startFirstAllowance(service)));
    }
  }

  private checkForward(hostId: string, store: ClusterStore, track: StoreTrack, command: ClusterCommand): void {
    const touched: string[] = [];
    if (command.type === 'task-status') touched.push(...command.reports.map((r) => r.taskId));
    if (command.type === 'orchestrate') {
      touched.push(...command.createTasks.map((t) => t.id), ...command.assign.map((a) => a.taskId), ...command.pending.map((p) => p.taskId));
      for (const id of command.deleteTasks) track.states.delete(id);
    }
    for (const id of touched) {
      const task = store.task(id);
      if (task === undefined) continue;
      const before = track.states.get(id);
      if (before !== undefined && before !== task.state && !canTransition(before, task.state)) {
        throw new InvariantViolation('forward-only task state', `${hostId}: task ${id} went from ${before} back to ${task.state}`);
      }
      track.states.set(id, task.state);
    }
  }

  private checkSlots(hostId: string, store: ClusterStore, track: StoreTrack, index: number): void {
    for (const service of store.serviceList()) {
      const tasks = store.tasksOf(service.id).filter(live);
      const allowance = track.allowanceMax.get(service.id) ?? startFirstAllowance(service);
      const perSlotMax = allowance > 0 ? 2 : 1;
      const bySlot = new Map<string, TaskRecord[]>();
      for (const task of tasks) {
        const key = service.spec.mode === 'global' ? `node ${task.nodeId ?? '?'}` : `slot ${task.slot}`;
        bySlot.set(key, [...(bySlot.get(key) ?? []), task]);
      }
      for (const [key, list] of bySlot) {
        const versions = new Set(list.map((t) => t.specVersion));
        if (list.length > perSlotMax || versions.size < list.length) {
          throw new InvariantViolation('one task per slot', `${hostId} at index ${index}: ${service.fullName} ${key} has live tasks ${list.map((t) => `${t.id}(v${t.specVersion} ${t.state})`).join(', ')}`);
        }
      }
      if (service.spec.mode === 'global') continue;
      const replicas = track.replicasMax.get(service.id) ?? service.spec.replicas;
      if (tasks.length > replicas + allowance) {
        throw new InvariantViolation('task count ceiling', `${hostId} at index ${index}: ${service.fullName} has ${tasks.length} live tasks, over replicas ${replicas} + ${allowance} (update ${service.update?.state ?? 'none'})`);
      }
    }
  }

  private checkFloor(hostId: string, store: ClusterStore, index: number): void {
    for (const [serviceId, floor] of this.runningFloor) {
      const service = store.service(serviceId);
      if (service === undefined || !updating(service)) continue;
      this.counters.floorChecks++;
      const running = store.tasksOf(serviceId).filter((t) => t.desiredState === 'running' && t.state === 'running').length;
      if (running < floor) {
        throw new InvariantViolation('task count floor', `${hostId} at index ${index}: ${service.fullName} runs ${running} tasks during a stop-first update, under replicas - parallelism = ${floor}`);
      }
    }
  }

  /** Checks one orchestrator pass against the readiness its leader used. */
  checkPass(hostId: string, store: ClusterStore, views: readonly NodeView[], commands: readonly ClusterCommand[]): void {
    this.counters.passesChecked++;
    const gone = new Set(views.filter((v) => !v.ready || v.info.availability === 'drain').map((v) => v.info.id));
    const closed = new Set(views.filter((v) => !v.ready || v.info.availability !== 'active').map((v) => v.info.id));
    const shutDown = new Set<string>();
    for (const command of commands) {
      if (command.type !== 'orchestrate') continue;
      for (const d of command.desired) if (d.desiredState !== 'running') shutDown.add(d.taskId);
      for (const a of command.assign) {
        if (!closed.has(a.nodeId)) continue;
        const task = store.task(a.taskId) ?? command.createTasks.find((t) => t.id === a.taskId);
        const service = task === undefined ? undefined : store.service(task.serviceId);
        const earlier = store.taskList().filter((t) => t.nodeId === a.nodeId && t.serviceId === task?.serviceId).map((t) => `${t.id} ${t.state}/${t.desiredState}`);
        throw new InvariantViolation('placement on an unavailable node', `${hostId}: a pass assigns task ${a.taskId} of ${service?.fullName ?? '?'} (${service?.spec.mode ?? '?'}) to ${a.nodeId}, which is down, paused or drained; the service's tasks there: [${earlier.join(', ')}]`);
      }
    }
    const infos = new Map(views.map((v) => [v.info.id, v.info]));
    for (const task of store.taskList()) {
      if (!live(task) || task.nodeId === undefined || shutDown.has(task.id)) continue;
      if (gone.has(task.nodeId)) {
        throw new InvariantViolation('no task on a dead or drained node', `${hostId}: a pass leaves task ${task.id} (${task.state}) on ${task.nodeId}, which is down or drained`);
      }
      const info = infos.get(task.nodeId);
      const constraints = store.service(task.serviceId)?.spec.placement.constraints ?? [];
      const broken = info === undefined ? undefined : constraints.find((c) => !matchesConstraint(info, c));
      if (broken !== undefined) {
        throw new InvariantViolation('no task on an ineligible node', `${hostId}: a pass leaves task ${task.id} (${task.state}) on ${task.nodeId}, which no longer matches ${broken.key} ${broken.op} ${broken.value}`);
      }
    }
  }

  private checkDigest(hostId: string, store: ClusterStore, index: number): void {
    if (index % this.digestEvery !== 0) return;
    this.counters.digests++;
    const digest = storeDigest(store);
    const known = this.digestAt.get(index);
    if (known === undefined) this.digestAt.set(index, digest);
    else if (known !== digest) throw new InvariantViolation('replica equality', `${hostId}'s store at index ${index} differs from another replica's`);
  }
}

/** A compact fingerprint of a store: every field that orchestration decides on. */
export function storeDigest(store: ClusterStore): string {
  let hash = 0x811c9dc5;
  const add = (text: string): void => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  };
  for (const s of [...store.serviceList()].sort((a, b) => a.id.localeCompare(b.id))) {
    add(`${s.id}|${s.version}|${s.spec.replicas}|${s.spec.image}|${s.update?.state ?? ''}|${s.update?.startedAtMs ?? ''};`);
  }
  for (const t of [...store.taskList()].sort((a, b) => a.id.localeCompare(b.id))) {
    add(`${t.id}|${t.slot}|${t.nodeId ?? ''}|${t.desiredState}|${t.state}|${t.specVersion}|${t.updatedAtMs}|${t.health ?? ''}|${t.error};`);
  }
  for (const n of [...store.nodeList()].sort((a, b) => a.id.localeCompare(b.id))) add(`${n.id}|${n.availability}|${n.role};`);
  return hash.toString(16);
}
