import { Agent } from '../../agent/agent.js';
import { PullingImageService, type PullableImages } from '../../agent/image-service.js';
import { RealTimers } from '../../agent/timers.js';
import { defaultRaftServiceConfig } from '../../consensus/config.js';
import { RaftService } from '../../consensus/raft-service.js';
import { RpcProposalForwarder, serveForwardedProposals } from '../../consensus/rpc-forwarder.js';
import { defaultVoterPolicyConfig } from '../../consensus/voter-policy.js';
import { raftTransportConfig, type RaftWireMessage } from '../../consensus/wire.js';
import { RealClock, WallClock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Member, MembershipEvent, NodeRole } from '../../membership/types.js';
import { GossipTopic, defaultGossipTopicConfig } from '../../p2p/gossip-topic.js';
import type { P2pHost } from '../../p2p/host.js';
import { Libp2pTransport } from '../../p2p/libp2p-transport.js';
import { defaultRpcConfig } from '../../p2p/rpc-config.js';
import { RpcService } from '../../p2p/rpc.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { OrchestrationStatus } from '../api-orchestration.js';
import { ClusterNetworking, type ServiceNetworkOptions } from '../network/cluster-networking.js';
import { HostUsageSampler, NodeUsageSpreader, nodeUsageTopicConfig, procHostUsageReader, type HostUsage } from '../node-stats/index.js';
import { ClusterReplica } from './cluster-replica.js';
import { ClusterWriter } from './cluster-writer.js';
import { eventOfMembership, eventsOfCommand } from './cluster-events.js';
import type { EventLog } from './event-log.js';
import { decodeReportsGossip, decodeStateGossip, feedVersion, reportsTopic, stateTopic, type ReportsGossip, type StateGossip } from './feed-messages.js';
import { LeaderDuties } from './leader-duties.js';
import { Operations } from './operations.js';
import { ReportIntake } from './report-intake.js';
import { ReportRelay } from './report-relay.js';
import { RoleRequests } from './role-requests.js';
import { StateFollower } from './state-follower.js';
import { StatePublisher } from './state-publisher.js';
import { serveTaskLogs } from './task-logs.js';

/** How soon after a state change the agent acts on it (changes in one burst are merged). */
const agentSyncDelayMs = 10;

/** What the orchestration side of a node needs from its cluster membership. */
export interface MembershipView {
  readonly id: string;
  members(): Member[];
  onEvent(listener: (event: MembershipEvent) => void): () => void;
  isMember(peerId: string): boolean;
  /** Issues `peerId` a certificate of `role` and hands it over (managers). */
  deliverRole(peerId: string, role: NodeRole): Promise<void>;
}

export interface OrchestrationNodeOptions {
  host: P2pHost;
  membership: MembershipView;
  role: 'manager' | 'worker';
  /** The node that ran `swarmts init`: raft starts with it as the only voter. */
  founder: boolean;
  nodeName: string;
  /** The node's event log, kept by the caller so that `events` followers outlive a role change. */
  events: EventLog;
  raftDir: string;
  volumesDir: string;
  runtime: Runtime;
  images: PullableImages;
  logger: Logger;
  /** The overlay, bridge, DNS and load balancing; undefined: containers get only loopback. */
  network: ServiceNetworkOptions | undefined;
}

/**
 * One node's orchestration: its copy of the cluster state (through raft on managers, the
 * leader's feed on workers), the leader's duties when it leads, the agent running this
 * node's tasks, their reports, and the API operations over all of it.
 */
export class OrchestrationNode {
  readonly operations: Operations;
  private readonly replica = new ClusterReplica();
  private readonly events: EventLog;
  private readonly rpc: RpcService;
  private readonly stateTopic: GossipTopic<StateGossip>;
  private readonly reportsTopic: GossipTopic<ReportsGossip>;
  private readonly raft: RaftService | undefined;
  private readonly follower: StateFollower | undefined;
  private readonly publisher: StatePublisher | undefined;
  private readonly intake: ReportIntake | undefined;
  private readonly duties: LeaderDuties | undefined;
  private readonly writer: ClusterWriter;
  private readonly roleRequests: RoleRequests;
  private readonly relay: ReportRelay;
  /** This host's CPU and memory in use, gossiped; every member's newest figure. */
  private readonly usage: NodeUsageSpreader;
  private readonly agent: Agent;
  private readonly networking: ClusterNetworking | undefined;
  private readonly logger: Logger;
  private readonly cleanups: Array<() => void> = [];
  private agentTimer: NodeJS.Timeout | undefined;
  private agentStarted = false;
  /** What the agent was last handed: its tasks' ids, desired states and spec versions. */
  private agentKey = '';

  private constructor(private readonly o: OrchestrationNodeOptions) {
    const { host, membership } = o;
    this.logger = o.logger.child('orchestration');
    this.events = o.events;
    const id = membership.id;
    this.rpc = new RpcService(defaultRpcConfig(), { node: host.node, logger: this.logger });
    const topic = <T extends { v: number }>(name: string, decode: (value: Record<string, unknown> & { v: number }) => T) =>
      new GossipTopic<T>({ ...defaultGossipTopicConfig({ topic: name, version: feedVersion, decode }), allowedSenders: (peer) => membership.isMember(peer) }, { pubsub: host.node.services.pubsub, logger: this.logger });
    this.stateTopic = topic(stateTopic, decodeStateGossip);
    this.reportsTopic = topic(reportsTopic, decodeReportsGossip);
    const managers = (leader: string | undefined) => this.managersBestFirst(leader);

    if (o.role === 'manager') {
      const config = defaultRaftServiceConfig();
      this.raft = new RaftService(
        { id, dir: o.raftDir, bootstrapVoters: o.founder ? [id] : [], config },
        {
          transport: new Libp2pTransport<RaftWireMessage>(raftTransportConfig(), { node: host.node, logger: this.logger }),
          forwarder: new RpcProposalForwarder(this.rpc, config.proposalTimeoutMs),
          stateMachine: this.replica,
          logger: this.logger,
        },
      );
      const raft = this.raft;
      this.publisher = new StatePublisher({
        replica: this.replica, topic: this.stateTopic, rpc: this.rpc, logger: this.logger,
        leadership: () => ({ isLeader: raft.isLeader(), leader: raft.leader(), term: raft.status().term }),
      });
    } else {
      this.follower = new StateFollower({ replica: this.replica, topic: this.stateTopic, rpc: this.rpc, sources: managers, logger: this.logger });
    }
    this.writer = new ClusterWriter({
      rpc: this.rpc, raft: this.raft, follower: this.follower, logger: this.logger,
      managers: () => managers(this.follower?.leader), isMember: (peer) => membership.isMember(peer),
    });
    if (this.raft !== undefined) {
      this.intake = new ReportIntake(this.replica, (command) => this.writer.write(command), this.logger);
      this.duties = new LeaderDuties({
        selfId: id, raft: this.raft, replica: this.replica, members: () => membership.members(), voterPolicy: defaultVoterPolicyConfig(), logger: this.logger,
        propose: (command) => this.writer.write(command), deliverRole: (node, role) => membership.deliverRole(node, role),
      });
    }
    this.roleRequests = new RoleRequests({
      rpc: this.rpc, raft: this.raft, replica: this.replica, members: () => membership.members(), logger: this.logger,
      managers: () => managers(this.raft?.leader() ?? this.follower?.leader), isMember: (peer) => membership.isMember(peer),
      write: (command) => this.writer.write(command),
    });
    const intake = this.intake;
    this.relay = new ReportRelay({
      nodeId: id, replica: this.replica, topic: this.reportsTopic, logger: this.logger,
      localIntake: () => (intake !== undefined && this.raft?.isLeader() ? (from, reports) => intake.offer(from, reports) : undefined),
    });
    this.usage = new NodeUsageSpreader({
      selfId: id, sampler: new HostUsageSampler(procHostUsageReader, new WallClock()), timers: new RealTimers(), clock: new RealClock(), logger: this.logger,
      topic: new GossipTopic(nodeUsageTopicConfig((peer) => membership.isMember(peer)), { pubsub: host.node.services.pubsub, logger: this.logger }),
      onSample: (nodeId, usage) => this.events.announce({ type: 'usage', nodeId, cpuMillicores: usage.cpuMillicores, memoryBytes: usage.memoryBytes, time: usage.sampledAt }),
    });
    if (o.network !== undefined) {
      this.networking = new ClusterNetworking({ selfId: id, ...o.network, synced: () => this.synced(), store: () => this.replica.store, members: () => membership.members(), logger: this.logger });
    }
    this.agent = new Agent({
      nodeId: id, nodeHostname: o.nodeName, runtime: o.runtime, images: new PullingImageService(o.images), volumesDir: o.volumesDir,
      clock: new WallClock(), timers: new RealTimers(), log: this.logger.child('agent'), report: (reports) => this.relay.add(reports),
      ...(this.networking === undefined ? {} : { network: this.networking }),
    });
    this.operations = new Operations({
      replica: this.replica, write: (command) => this.writer.write(command), changeRole: (node, role) => this.roleRequests.change(node, role),
      events: this.events, members: () => membership.members(),
      logSources: { selfId: id, runtime: o.runtime, rpc: this.rpc }, status: () => this.status(),
    });
  }

  /** Starts everything on a started host; the agent first adopts the containers an earlier daemon left. */
  static async start(options: OrchestrationNodeOptions): Promise<OrchestrationNode> {
    const node = new OrchestrationNode(options);
    try {
      await node.startParts();
    } catch (err) {
      await node.stop(false);
      throw err;
    }
    return node;
  }

  status(): OrchestrationStatus {
    if (this.raft !== undefined) {
      const status = this.raft.status();
      return { synced: this.synced(), leader: status.leader, isLeader: status.role === 'leader', voters: status.voters, learners: status.learners, applied: this.replica.seq };
    }
    return { synced: this.synced(), leader: this.follower!.leader, isLeader: false, voters: [], learners: [], applied: this.replica.seq };
  }

  /** Service networking on this node; undefined with `--network none`. */
  get network(): ClusterNetworking | undefined {
    return this.networking;
  }

  /** The node's availability as the cluster state records it (active until registered). */
  availabilityOf(nodeId: string): 'active' | 'pause' | 'drain' {
    return this.replica.store.node(nodeId)?.availability ?? 'active';
  }

  /** A node's CPU and memory in use as last gossiped (this node's own too); undefined when unknown or stale. */
  usageOf(nodeId: string): HostUsage | undefined {
    return this.usage.usageOf(nodeId);
  }

  /**
   * Stops it all. With `removeTasks` (leaving the cluster) the agent first stops and removes
   * this node's task containers; otherwise (daemon shutdown) they keep running.
   */
  async stop(removeTasks: boolean): Promise<void> {
    clearTimeout(this.agentTimer);
    for (const cleanup of this.cleanups) cleanup();
    if (removeTasks) await this.agent.sync([]).catch((err: unknown) => this.logger.warn('task containers not all removed', { error: errorMessage(err) }));
    this.agent.close();
    await this.networking?.close();
    if (removeTasks) await this.networking?.remove().catch((err: unknown) => this.logger.warn('the node\'s network was not all removed', { error: errorMessage(err) }));
    this.duties?.stop();
    this.intake?.stop();
    this.relay.stop();
    this.usage.stop();
    this.publisher?.stop();
    this.follower?.stop();
    this.stateTopic.stop();
    this.reportsTopic.stop();
    await this.raft?.stop().catch((err: unknown) => this.logger.warn('raft did not stop cleanly', { error: errorMessage(err) }));
    await this.rpc.stop();
  }

  private async startParts(): Promise<void> {
    const { membership, runtime } = this.o;
    // Managers have the state through raft: the leader only sends the feed, and verifying
    // every command's signature on the others was a third of their CPU per write.
    this.stateTopic.start({ publishOnly: this.raft !== undefined });
    this.reportsTopic.start();
    this.usage.start();
    this.cleanups.push(this.replica.onChange((change) => {
      if (change.kind === 'applied') for (const event of eventsOfCommand(change.applied, this.replica.store, Date.now())) this.events.add(event);
      this.scheduleAgentSync();
      this.networking?.refresh();
    }));
    this.cleanups.push(membership.onEvent((event) => {
      this.events.add(eventOfMembership(event, Date.now()));
      this.networking?.refresh();
    }));
    await serveTaskLogs(this.rpc, runtime, (containerId) => this.replica.store.taskList().some((task) => task.containerId === containerId && task.nodeId === membership.id));
    await this.agent.recover();
    this.relay.start();
    if (this.raft !== undefined) {
      const raft = this.raft;
      this.cleanups.push(raft.onEvent((event) => {
        if (event.type === 'leaderChanged') this.events.add({ type: 'leader', leader: event.leader, term: event.term, time: Date.now() });
        this.scheduleAgentSync();
      }));
      await raft.start();
      // A dead leader's connections close at once (its kernel resets them): start the next election now.
      const onDisconnect = (event: CustomEvent<{ toString(): string }>) => raft.peerLost(event.detail.toString());
      this.o.host.node.addEventListener('peer:disconnect', onDisconnect);
      this.cleanups.push(() => this.o.host.node.removeEventListener('peer:disconnect', onDisconnect));
      this.cleanups.push(membership.onEvent((event) => {
        if (event.type === 'dead' || event.type === 'left') raft.peerLost(event.member.meta.id);
      }));
      await serveForwardedProposals(this.rpc, raft, defaultRaftServiceConfig().proposalTimeoutMs);
      await this.publisher!.start();
      await this.writer.serve();
      await this.roleRequests.serve();
      this.cleanups.push(this.reportsTopic.subscribe((message, from) => {
        if (raft.isLeader()) this.intake!.offer(from, message.reports);
      }));
      this.duties!.start();
    } else {
      this.follower!.start();
    }
    this.scheduleAgentSync();
  }

  /** Whether this node holds the committed state: only then does its agent act on it. */
  private synced(): boolean {
    if (this.follower !== undefined) return this.follower.synced;
    const status = this.raft!.status();
    const inRaft = status.voters.includes(this.o.membership.id) || status.learners.includes(this.o.membership.id);
    return inRaft && status.leader !== undefined && status.applied >= status.commit;
  }

  private scheduleAgentSync(): void {
    if (this.agentTimer !== undefined) return;
    this.agentTimer = setTimeout(() => {
      this.agentTimer = undefined;
      // Before the state is known, an empty list would stop every container this node runs.
      if (!this.agentStarted && !this.synced()) return;
      const mine = this.replica.store.taskList().filter((task) => task.nodeId === this.o.membership.id);
      // Most changes concern other nodes' tasks or reports this agent made itself: skip those.
      const key = mine.map((task) => `${task.id}/${task.desiredState}/${task.specVersion}`).join(' ');
      if (this.agentStarted && key === this.agentKey) return;
      this.agentStarted = true;
      this.agentKey = key;
      this.agent.sync(mine).catch((err: unknown) => this.logger.warn('agent pass failed', { error: errorMessage(err) }));
    }, agentSyncDelayMs);
  }

  /** Alive managers, the leader first: where a worker pulls state and sends writes. */
  private managersBestFirst(leader: string | undefined): string[] {
    const managers = this.o.membership.members()
      .filter((m) => m.meta.role === 'manager' && m.meta.id !== this.o.membership.id && (m.status === 'alive' || m.status === 'suspect'))
      .map((m) => m.meta.id);
    return leader !== undefined && managers.includes(leader) ? [leader, ...managers.filter((id) => id !== leader)] : managers;
  }
}
