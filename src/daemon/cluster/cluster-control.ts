import { randomUUID } from 'node:crypto';
import { generateAuthority, issueCertificate } from '../../admission/certificate.js';
import { joinProof } from '../../admission/join-proof.js';
import { formatJoinToken, generateJoinSecret, parseJoinToken } from '../../admission/join-token.js';
import { SwarmError, errorMessage, isSwarmError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { PullableImages } from '../../agent/image-service.js';
import type { ClusterNetworking, ServiceNetworkOptions } from '../network/cluster-networking.js';
import type { NodeRole } from '../../membership/types.js';
import type { Runtime } from '../../runtime/runtime.js';
import { createP2pHost, type P2pHost } from '../../p2p/host.js';
import { defaultP2pHostConfig } from '../../p2p/host-config.js';
import { generatePsk } from '../../p2p/psk.js';
import { defaultRpcConfig } from '../../p2p/rpc-config.js';
import { RpcService } from '../../p2p/rpc.js';
import type {
  ClusterInitRequest,
  ClusterInitResponse,
  ClusterJoinRequest,
  ClusterJoinResponse,
  ClusterStatus,
  JoinTokenResponse,
  NodeDetail,
  NodeSummary,
} from '../api-types.js';
import { chooseAdvertiseAddress, formatHostPort, parseHostPort, toMultiaddr, type HostPort } from './addresses.js';
import { ClusterFiles, type ClusterConfig, type ClusterState } from './cluster-files.js';
import { ClusterNode, type RoleChange } from './cluster-node.js';
import { decodeJoinResponse, joinProtocol, type JoinResponse } from './join-protocol.js';
import { compareNodes, nodeDetail, nodeSummary } from './node-views.js';
import { findByReference } from '../find-by-reference.js';
import { EventLog } from '../orchestration/event-log.js';
import { OrchestrationNode } from '../orchestration/orchestration-node.js';
import type { Operations } from '../orchestration/operations.js';

/** How long a join may take to reach the manager and be answered. */
const joinTimeoutMs = 15_000;

const labelKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

function validLabels(labels: unknown): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw new SwarmError('INVALID_ARGUMENT', 'labels: expected an object of strings');
  const problems = Object.entries(labels).flatMap(([key, value]) => [
    ...(labelKeyPattern.test(key) ? [] : [`label key ${JSON.stringify(key)}: expected letters, digits and . _ / - (at most 128, starting with a letter or digit)`]),
    ...(typeof value === 'string' && value.length <= 512 ? [] : [`label ${key}: expected a string of at most 512 characters`]),
  ]);
  if (problems.length > 0) throw new SwarmError('INVALID_ARGUMENT', problems.join('; '));
  return Object.fromEntries(Object.entries(labels)) as Record<string, string>;
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new SwarmError('INVALID_ARGUMENT', `${what}: expected a non-empty string`);
  return value;
}

/** What a member runs its tasks with: the node's container runtime, images and volumes. */
export interface TaskServices {
  runtime: Runtime;
  images: PullableImages;
  volumesDir: string;
  /** Service networking: its state (`<state>/network`) and balancing mode; undefined: task containers get only loopback (`--network none`). */
  network: ServiceNetworkOptions | undefined;
}

interface Running {
  host: P2pHost;
  node: ClusterNode;
  orchestration: OrchestrationNode | undefined;
  /** Outlives the orchestration, which a role change replaces. */
  events: EventLog;
}

/**
 * The daemon's cluster side: init, join, leave, join tokens and the node list, with the
 * membership node and the orchestration they start. One operation at a time; each either
 * completes or leaves the node as it was (nothing saved until the cluster accepted the node).
 */
export class ClusterControl {
  private readonly files: ClusterFiles;
  private running: Running | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    stateDir: string,
    private readonly nodeName: string,
    private readonly logger: Logger,
    /** Undefined runs membership alone, without orchestration (tests of the cluster side). */
    private readonly tasks: TaskServices | undefined,
  ) {
    this.files = new ClusterFiles(stateDir);
  }

  /** At daemon start: rejoins the cluster this node belongs to, if any, through the peers it saw last. */
  boot(): Promise<void> {
    return this.serialized(async () => {
      if (!this.files.exists()) return;
      const state = this.files.load();
      const host = await this.openHost(state.psk, parseHostPort(state.config.listen, 'listen address'));
      this.running = await this.startNode(host, state, this.files.loadPeers(), state.config.founder === true);
      this.logger.info('rejoined the cluster', { cluster: state.config.clusterId, role: state.config.role });
    });
  }

  status(): ClusterStatus {
    if (this.running === undefined) return { member: false, nodeId: undefined };
    const { node } = this.running;
    const members = node.members();
    return {
      member: true,
      clusterId: node.config.clusterId,
      nodeId: node.id,
      role: node.config.role,
      listenAddr: node.config.listen,
      advertiseAddr: node.config.advertise,
      members: members.filter((m) => m.status !== 'left').length,
      ready: members.filter((m) => m.status === 'alive').length,
    };
  }

  init(request: ClusterInitRequest): Promise<ClusterInitResponse> {
    return this.serialized(async () => {
      this.assertNotMember();
      const listen = parseHostPort(optionalString(request.listenAddress, 'listenAddress') ?? '0.0.0.0', 'listen address');
      const advertise = chooseAdvertiseAddress(listen, optionalString(request.advertiseAddress, 'advertiseAddress'));
      const labels = validLabels(request.labels);
      const psk = generatePsk();
      const authority = generateAuthority();
      const secrets = { manager: Buffer.from(generateJoinSecret()).toString('hex'), worker: Buffer.from(generateJoinSecret()).toString('hex') };
      const clusterId = randomUUID();
      const host = await this.openHost(psk, listen);
      const state: ClusterState = {
        psk,
        config: {
          clusterId,
          role: 'manager',
          authorityPublicKey: authority.publicKey,
          certificate: issueCertificate(authority.privateKey, { clusterId, peerId: host.peerId, role: 'manager', issuedAtMs: Date.now() }),
          listen: formatHostPort(listen),
          advertise: formatHostPort(advertise),
          labels,
          incarnation: 0,
          founder: true,
        },
        managerSecrets: { authorityPrivateKey: authority.privateKey, joinSecrets: secrets, secretsVersion: 0 },
      };
      await this.startMember(host, state, [], true);
      this.logger.info('initialised a new cluster', { cluster: clusterId, advertise: state.config.advertise });
      const token = (role: NodeRole) => formatJoinToken({ psk, secret: Buffer.from(secrets[role], 'hex') });
      return { clusterId, nodeId: host.peerId, workerToken: token('worker'), managerToken: token('manager'), advertiseAddr: state.config.advertise };
    });
  }

  join(request: ClusterJoinRequest): Promise<ClusterJoinResponse> {
    return this.serialized(async () => {
      this.assertNotMember();
      if (typeof request.token !== 'string') throw new SwarmError('INVALID_ARGUMENT', 'token: expected the join token printed by `swarmts join-token worker` on a manager');
      const token = parseJoinToken(request.token);
      const remote = parseHostPort(optionalString(request.remoteAddress, 'remoteAddress') ?? '', 'manager address');
      const listen = parseHostPort(optionalString(request.listenAddress, 'listenAddress') ?? '0.0.0.0', 'listen address');
      const advertise = chooseAdvertiseAddress(listen, optionalString(request.advertiseAddress, 'advertiseAddress'));
      const labels = validLabels(request.labels);
      const host = await this.openHost(token.psk, listen);
      let answer: JoinResponse;
      let managerId: string;
      try {
        managerId = await this.reachManager(host, remote);
        answer = await this.askToJoin(host, managerId, joinProof(token.secret, host.peerId), remote);
      } catch (err) {
        await host.stop();
        throw err;
      }
      const config: ClusterConfig = {
        clusterId: answer.clusterId,
        role: answer.role,
        authorityPublicKey: answer.authorityPublicKey,
        certificate: answer.certificate,
        listen: formatHostPort(listen),
        advertise: formatHostPort(advertise),
        labels,
        incarnation: 0,
      };
      await this.startMember(host, { psk: token.psk, config, managerSecrets: answer.managerSecrets }, answer.peers, false);
      this.logger.info('joined the cluster', { cluster: answer.clusterId, role: answer.role, through: formatHostPort(remote) });
      return { clusterId: answer.clusterId, nodeId: host.peerId, role: answer.role };
    });
  }

  /** Leaves the cluster gracefully and forgets it. A manager needs `force` while other members remain. */
  leave(force: boolean): Promise<void> {
    return this.serialized(async () => {
      const running = this.running;
      if (running === undefined && force && this.files.exists()) {
        this.files.remove();
        this.logger.warn('forgot a cluster this node could not rejoin');
        return;
      }
      if (running === undefined) throw new SwarmError('CONFLICT', 'this node is not part of a cluster: nothing to leave');
      const others = running.node.members().filter((m) => m.meta.id !== running.node.id && (m.status === 'alive' || m.status === 'suspect'));
      const otherManagers = others.filter((m) => m.meta.role === 'manager');
      if (running.node.config.role === 'manager' && others.length > 0 && !force) {
        throw new SwarmError(
          'CONFLICT',
          otherManagers.length === 0
            ? `this node is the cluster's only manager and ${others.length} other node(s) remain: without it nobody can admit new nodes. Use --force to leave anyway`
            : 'this node is a manager: leaving removes one of the cluster\'s managers. Use --force to leave anyway',
        );
      }
      this.running = undefined;
      await running.orchestration?.stop(true);
      await running.node.leave();
      await running.host.stop();
      this.files.remove();
      this.logger.info('left the cluster', { cluster: running.node.config.clusterId });
    });
  }

  joinToken(role: string, rotate: boolean): Promise<JoinTokenResponse> {
    return this.serialized(async () => {
      if (role !== 'worker' && role !== 'manager') throw new SwarmError('INVALID_ARGUMENT', `join-token: expected worker or manager, got ${JSON.stringify(role)}`);
      const { node } = this.member();
      const token = await node.joinToken(role, rotate);
      return { role, token, command: `swarmts join --token ${token} ${node.config.advertise}` };
    });
  }

  nodes(): NodeSummary[] {
    const { node, orchestration } = this.member();
    return node.members().map((m) => nodeSummary(m, node.id, orchestration?.availabilityOf(m.meta.id) ?? 'active', orchestration?.usageOf(m.meta.id))).sort(compareNodes);
  }

  /** The orchestration API of this member. */
  orchestration(): Operations {
    const { orchestration } = this.member();
    if (orchestration === undefined && this.tasks !== undefined) throw new SwarmError('UNAVAILABLE', 'this node is switching its role (node promote or demote): try again in a moment');
    if (orchestration === undefined) throw new SwarmError('UNAVAILABLE', 'this daemon runs without orchestration');
    return orchestration.operations;
  }

  /** Service networking of this member. */
  network(): ClusterNetworking {
    const network = this.member().orchestration?.network;
    if (network === undefined) throw new SwarmError('UNAVAILABLE', 'this daemon runs without service networking (--network none)');
    return network;
  }

  /** One node by id, id prefix or hostname. */
  node(reference: string): NodeDetail {
    const { node } = this.member();
    const member = findByReference('node', reference, node.members(), (m) => m.meta.id, (m) => [m.meta.name], 'swarmts node ls');
    const orchestration = this.running?.orchestration;
    return nodeDetail(member, node.id, orchestration?.availabilityOf(member.meta.id) ?? 'active', orchestration?.usageOf(member.meta.id));
  }

  /** Stops membership at daemon shutdown (the others see this node go quiet); the cluster files stay. */
  close(): Promise<void> {
    return this.serialized(async () => {
      const running = this.running;
      this.running = undefined;
      if (running === undefined) return;
      await running.orchestration?.stop(false);
      await running.node.stop();
      await running.host.stop();
    });
  }

  private member(): Running {
    if (this.running === undefined) {
      throw new SwarmError('CONFLICT', 'this node is not part of a cluster: run `swarmts init` to start one or `swarmts join` to join one');
    }
    return this.running;
  }

  private assertNotMember(): void {
    if (this.running !== undefined || this.files.exists()) {
      throw new SwarmError('CONFLICT', 'this node is already part of a cluster: run `swarmts leave` first to join another one');
    }
  }

  private async openHost(psk: Uint8Array, listen: HostPort): Promise<P2pHost> {
    const config = { ...defaultP2pHostConfig({ identityPath: this.files.identityPath, psk }), listenAddresses: [toMultiaddr(listen)] };
    const host = await createP2pHost(config, { logger: this.logger });
    try {
      await host.start();
    } catch (err) {
      await host.stop().catch(() => undefined);
      throw new SwarmError('UNAVAILABLE', `cannot listen on ${formatHostPort(listen)}: ${errorMessage(err)}; choose another with --listen-addr`, { cause: err });
    }
    return host;
  }

  private async reachManager(host: P2pHost, remote: HostPort): Promise<string> {
    try {
      return await host.dial(toMultiaddr(remote));
    } catch (err) {
      throw new SwarmError(
        'UNAVAILABLE',
        `could not connect to the manager at ${formatHostPort(remote)}: it is unreachable, not a swarmts manager, or the join token's network key ` +
          `is not this cluster's (a token from another cluster). Check the address and the token (${errorMessage(err)})`,
        { cause: err },
      );
    }
  }

  private async askToJoin(host: P2pHost, managerId: string, proof: Uint8Array, remote: HostPort): Promise<JoinResponse> {
    const rpc = new RpcService(defaultRpcConfig(), { node: host.node, logger: this.logger });
    try {
      return await rpc.request(managerId, joinProtocol, { proof }, { decode: decodeJoinResponse, timeoutMs: joinTimeoutMs });
    } catch (err) {
      // The manager's own words, without the RPC layer's "rpc <protocol> to <peer>:" prefix.
      if (isSwarmError(err, 'PERMISSION_DENIED')) throw new SwarmError('PERMISSION_DENIED', `the manager at ${formatHostPort(remote)} refused this node: ${err.message.replace(/^rpc \S+ to \S+: /, '')}`, { cause: err });
      throw new SwarmError('UNAVAILABLE', `the node at ${formatHostPort(remote)} did not admit this node: ${errorMessage(err)}; is it a manager of the cluster?`, { cause: err });
    } finally {
      await rpc.stop();
    }
  }

  /** Saves the membership and starts it; undoes both if the start fails. */
  private async startMember(host: P2pHost, state: ClusterState, seeds: Array<{ id: string; addresses: string[] }>, founder: boolean): Promise<void> {
    try {
      this.files.create(state);
      this.files.savePeers(seeds);
    } catch (err) {
      this.files.remove();
      await host.stop();
      throw err;
    }
    try {
      this.running = await this.startNode(host, state, seeds, founder);
    } catch (err) {
      this.files.remove();
      throw err;
    }
  }

  /** Starts membership, then orchestration, on a started host; stops what started (and the host) if either fails. */
  private async startNode(host: P2pHost, state: ClusterState, seeds: ReadonlyArray<{ id: string; addresses: string[] }>, founder: boolean): Promise<Running> {
    let node: ClusterNode | undefined;
    try {
      node = await ClusterNode.start({ host, state, files: this.files, nodeName: this.nodeName, logger: this.logger }, seeds);
      node.onRoleCertificate((change) => this.switchRole(change));
      const events = new EventLog();
      const orchestration = await this.startOrchestration(host, node, events, state.config.role, founder);
      return { host, node, orchestration, events };
    } catch (err) {
      await node?.stop().catch(() => undefined);
      await host.stop();
      throw err;
    }
  }

  private async startOrchestration(host: P2pHost, node: ClusterNode, events: EventLog, role: NodeRole, founder: boolean): Promise<OrchestrationNode | undefined> {
    if (this.tasks === undefined) return undefined;
    return OrchestrationNode.start({
      host, membership: node, role, founder, nodeName: this.nodeName, events,
      raftDir: this.files.raftDir(), volumesDir: this.tasks.volumesDir, runtime: this.tasks.runtime, images: this.tasks.images, logger: this.logger,
      network: this.tasks.network,
    });
  }

  /**
   * Takes up the role a manager handed this node (`node promote` / `demote`) without a
   * restart: saves it, replaces the orchestration (a manager's runs raft, starting as a
   * learner; a worker's follows the state feed) with the containers left running for the new
   * agent to adopt, then announces the role. A demoted node's raft log goes: the leader took
   * it out of the raft configuration before handing it the worker certificate.
   */
  private switchRole(change: RoleChange): Promise<void> {
    return this.serialized(async () => {
      const running = this.running;
      if (running === undefined) throw new SwarmError('UNAVAILABLE', 'this node is leaving the cluster or stopping: it takes no new role');
      running.node.saveRole(change);
      const previous = running.orchestration;
      running.orchestration = undefined;
      await previous?.stop(false);
      if (change.role === 'worker') this.files.removeRaftDir();
      try {
        running.orchestration = await this.startOrchestration(running.host, running.node, running.events, change.role, false);
      } catch (err) {
        this.logger.error(`the ${change.role} role is saved but its orchestration did not start: restart the daemon to run it`, { error: errorMessage(err) });
        throw err;
      }
      await running.node.adoptRole();
    });
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
