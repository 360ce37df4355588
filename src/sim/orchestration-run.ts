import type { Random, SeededRandom } from '../core/random.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { NodeRecord, ServiceRecord, TaskRecord } from '../cluster/records.js';
import type { NodeInfo } from '../spec/node-info.js';
import { parseStack } from '../spec/parse-stack.js';
import { matchesConstraint } from '../spec/placement-match.js';
import type { ServiceSpec, UpdateConfigSpec } from '../spec/service-spec.js';
import { isTerminal } from '../spec/task.js';
import { OrchestrationCluster, type OrchestrationClusterConfig } from './orchestration-cluster.js';
import { InvariantViolation } from './raft-invariants.js';

/**
 * The driver of one orchestration simulation run: the cluster a seed builds, the operator's
 * commands as scenarios use them, the time-bounded invariants checked every 100 virtual ms
 * (no live task on a node the leader has held down or drained for `reactionBoundMs`), and
 * the convergence test (`converged`).
 */

/** The shape of a run, whatever its scenario. */
export interface RunOptions {
  nodes: number;
  /** Random scenario: fault decisions, one every 100..1000 virtual ms. */
  randomSteps: number;
  /** After the faults stop: virtual ms the cluster gets to reach the desired state. */
  settleMs: number;
  /** Live task on a node the leader has held down (or drained) this long: a violation. Virtual ms. */
  reactionBoundMs: number;
}

/** The cluster a seed builds. */
export function clusterConfigFor(random: Random, nodes: number, lossy: boolean): OrchestrationClusterConfig {
  return {
    nodes,
    managers: nodes >= 10 ? 5 : 3,
    tickMs: 20,
    electionTicks: 10,
    network: { delayMsMin: 1, delayMsMax: random.intBetween(3, 20), dropRate: lossy ? random.float() * 0.05 : 0, duplicateRate: lossy ? random.float() * 0.02 : 0 },
    heartbeatMs: 300,
    downAfterMs: 1500,
    passMs: 100,
    idlePassMs: 1000,
    agent: { prepareMsMax: 300, startMsMax: random.intBetween(100, 1500), stopMsMax: 400, resendMs: 600 },
    snapshotEntries: random.intBetween(20, 200),
    compactLagEntries: random.int(20),
    digestEvery: nodes >= 20 ? 7 : 1,
  };
}

/** The driver of one run: the cluster plus the time-bounded checks and the scenario's helpers. */
export class OrchestrationRun {
  readonly cluster: OrchestrationCluster;
  /** Since when the leader's store holds each node drained. */
  private readonly drainedSince = new Map<string, number>();
  private stepCount = 0;
  /** Faults so far that may have touched tasks: a floor is only set if none happened since its update was asked. */
  private faults = 0;
  private lastFaultMs = -Infinity;
  private stackYaml: string | undefined;
  private deploys = 0;
  /** Set while a partition, isolation or lossy link is in force. */
  networkCut = false;

  constructor(
    readonly random: SeededRandom,
    readonly options: RunOptions,
    lossy: boolean,
  ) {
    this.cluster = new OrchestrationCluster(random.nextUint32(), clusterConfigFor(random, options.nodes, lossy));
  }

  now(): number {
    return this.cluster.loop.nowMs();
  }

  store(): ClusterStore | undefined {
    return this.cluster.leader()?.store;
  }

  /** Runs `ms` of virtual time in 100 ms steps, checking the time-bounded invariants after each. */
  run(ms: number): void {
    const end = this.now() + ms;
    while (this.now() < end) {
      this.cluster.loop.runUntil(Math.min(end, this.now() + 100));
      this.stepCount++;
      this.checkBounds();
    }
  }

  /** Runs until `predicate` holds on the leader's store, at most `ms`; false on timeout. */
  runUntil(ms: number, predicate: (store: ClusterStore) => boolean): boolean {
    const end = this.now() + ms;
    while (this.now() < end) {
      this.run(100);
      const store = this.store();
      if (store !== undefined && predicate(store)) return true;
    }
    return false;
  }

  /** A fault touched nodes that may run tasks: no stop-first floor can be promised any more. */
  faulted(): void {
    this.faults++;
    this.lastFaultMs = this.now();
    this.cluster.invariants.runningFloor.clear();
  }

  private checkBounds(): void {
    const view = this.cluster.leaderView();
    if (view === undefined) return;
    const now = this.now();
    const store = view.host.store;
    for (const node of store.nodeList()) {
      if (node.availability === 'drain') {
        if (!this.drainedSince.has(node.id)) this.drainedSince.set(node.id, now);
      } else {
        this.drainedSince.delete(node.id);
      }
    }
    const bound = this.options.reactionBoundMs;
    const stuck = (nodeId: string, why: string) => {
      const tasks = store.taskList().filter((t) => t.nodeId === nodeId && t.desiredState === 'running' && !isTerminal(t.state));
      if (tasks.length > 0) throw new InvariantViolation('no task on a dead or drained node', `${view.host.id}'s store still has ${tasks.map((t) => `${t.id}(${t.state})`).join(', ')} on ${nodeId}, ${why}`);
    };
    if (now - view.leaderSinceMs < bound) return;
    for (const [nodeId, since] of view.downSinceMs) if (now - since > bound) stuck(nodeId, `held down by the leader for ${now - since} ms`);
    for (const [nodeId, since] of this.drainedSince) if (now - since > bound) stuck(nodeId, `drained for ${now - since} ms`);
  }

  // ---- operator helpers ----

  /**
   * Deploys the stack (the first call's YAML is kept for later deploys); `without` leaves a
   * service out and prunes it. Services new to the cluster get fresh ids, as the daemon's
   * random ids would be, so a removed and redeployed service is a new one.
   */
  deploy(yaml?: string, without?: string): void {
    this.stackYaml ??= yaml;
    const parsed = parseStack({ fileName: 'sim.yml', text: this.stackYaml!, stackName: 'sim', env: {}, readFile: () => undefined, baseDir: '/' }).stack.services;
    const services = parsed.filter((spec) => spec.name !== without);
    const generation = this.deploys++;
    const id = (name: string) => (generation === 0 ? `svc-${name}` : `svc-${name}-${generation}`);
    if (generation > 0) this.faulted();
    this.cluster.operator(`deploy stack sim${without === undefined ? '' : ` without ${without} (prune)`}`,
      (atMs) => ({ type: 'deploy-stack', stack: 'sim', services: services.map((spec) => ({ id: id(spec.name), spec })), prune: without !== undefined, atMs }),
      (store) => services.every((spec) => store.service(`sim_${spec.name}`) !== undefined) && (without === undefined || store.service(`sim_${without}`) === undefined));
  }

  removeStack(): void {
    this.faulted();
    this.cluster.operator('remove stack sim', (atMs) => ({ type: 'remove-stack', stack: 'sim', atMs }), (store) => store.stack('sim') === undefined);
  }

  scale(service: string, replicas: number): void {
    this.faulted();
    this.cluster.operator(`scale ${service} to ${replicas}`, (atMs) => ({ type: 'scale-service', service, replicas, atMs }), (store) => store.service(service)?.spec.replicas === replicas);
  }

  /** Updates `service` to `image` (and optionally a new update_config); a clean stop-first one gets a floor. */
  update(service: string, image: string, config?: Partial<UpdateConfigSpec>): void {
    const store = this.store();
    const current = store?.service(service);
    if (current === undefined) return;
    const spec: ServiceSpec = { ...current.spec, image, updateConfig: { ...current.spec.updateConfig, ...config } };
    // A floor is promised only in calm weather: every node up, no fault for 10 s, every replica running.
    const calm = !this.networkCut && this.now() - this.lastFaultMs > 10_000 && this.cluster.ids().every((id) => this.cluster.node(id).up);
    const floorCandidate = calm && spec.updateConfig.order === 'stop-first' && image.startsWith('busybox') && store !== undefined && fullyRunning(store, current);
    const floor = spec.replicas - (spec.updateConfig.parallelism === 0 ? spec.replicas : spec.updateConfig.parallelism);
    this.cluster.invariants.runningFloor.delete(current.id);
    const faultsBefore = this.faults;
    this.cluster.operator(`update ${service} to ${image} (${spec.updateConfig.order}, parallelism ${spec.updateConfig.parallelism}, ${spec.updateConfig.failureAction})`,
      (atMs) => ({ type: 'update-service', service, spec, atMs }),
      (s) => s.service(service)?.spec.image === image,
      () => {
        if (floorCandidate && this.faults === faultsBefore) this.cluster.invariants.runningFloor.set(current.id, floor);
      });
  }

  rollback(service: string): void {
    this.cluster.invariants.runningFloor.clear();
    const current = this.store()?.service(service);
    if (current?.previousSpec === undefined) return;
    const before = current.version;
    this.cluster.operator(`rollback ${service}`, (atMs) => ({ type: 'rollback-service', service, atMs }), (store) => (store.service(service)?.version ?? 0) > before);
  }

  /** Changes a node's availability; `fault` false for set-up before the scenario's checks matter. */
  availability(node: string, availability: 'active' | 'pause' | 'drain', fault = true): void {
    if (availability !== 'active' && fault) this.faulted();
    this.cluster.operator(`node ${node} ${availability}`, (atMs) => ({ type: 'update-node', node, availability, atMs }), (store) => store.node(node)?.availability === availability);
  }

  /** Adds or removes the label zone=a that the edge and monitor services are constrained to. */
  zone(node: string, inZone: boolean, fault = true): void {
    if (fault) this.faulted();
    this.cluster.operator(`node ${node} ${inZone ? 'joins' : 'leaves'} zone a`,
      (atMs) => ({ type: 'update-node', node, ...(inZone ? { labelsAdd: { zone: 'a' } } : { labelsRemove: ['zone'] }), atMs }),
      (store) => (store.node(node)?.labels['zone'] === 'a') === inZone);
  }

  /** The nodes in zone a at the start, and again after the faults stop. */
  zoneNodes(): string[] {
    return this.cluster.ids().filter((_, i) => i % 2 === 1);
  }

  step(): number {
    return this.stepCount;
  }
}

function nodeInfoOf(record: NodeRecord): NodeInfo {
  return { ...record, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 } };
}

function fullyRunning(store: ClusterStore, service: ServiceRecord): boolean {
  const running = store.tasksOf(service.id).filter((t) => t.desiredState === 'running' && t.state === 'running');
  return running.length === service.spec.replicas && store.tasksOf(service.id).every((t) => t.desiredState !== 'running' || t.state === 'running');
}

/** Whether the cluster reached the desired state, in the stores and on the nodes; why not otherwise. */
export function converged(run: OrchestrationRun): { ok: boolean; why: string } {
  const cluster = run.cluster;
  const leader = cluster.leader();
  if (leader === undefined) return { ok: false, why: 'no caught-up leader' };
  const store = leader.store;
  for (const service of store.serviceList()) {
    const tasks = store.tasksOf(service.id);
    const running = tasks.filter((t) => t.desiredState === 'running' && t.state === 'running');
    const unsettled = tasks.filter((t) => t.desiredState === 'running' && !isTerminal(t.state) && t.state !== 'running');
    // Global: one task per active matching node; a paused one keeps the task it had, if any.
    const globalNodes = store.nodeList().filter((n) => (n.availability === 'active' || (n.availability === 'pause' && running.some((t) => t.nodeId === n.id))) && service.spec.placement.constraints.every((c) => matchesConstraint(nodeInfoOf(n), c)));
    const expected = service.spec.mode === 'global' ? globalNodes.length : service.spec.replicas;
    if (running.length !== expected || unsettled.length > 0) {
      const show = (t: TaskRecord) => `${t.id} slot ${t.slot} v${t.specVersion} ${t.state} (desired ${t.desiredState}) on ${t.nodeId ?? '-'} ${t.error}`;
      const emptySlots = service.spec.mode === 'global' ? [] : Array.from({ length: service.spec.replicas }, (_, i) => i + 1).filter((slot) => !running.some((t) => t.slot === slot));
      const newest = emptySlots.flatMap((slot) => tasks.filter((t) => t.slot === slot).sort((a, b) => b.createdAtMs - a.createdAtMs).slice(0, 1));
      return { ok: false, why: `${service.fullName} (v${service.version}, update ${service.update?.state ?? 'none'}): ${running.length} of ${expected} running; starting: [${unsettled.slice(0, 3).map(show).join('; ')}]; newest of empty slots: [${newest.slice(0, 3).map(show).join('; ')}]` };
    }
    if (service.update?.state === 'updating' || service.update?.state === 'rollback_started') return { ok: false, why: `${service.fullName}: ${service.update.state}` };
  }
  for (const node of cluster.nodes.values()) {
    if (!node.up) return { ok: false, why: `${node.id} is down` };
    const want = store.taskList().filter((t) => t.nodeId === node.id && t.desiredState === 'running' && t.state === 'running').map((t) => t.id).sort();
    const have = node.agent.containerTaskIds().sort();
    if (want.join() !== have.join()) return { ok: false, why: `${node.id} runs containers of [${have.join(' ')}], the leader's store has [${want.join(' ')}] running there` };
  }
  for (const id of cluster.managerIds()) {
    const host = cluster.node(id).manager!;
    if (host.appliedIndex() !== leader.appliedIndex()) return { ok: false, why: `${id} applied ${host.appliedIndex()}, the leader ${leader.appliedIndex()}` };
  }
  return { ok: true, why: '' };
}
