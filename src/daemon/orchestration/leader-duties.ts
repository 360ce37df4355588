import { newObjectId } from '../../core/ids.js';
import type { ClusterCommand } from '../../cluster/commands.js';
import { reconcile } from '../../cluster/reconcile.js';
import { passScheduler } from '../../cluster/scheduling.js';
import { nextVoterChange, type ManagerNode, type VoterPolicyConfig } from '../../consensus/voter-policy.js';
import type { RaftService } from '../../consensus/raft-service.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Member } from '../../membership/types.js';
import type { NodeRole } from '../../spec/node-info.js';
import type { ClusterReplica } from './cluster-replica.js';
import { RoleDeliveries, certificatesDue } from './role-deliveries.js';
import { schedulingNodes } from './scheduling-nodes.js';

/** Passes run at least this often, and no closer together than the minimum. */
const passIntervalMs = 1000;
const passGapMinMs = 50;

export interface LeaderDutiesComponents {
  selfId: string;
  raft: RaftService;
  replica: ClusterReplica;
  members: () => Member[];
  propose: (command: ClusterCommand) => Promise<unknown>;
  /** Issues a node a certificate of its new role and hands it over. */
  deliverRole: (node: string, role: NodeRole) => Promise<void>;
  voterPolicy: VoterPolicyConfig;
  logger: Logger;
}

/**
 * What the raft leader does, on every manager but only while it leads: registers the nodes
 * membership knows in the cluster state, moves raft's voters towards the policy (1, 3, 5;
 * every other manager a learner, so each holds the state), carries out role changes
 * (`node promote` / `demote`: a demoted manager leaves raft first, a demoted leader hands
 * leadership over first; then the node gets the certificate of its role), and runs the
 * orchestrator, proposing its decisions. Passes run one at a time, after every change and
 * every second.
 */
export class LeaderDuties {
  private running = false;
  private again = false;
  private lastPassMs = 0;
  private readTerm = -1;
  private ticker: NodeJS.Timeout | undefined;
  private wake: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly deliveries: RoleDeliveries;

  constructor(private readonly c: LeaderDutiesComponents) {
    this.deliveries = new RoleDeliveries({ deliver: c.deliverRole, ended: () => this.kick(), logger: c.logger });
  }

  start(): void {
    this.unsubscribe.push(this.c.raft.onEvent((event) => {
      if (event.type === 'leaderChanged' || event.type === 'membershipChanged') this.kick();
    }));
    this.unsubscribe.push(this.c.replica.onChange(() => this.kick()));
    this.ticker = setInterval(() => this.kick(), passIntervalMs);
    this.kick();
  }

  stop(): void {
    this.deliveries.stop();
    clearInterval(this.ticker);
    clearTimeout(this.wake);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /** Asks for a pass soon; a pass under way runs once more after it ends. */
  kick(): void {
    if (!this.c.raft.isLeader()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const gap = Math.max(0, this.lastPassMs + passGapMinMs - Date.now());
    setTimeout(() => {
      this.pass()
        .catch((err: unknown) => this.c.logger.warn('orchestrator pass failed', { error: errorMessage(err) }))
        .finally(() => {
          this.lastPassMs = Date.now();
          this.running = false;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, gap);
  }

  private async pass(): Promise<void> {
    const { term } = this.c.raft.status();
    // A new leader first makes sure it applied everything committed before it (ReadIndex).
    if (this.readTerm !== term) {
      await this.c.raft.read();
      this.readTerm = term;
    }
    if (!this.c.raft.isLeader()) return;
    const members = this.c.members();
    await this.registerNodes(members);
    await this.moveVoters(members);
    if (!this.c.raft.isLeader()) return;
    const { voters, learners } = this.c.raft.status();
    this.deliveries.send(certificatesDue({ selfId: this.c.selfId, members, store: this.c.replica.store, inRaft: new Set([...voters, ...learners]) }));
    const store = this.c.replica.store;
    const nodes = schedulingNodes(store, members, performance.now());
    const { place, eligible } = passScheduler(store, nodes, 'spread');
    const out = reconcile(store, { nodes, nowMs: Date.now(), newId: newObjectId, place, eligible });
    for (const command of out.commands) await this.c.propose(command);
    clearTimeout(this.wake);
    // A dead node's grace ends within a second: the ticker's next pass moves its tasks.
    if (out.wakeAtMs !== undefined) this.wake = setTimeout(() => this.kick(), Math.max(0, out.wakeAtMs - Date.now()));
  }

  private async registerNodes(members: readonly Member[]): Promise<void> {
    for (const member of members) {
      if (member.status === 'left' || member.status === 'dead') continue;
      const record = this.c.replica.store.node(member.meta.id);
      // A node without a subnet (registered before service networking, or when the pool was full) is registered again to get one.
      if (record !== undefined && record.hostname === member.meta.name && record.subnet !== undefined) continue;
      await this.c.propose({
        type: 'update-node', node: member.meta.id, hostname: member.meta.name,
        ...(record === undefined ? { role: member.meta.role } : {}), atMs: Date.now(),
      });
    }
  }

  private async moveVoters(members: readonly Member[]): Promise<void> {
    const { voters, learners } = this.c.raft.status();
    const store = this.c.replica.store;
    const managers: ManagerNode[] = members
      .filter((member) => member.meta.role === 'manager')
      .map((member): ManagerNode => ({
        ...(member.status === 'alive' || member.status === 'suspect'
          ? { id: member.meta.id, state: member.status }
          : { id: member.meta.id, state: 'dead', deadSinceMs: member.statusChangedMs }),
        ...(store.node(member.meta.id)?.role === 'worker' ? { leaving: true } : {}),
      }));
    // Membership times are on the monotonic clock (RealClock).
    const change = nextVoterChange({ managers, voters, learners, nowMs: performance.now(), config: this.c.voterPolicy });
    try {
      if (change.kind === 'none') {
        // Managers beyond the voters still hold the state: as learners.
        const spare = managers.find((m) => m.state === 'alive' && m.leaving !== true && !voters.includes(m.id) && !learners.includes(m.id));
        if (spare !== undefined) await this.c.raft.addLearner(spare.id);
        return;
      }
      this.c.logger.info(`raft membership: ${change.kind} ${change.node}`, { reason: change.reason });
      if (change.kind === 'addLearner') await this.c.raft.addLearner(change.node);
      else if (change.kind === 'remove' && change.node === this.c.selfId) await this.handOver(voters, managers, change.reason);
      else if (change.kind === 'remove') await this.c.raft.removeMember(change.node);
      else if (this.c.raft.isCaughtUp(change.node)) await this.c.raft.addVoter(change.node);
    } catch (err) {
      this.c.logger.debug('raft membership change not made', { change: change.kind, error: errorMessage(err) });
    }
  }

  /**
   * The policy takes this leader out of raft (demoted, or one voter too many): another
   * caught-up voter leads first, and its duties take this node out, so commits never wait
   * on a leader that is leaving.
   */
  private async handOver(voters: readonly string[], managers: readonly ManagerNode[], reason: string): Promise<void> {
    const alive = new Set(managers.filter((m) => m.state === 'alive' && m.leaving !== true).map((m) => m.id));
    const next = voters.find((id) => id !== this.c.selfId && alive.has(id) && this.c.raft.isCaughtUp(id));
    if (next === undefined) {
      this.c.logger.info('this leader leaves raft, but no other voter is caught up to lead yet', { reason });
      return;
    }
    this.c.logger.info('this leader leaves raft: handing leadership over first', { to: next, reason });
    await this.c.raft.transferLeadership(next);
  }
}
