import { SeededRandom, type Random } from '../core/random.js';
import type { ClusterCommand } from '../cluster/commands.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { NodeView } from '../cluster/orchestrator-types.js';
import type { TaskRecord, TaskStatusReport } from '../cluster/records.js';
import { reconcile } from '../cluster/reconcile.js';
import { passScheduler } from '../cluster/scheduling.js';
import { defaultRaftConfig } from '../raft/config.js';
import type { Message } from '../raft/types.js';
import { canTransition } from '../spec/task.js';
import { EventLoop } from './event-loop.js';
import { SimNetwork, type SimNetworkConfig } from './network.js';
import { ManagerHost } from './orchestration-host.js';
import { SimAgent, type SimAgentTimings, type TaskView } from './orchestration-agent.js';
import { OrchestrationInvariants } from './orchestration-invariants.js';
import { RaftInvariants } from './raft-invariants.js';

/**
 * A whole swarmts cluster in virtual time: managers run raft (ManagerHost) replicating
 * ClusterCommands into a ClusterStore each; every node (managers too) runs a SimAgent and
 * heartbeats to the leader. The caught-up raft leader detects failed nodes from missed
 * heartbeats (swarmkit's dispatcher model: down after `downAfterMs` of silence, every node
 * given a fresh grace period when a new leader takes over), runs `reconcile()` with that
 * readiness, proposes its decisions, batches the agents' reports into `task-status`
 * commands, and sends each node its task list. An operator proposes deploys, scales,
 * updates and node changes through the leader and retries until the state shows them.
 */

/** What travels on the simulated network. */
export type OrchestrationMessage =
  | { kind: 'raft'; message: Message }
  | { kind: 'heartbeat'; role: 'manager' | 'worker' }
  | { kind: 'assignments'; term: number; tasks: TaskView[] }
  | { kind: 'redirect'; leader: string | undefined }
  | { kind: 'reports'; reports: TaskStatusReport[] };

export interface OrchestrationClusterConfig {
  /** Nodes n1..nN; the first `managers` are managers (raft voters). */
  nodes: number;
  managers: number;
  /** Virtual ms per raft tick. */
  tickMs: number;
  electionTicks: number;
  network: SimNetworkConfig;
  /** Every node heartbeats to the leader this often, virtual ms. */
  heartbeatMs: number;
  /** The leader takes a node for down after this long without a heartbeat, virtual ms. */
  downAfterMs: number;
  /** A leader passes at most this often when something changed, and every `idlePassMs` regardless. */
  passMs: number;
  idlePassMs: number;
  agent: SimAgentTimings;
  snapshotEntries: number;
  compactLagEntries: number;
  /** Replica digests are compared at every applied index that is a multiple of this. */
  digestEvery: number;
}

/** One simulated machine. */
export interface SimNode {
  id: string;
  role: 'manager' | 'worker';
  up: boolean;
  agent: SimAgent;
  manager: ManagerHost | undefined;
  /** Whom this node heartbeats to; rotates over the managers when nobody answers. */
  believedLeader: string | undefined;
  rotation: number;
  lastReplyMs: number;
  /** Highest leader term whose task list this node acted on: older lists are ignored. */
  assignmentsTerm: number;
}

/** A manager's leader-only state; reset when it loses leadership. */
interface LeaderState {
  term: number;
  lastHeardMs: Map<string, number>;
  intake: Map<string, TaskStatusReport>;
  inFlightIndex: number;
  dirty: boolean;
  lastPassMs: number;
  readiness: string;
  pushed: Map<string, string>;
  /** When each node was first seen down in this term; for the checker. */
  downSinceMs: Map<string, number>;
  sinceMs: number;
  ids: number;
}

/** A pending operator command, retried until `done` holds on the leader's store. */
interface OperatorOp {
  label: string;
  make: (nowMs: number) => ClusterCommand;
  done: (store: ClusterStore) => boolean;
  lastProposedMs: number;
  attempts: number;
  onDone?: () => void;
}

/** Proposals of one operator command before it is dropped; one a second. */
const operatorAttemptsMax = 15;

export class OrchestrationCluster {
  readonly loop = new EventLoop();
  readonly network: SimNetwork<OrchestrationMessage>;
  readonly raftInvariants = new RaftInvariants();
  readonly invariants: OrchestrationInvariants;
  readonly nodes = new Map<string, SimNode>();
  readonly trace: string[] = [];
  private readonly random: Random;
  private readonly leaders = new Map<string, LeaderState>();
  private readonly operatorQueue: OperatorOp[] = [];
  readonly counters = { passes: 0, commands: 0, nodeCrashes: 0, containerCrashes: 0, operatorOps: 0 };

  constructor(
    readonly seed: number,
    readonly config: OrchestrationClusterConfig,
  ) {
    this.random = new SeededRandom(seed);
    this.network = new SimNetwork<OrchestrationMessage>(this.random.fork(), config.network);
    this.invariants = new OrchestrationInvariants(config.digestEvery);
    this.loop.addSource({ nextDueMs: () => this.network.nextDeliveryMs(), runDue: (now) => this.deliver(now) });
    const ids = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
    const voters = ids.slice(0, config.managers);
    for (const [i, id] of ids.entries()) {
      const role = i < config.managers ? 'manager' : 'worker';
      const agent = new SimAgent(id, this.loop, this.random.fork(), config.agent, (reports) => this.sendReports(id, reports));
      const manager = role === 'manager'
        ? new ManagerHost(id, {
          raft: { ...defaultRaftConfig(id), electionTicks: config.electionTicks, heartbeatTicks: 1 },
          snapshotEntries: config.snapshotEntries,
          compactLagEntries: config.compactLagEntries,
        }, {
          bootstrapConfState: { voters, learners: [] },
          random: this.random.fork(),
          raftInvariants: this.raftInvariants,
          sendRaft: (message) => this.network.send(id, message.to, { kind: 'raft', message }, this.loop.nowMs()),
          onApplied: (host, index, command) => this.onApplied(host, index, command),
          onRestored: (host, index, installed) => this.invariants.restored(host.id, host.store, index, installed),
        })
        : undefined;
      this.nodes.set(id, { id, role, up: false, agent, manager, believedLeader: undefined, rotation: i, lastReplyMs: 0, assignmentsTerm: 0 });
    }
  }

  log(line: string): void {
    this.trace.push(`${this.loop.nowMs()} ms: ${line}`);
  }

  ids(): string[] {
    return [...this.nodes.keys()];
  }

  managerIds(): string[] {
    return this.ids().filter((id) => this.nodes.get(id)!.role === 'manager');
  }

  node(id: string): SimNode {
    return this.nodes.get(id)!;
  }

  /** Starts every node, each with its own tick and heartbeat phase. */
  start(): void {
    for (const node of this.nodes.values()) {
      node.up = true;
      node.manager?.start();
      if (node.manager !== undefined) this.every(this.config.tickMs, this.random.int(this.config.tickMs), () => this.tickManager(node));
      if (node.manager !== undefined) this.every(this.config.passMs, this.random.int(this.config.passMs), () => this.leaderDuties(node));
      this.every(this.config.heartbeatMs, this.random.int(this.config.heartbeatMs), () => this.heartbeat(node));
    }
    this.every(200, 0, () => this.operate());
  }

  private every(periodMs: number, firstMs: number, action: () => void): void {
    const run = (): void => {
      action();
      this.loop.after(periodMs, run);
    };
    this.loop.after(firstMs, run);
  }

  /** The caught-up leader of the highest term, if any. */
  leader(): ManagerHost | undefined {
    let best: ManagerHost | undefined;
    for (const node of this.nodes.values()) {
      const host = node.manager;
      if (host === undefined || !host.isUp() || !host.isCaughtUpLeader()) continue;
      if (best === undefined || host.node().status().term > best.node().status().term) best = host;
    }
    return best;
  }

  /** What the current leader's failure detector holds down, and since when. */
  leaderView(): { host: ManagerHost; downSinceMs: ReadonlyMap<string, number>; leaderSinceMs: number } | undefined {
    const host = this.leader();
    const state = host === undefined ? undefined : this.leaders.get(host.id);
    if (host === undefined || state === undefined || state.term !== host.node().status().term) return undefined;
    return { host, downSinceMs: state.downSinceMs, leaderSinceMs: state.sinceMs };
  }

  // ---- faults ----

  /** Power off: containers, memory and in-flight messages are gone; a manager keeps its disk. */
  crash(id: string): void {
    const node = this.node(id);
    if (!node.up) return;
    node.up = false;
    node.agent.crash();
    node.manager?.crash(this.random);
    this.leaders.delete(id);
    this.network.dropInFlight(id);
    this.counters.nodeCrashes++;
    this.log(`crash ${id}`);
  }

  restart(id: string): void {
    const node = this.node(id);
    if (node.up) return;
    node.up = true;
    node.believedLeader = undefined;
    node.assignmentsTerm = 0;
    node.lastReplyMs = this.loop.nowMs();
    node.manager?.start();
    this.log(`restart ${id}`);
  }

  crashContainer(id: string): string | undefined {
    const node = this.node(id);
    const running = node.agent.runningTaskIds();
    if (!node.up || running.length === 0) return undefined;
    const taskId = this.random.pick(running);
    node.agent.crashContainer(taskId);
    this.counters.containerCrashes++;
    this.log(`container of task ${taskId} on ${id} exits 1`);
    return taskId;
  }

  // ---- the operator ----

  /** Queues an operator command; it is proposed through the leader until `done` holds there. */
  operator(label: string, make: (nowMs: number) => ClusterCommand, done: (store: ClusterStore) => boolean, onDone?: () => void): void {
    this.operatorQueue.push({ label, make, done, lastProposedMs: -Infinity, attempts: 0, ...(onDone === undefined ? {} : { onDone }) });
    this.log(`operator: ${label}`);
  }

  operatorIdle(): boolean {
    return this.operatorQueue.length === 0;
  }

  private operate(): void {
    const op = this.operatorQueue[0];
    const leader = this.leader();
    if (op === undefined || leader === undefined) return;
    if (op.done(leader.store)) {
      this.operatorQueue.shift();
      this.counters.operatorOps++;
      this.log(`operator done: ${op.label}`);
      op.onDone?.();
      return;
    }
    const now = this.loop.nowMs();
    if (now - op.lastProposedMs < 1000) return;
    if (++op.attempts > operatorAttemptsMax) {
      // Refused for good (a rollback with nothing to roll back to, say): the next one goes on.
      this.operatorQueue.shift();
      this.log(`operator gave up: ${op.label}`);
      return;
    }
    op.lastProposedMs = now;
    leader.propose(op.make(now));
    leader.processReady();
  }

  // ---- managers ----

  private tickManager(node: SimNode): void {
    if (!node.up) return;
    const host = node.manager!;
    host.tick();
    host.processReady();
  }

  private onApplied(host: ManagerHost, index: number, command: ClusterCommand | undefined): void {
    this.invariants.applied(host.id, host.store, index, command);
    const state = this.leaders.get(host.id);
    if (state !== undefined) state.dirty = true;
  }

  /** The leader's state for `host` if it is the caught-up leader now, made fresh for a new term. */
  private leaderState(host: ManagerHost): LeaderState | undefined {
    if (!host.isUp() || !host.isCaughtUpLeader()) {
      this.leaders.delete(host.id);
      return undefined;
    }
    const term = host.node().status().term;
    let state = this.leaders.get(host.id);
    if (state === undefined || state.term !== term) {
      const now = this.loop.nowMs();
      // A new leader heard nobody yet: every node gets a full grace period, as in swarmkit.
      state = {
        term, lastHeardMs: new Map(host.store.nodeList().map((n) => [n.id, now])), intake: new Map(), inFlightIndex: 0,
        dirty: true, lastPassMs: -Infinity, readiness: '', pushed: new Map(), downSinceMs: new Map(), sinceMs: now, ids: 0,
      };
      this.leaders.set(host.id, state);
      this.log(`${host.id} leads term ${term}`);
    }
    return state;
  }

  private isReady(host: ManagerHost, state: LeaderState, nodeId: string): boolean {
    if (nodeId === host.id) return true;
    const heard = state.lastHeardMs.get(nodeId);
    return heard !== undefined && this.loop.nowMs() - heard <= this.config.downAfterMs;
  }

  /** One leader pass: reports, registrations, reconcile; then every node's task list if it changed. */
  private leaderDuties(node: SimNode): void {
    if (!node.up) return;
    const host = node.manager!;
    const state = this.leaderState(host);
    if (state === undefined) return;
    const now = this.loop.nowMs();
    const views = this.nodeViews(host, state);
    const readiness = views.map((v) => `${v.info.id}:${v.ready ? 1 : 0}:${v.info.availability}`).join(',');
    for (const view of views) {
      if (view.ready) state.downSinceMs.delete(view.info.id);
      else if (!state.downSinceMs.has(view.info.id)) state.downSinceMs.set(view.info.id, now);
    }
    if (readiness !== state.readiness) state.dirty = true;
    state.readiness = readiness;
    if (state.intake.size > 0) state.dirty = true;
    const due = state.dirty || now - state.lastPassMs >= this.config.idlePassMs;
    if (due && host.appliedIndex() >= state.inFlightIndex) {
      state.dirty = false;
      state.lastPassMs = now;
      this.pass(host, state, views);
    }
    this.pushAssignments(host, state);
  }

  private nodeViews(host: ManagerHost, state: LeaderState): NodeView[] {
    return host.store.nodeList().map((record) => ({
      info: {
        id: record.id, hostname: record.hostname, role: record.role, availability: record.availability, labels: record.labels,
        platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      },
      ready: this.isReady(host, state, record.id),
    }));
  }

  private pass(host: ManagerHost, state: LeaderState, views: NodeView[]): void {
    const now = this.loop.nowMs();
    const store = host.store;
    const commands: ClusterCommand[] = [];
    for (const id of [...state.lastHeardMs.keys()].sort()) {
      if (store.node(id) === undefined) commands.push({ type: 'update-node', node: id, hostname: `host-${id}`, role: this.node(id).role, atMs: now });
    }
    if (state.intake.size > 0) {
      commands.push({ type: 'task-status', reports: [...state.intake.values()] });
      state.intake.clear();
    }
    const { place, eligible } = passScheduler(store, views, 'spread');
    const term = state.term;
    const out = reconcile(store, { nodes: views, nowMs: now, newId: () => `t${term}.${host.id}.${++state.ids}`, place, eligible });
    this.invariants.checkPass(host.id, store, views, out.commands);
    commands.push(...out.commands);
    this.counters.passes++;
    for (const command of commands) {
      const proposed = host.propose(command);
      if (proposed === undefined) break;
      this.counters.commands++;
      state.inFlightIndex = proposed.index;
    }
    host.processReady();
  }

  /** Sends each node whose task list changed since the last send its list. */
  private pushAssignments(host: ManagerHost, state: LeaderState): void {
    const byNode = this.tasksByNode(host.store);
    for (const id of state.lastHeardMs.keys()) {
      const tasks = byNode.get(id) ?? [];
      const signature = tasks.map((t) => `${t.id}/${t.desiredState}/${t.state}/${t.health ?? ''}`).join(',');
      if (state.pushed.get(id) === signature) continue;
      state.pushed.set(id, signature);
      this.network.send(host.id, id, { kind: 'assignments', term: state.term, tasks: tasks.map(taskView) }, this.loop.nowMs());
    }
  }

  private tasksByNode(store: ClusterStore): Map<string, TaskRecord[]> {
    const byNode = new Map<string, TaskRecord[]>();
    for (const task of store.taskList()) {
      if (task.nodeId === undefined) continue;
      const list = byNode.get(task.nodeId);
      if (list === undefined) byNode.set(task.nodeId, [task]);
      else list.push(task);
    }
    return byNode;
  }

  // ---- every node ----

  private heartbeat(node: SimNode): void {
    if (!node.up) return;
    const now = this.loop.nowMs();
    if (now - node.lastReplyMs > 3 * this.config.heartbeatMs) {
      // Nobody answered lately: try the next manager.
      node.rotation++;
      node.believedLeader = undefined;
      node.lastReplyMs = now;
    }
    const managers = this.managerIds();
    const to = node.believedLeader ?? managers[node.rotation % managers.length]!;
    this.network.send(node.id, to, { kind: 'heartbeat', role: node.role }, now);
    node.agent.tick();
  }

  private sendReports(id: string, reports: TaskStatusReport[]): void {
    const node = this.node(id);
    if (!node.up || node.believedLeader === undefined) return;
    this.network.send(id, node.believedLeader, { kind: 'reports', reports }, this.loop.nowMs());
  }

  private deliver(now: number): void {
    const touched = new Set<ManagerHost>();
    for (const { from, to, message } of this.network.deliverDue(now)) {
      const node = this.nodes.get(to);
      if (node === undefined || !node.up) continue;
      switch (message.kind) {
        case 'raft':
          node.manager?.receiveRaft(message.message);
          if (node.manager !== undefined) touched.add(node.manager);
          break;
        case 'heartbeat':
          this.onHeartbeat(node, from);
          break;
        case 'reports':
          this.onReports(node, from, message.reports);
          break;
        case 'assignments':
          if (message.term < node.assignmentsTerm) break;
          node.assignmentsTerm = message.term;
          node.believedLeader = from;
          node.lastReplyMs = now;
          node.agent.sync(message.tasks);
          break;
        case 'redirect':
          node.lastReplyMs = now;
          node.believedLeader = message.leader;
          if (message.leader === undefined) node.rotation++;
          break;
      }
    }
    for (const host of touched) host.processReady();
  }

  private onHeartbeat(node: SimNode, from: string): void {
    const host = node.manager;
    if (host === undefined) return;
    const state = this.leaderState(host);
    if (state === undefined) {
      const known = host.node().status().leader;
      this.network.send(node.id, from, { kind: 'redirect', leader: known === node.id ? undefined : known }, this.loop.nowMs());
      return;
    }
    state.lastHeardMs.set(from, this.loop.nowMs());
    if (host.store.node(from) === undefined) state.dirty = true;
    // The heartbeat answer is the node's whole list, so a lost push is repaired within a period.
    const tasks = host.store.taskList().filter((t) => t.nodeId === from);
    this.network.send(node.id, from, { kind: 'assignments', term: state.term, tasks: tasks.map(taskView) }, this.loop.nowMs());
  }

  private onReports(node: SimNode, from: string, reports: readonly TaskStatusReport[]): void {
    const host = node.manager;
    if (host === undefined) return;
    const state = this.leaderState(host);
    if (state === undefined) return;
    for (const report of reports) {
      const task = host.store.task(report.taskId);
      if (task === undefined || task.nodeId !== from) continue;
      const moves = task.state === report.state ? report.health !== undefined && report.health !== task.health : canTransition(task.state, report.state);
      if (moves) state.intake.set(report.taskId, report);
    }
  }
}

function taskView(task: TaskRecord): TaskView {
  return { id: task.id, serviceId: task.serviceId, slot: task.slot, desiredState: task.desiredState, state: task.state, health: task.health, spec: task.spec, specVersion: task.specVersion };
}
