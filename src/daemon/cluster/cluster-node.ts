import { randomInt } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { CertificateVerifier, issueCertificate, readClaims } from '../../admission/certificate.js';
import { roleProvenBy } from '../../admission/join-proof.js';
import { formatJoinToken, generateJoinSecret } from '../../admission/join-token.js';
import { MemberGate } from '../../admission/member-gate.js';
import { RealClock } from '../../core/clock.js';
import { SwarmError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { SeededRandom } from '../../core/random.js';
import { swarmtsVersion } from '../../core/version.js';
import { defaultMembershipConfig } from '../../membership/config.js';
import { Membership } from '../../membership/membership.js';
import { membershipProtocolVersion, type GossipMessage, type MembershipMessage } from '../../membership/messages.js';
import type { Member, MembershipEvent, NodeMeta, NodeRole } from '../../membership/types.js';
import { validateMembershipMessage } from '../../membership/validate-message.js';
import { GossipTopic, defaultGossipTopicConfig } from '../../p2p/gossip-topic.js';
import type { P2pHost } from '../../p2p/host.js';
import { Libp2pTransport } from '../../p2p/libp2p-transport.js';
import { MembershipService } from '../../p2p/membership-service.js';
import { defaultRpcConfig } from '../../p2p/rpc-config.js';
import { RpcService } from '../../p2p/rpc.js';
import { defaultTransportConfig } from '../../p2p/transport.js';
import { parseHostPort, toMultiaddr } from './addresses.js';
import type { ClusterFiles, ClusterState, KnownPeer } from './cluster-files.js';
import { decodeJoinRequest, decodeManagerSecrets, joinProtocol, joinSecretsProtocol, type JoinResponse, type ManagerSecrets } from './join-protocol.js';
import { decodeRoleCertificate, judgeRoleCertificate, roleCertificateProtocol, roleCertificateTimeoutMs, type RoleCertificate } from './role-certificate.js';

const membershipTopic = '/swarmts/membership/1';
/** How long a leaving node keeps gossiping so that its departure reaches everyone. */
const leaveLingerMs = 1500;
/** Peers and incarnation are saved at most this often. */
const saveIntervalMs = 1000;

function decodeGossip(value: unknown): GossipMessage {
  const message = validateMembershipMessage(value);
  if (message.type !== 'gossip') throw new SwarmError('MALFORMED_MESSAGE', `membership gossip: expected type gossip, got ${message.type}`);
  return message;
}

/** The token-invalid error a joining node sees, saying what to do. */
function invalidToken(): SwarmError {
  return new SwarmError(
    'PERMISSION_DENIED',
    'the join token was refused: it is not a current token of this cluster (tokens change when rotated); ' +
      'print the current one with `swarmts join-token worker` (or `manager`) on a manager',
  );
}

/** A role this node was handed by a manager, with what the role needs. */
export interface RoleChange {
  role: NodeRole;
  certificate: string;
  /** With the manager role only. */
  managerSecrets: ManagerSecrets | undefined;
}

export interface ClusterNodeOptions {
  /** A started host on the cluster's private network. */
  host: P2pHost;
  state: ClusterState;
  files: ClusterFiles;
  nodeName: string;
  logger: Logger;
}

/**
 * One node's live cluster membership: gossip membership over the host, the admission gate
 * in front of it, and on managers the join service that admits new nodes. Saves what a
 * restart needs (peers seen, incarnation) as it goes.
 */
export class ClusterNode {
  private readonly rpc: RpcService;
  /** The join and join-secrets protocols, served while this node is a manager. */
  private managerRpc: RpcService | undefined;
  private state: ClusterState;
  private readonly verifier: CertificateVerifier;
  private roleHandler: ((change: RoleChange) => Promise<void>) | undefined;
  private readonly topic: GossipTopic<GossipMessage>;
  private readonly service: MembershipService;
  private readonly gate: MemberGate;
  private readonly logger: Logger;
  private managerSecrets: ManagerSecrets | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly warnedStrangers = new Set<string>();
  /** The addresses last given to the peer store, per member, space-joined. */
  private readonly learnedAddresses = new Map<string, string>();
  /** What the last save wrote, to skip saves that would write the same. */
  private savedPeers: string | undefined;
  private savedIncarnation: number | undefined;
  private stopped = false;
  private readonly stopPeerEvents: () => void;

  private constructor(private readonly options: ClusterNodeOptions) {
    const { host, state, logger } = options;
    this.logger = logger.child('cluster');
    this.state = state;
    this.managerSecrets = state.managerSecrets;
    const self = this.selfMeta();
    this.verifier = new CertificateVerifier(state.config.authorityPublicKey, state.config.clusterId);
    this.gate = new MemberGate(this.verifier, self);
    const verdict = this.gate.check(self);
    if (verdict !== undefined) throw new SwarmError('CORRUPT_DATA', `this node's own admission certificate does not verify: ${verdict}`);
    this.rpc = new RpcService(defaultRpcConfig(), { node: host.node, logger: this.logger });
    this.topic = new GossipTopic(
      { ...defaultGossipTopicConfig({ topic: membershipTopic, version: membershipProtocolVersion, decode: decodeGossip }), allowedSenders: (id) => this.gate.isMember(id) },
      { pubsub: host.node.services.pubsub, logger: this.logger },
    );
    const transport = new Libp2pTransport<MembershipMessage>(
      defaultTransportConfig({ protocol: membershipTopic, version: membershipProtocolVersion, decode: validateMembershipMessage }),
      { node: host.node, logger: this.logger },
    );
    const membership = new Membership(defaultMembershipConfig(), self, new SeededRandom(randomInt(0, 0xffffffff)), { incarnation: state.config.incarnation + 1 });
    this.service = new MembershipService(membership, {
      transport,
      broadcaster: { publish: (message) => this.topic.publish(message), subscribe: (handler) => this.topic.subscribe(handler) },
      gate: (from, message) => this.admit(from, message),
      clock: new RealClock(),
      logger: this.logger,
    });
    this.service.onEvent((event) => this.onMembershipEvent(event));
    // A crashed peer's kernel resets its connections at once: probe it now, not in its turn.
    this.stopPeerEvents = host.onPeer((event) => {
      if (event.type === 'disconnect') this.service.linkLost(event.peerId);
    });
  }

  /** Starts membership on `options.host`, joining through `seeds` (none for a new cluster). */
  static async start(options: ClusterNodeOptions, seeds: readonly KnownPeer[]): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    const others = seeds.filter((seed) => seed.id !== options.host.peerId);
    for (const seed of others) await options.host.learnAddresses(seed.id, seed.addresses);
    await node.rpc.handle(roleCertificateProtocol, (message, context) => node.receiveRoleCertificate(message, context.peerId), {
      decode: decodeRoleCertificate, handlerTimeoutMs: roleCertificateTimeoutMs,
    });
    if (options.state.config.role === 'manager') await node.serveManagerProtocols();
    node.topic.start();
    await node.service.start(others.map((seed) => seed.id));
    void node.connectAhead(others.map((seed) => seed.id));
    node.options.files.saveConfig({ ...options.state.config, incarnation: node.service.incarnation() });
    return node;
  }

  get id(): string {
    return this.options.host.peerId;
  }

  /**
   * Membership pushes our state to a few seeds only; this connects to the other members in
   * the background while they still hold us new (newMemberGraceMs), since a first probe that
   * has to open the connection itself can miss its deadline on a loaded host. One at a time:
   * the 19 handshakes of a 20th member at once kept it from answering probes for seconds,
   * past its grace, and it was declared dead before it could refute.
   */
  private async connectAhead(peerIds: readonly string[]): Promise<void> {
    for (const peerId of peerIds) {
      if (this.stopped) return;
      await this.options.host.connect(peerId).catch((err: unknown) => this.logger.debug('member not reached ahead of probing', { peer: peerId, error: errorMessage(err) }));
    }
  }

  get config(): ClusterState['config'] {
    return this.state.config;
  }

  members(): Member[] {
    return this.service.members();
  }

  /** Whether `peerId` showed this cluster's admission certificate: who may gossip and write. */
  isMember(peerId: string): boolean {
    return this.gate.isMember(peerId);
  }

  onEvent(listener: (event: MembershipEvent) => void): () => void {
    return this.service.onEvent(listener);
  }

  /** The current join token of `role`, after replacing its secret when `rotate` (managers only). */
  async joinToken(role: NodeRole, rotate: boolean): Promise<string> {
    const secrets = this.managerSecrets;
    if (secrets === undefined) {
      throw new SwarmError('PERMISSION_DENIED', 'this node is a worker: join tokens are kept by managers; run `swarmts join-token` on a manager');
    }
    if (rotate) {
      const next: ManagerSecrets = {
        ...secrets,
        joinSecrets: { ...secrets.joinSecrets, [role]: Buffer.from(generateJoinSecret()).toString('hex') },
        secretsVersion: secrets.secretsVersion + 1,
      };
      this.adoptSecrets(next);
      await this.shareSecrets(next);
    }
    return formatJoinToken({ psk: this.state.psk, secret: Buffer.from(this.managerSecrets!.joinSecrets[role], 'hex') });
  }

  /** Leaves gracefully: the others see this node `left`, not dead. */
  async leave(): Promise<void> {
    await this.service.leave(leaveLingerMs);
    await this.stop();
  }

  /** Stops membership (the others will find this node dead unless it comes back). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPeerEvents();
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.service.stop();
    this.topic.stop();
    await this.managerRpc?.stop();
    this.managerRpc = undefined;
    await this.rpc.stop();
    this.savePeersAndIncarnation();
  }

  /** Who switches this node to a role a manager hands it (the daemon's cluster control). */
  onRoleCertificate(handler: (change: RoleChange) => Promise<void>): void {
    this.roleHandler = handler;
  }

  /**
   * Issues `peerId` a certificate of `role` and hands it over (managers only); resolves once
   * the node saved it and switched. The caller decides when (LeaderDuties: after raft let it go).
   */
  async deliverRole(peerId: string, role: NodeRole): Promise<void> {
    const secrets = this.managerSecrets;
    if (secrets === undefined) throw new SwarmError('PERMISSION_DENIED', 'this node is a worker: only managers issue certificates');
    const certificate = issueCertificate(secrets.authorityPrivateKey, { clusterId: this.config.clusterId, peerId, role, issuedAtMs: Date.now() });
    const message: RoleCertificate = { certificate, ...(role === 'manager' ? { managerSecrets: secrets } : {}) };
    await this.rpc.request(peerId, roleCertificateProtocol, message, { timeoutMs: roleCertificateTimeoutMs });
    this.logger.info('handed a node its new role', { peer: peerId, role });
  }

  /**
   * Saves a new role (certificate, secrets) and keeps it as this node's config: a restart
   * from here on comes back in it. Membership still announces the old role until adoptRole.
   */
  saveRole(change: RoleChange): void {
    // A demoted founder must never bootstrap raft alone again, should it be promoted later.
    const { founder: _founder, ...config } = this.state.config;
    this.state = { ...this.state, config: { ...config, role: change.role, certificate: change.certificate }, managerSecrets: change.managerSecrets };
    this.managerSecrets = change.managerSecrets;
    this.options.files.saveConfig({ ...this.state.config, incarnation: this.service.incarnation() });
    if (change.managerSecrets !== undefined) this.options.files.saveManagerSecrets(change.managerSecrets);
    else this.options.files.removeManagerSecrets();
  }

  /** Takes up the role saveRole saved: serves or stops the managers' protocols and announces the role to every member. */
  async adoptRole(): Promise<void> {
    const { role } = this.state.config;
    const self = this.selfMeta();
    const verdict = this.gate.check(self);
    if (verdict !== undefined) throw new SwarmError('CORRUPT_DATA', `this node's new admission certificate does not verify: ${verdict}`);
    if (role === 'manager' && this.managerRpc === undefined) await this.serveManagerProtocols();
    if (role === 'worker') {
      await this.managerRpc?.stop();
      this.managerRpc = undefined;
    }
    this.service.updateMeta(self);
    this.logger.info(`this node is a ${role} now`);
  }

  private async receiveRoleCertificate(message: RoleCertificate, from: string): Promise<Record<string, never>> {
    const senderRole = this.gate.roleOf(from);
    // Strangers are refused before their certificate costs a signature check.
    const claims = senderRole === 'manager' ? this.verifier.verify(message.certificate, this.id) : readClaims(message.certificate);
    const verdict = judgeRoleCertificate({ from, senderRole, claims, current: readClaims(this.config.certificate), withManagerSecrets: message.managerSecrets !== undefined });
    if (verdict === 'ignore') return {};
    if (this.roleHandler === undefined) throw new SwarmError('UNAVAILABLE', 'this node cannot change its role yet: try again');
    await this.roleHandler({ role: claims.role, certificate: message.certificate, managerSecrets: claims.role === 'manager' ? message.managerSecrets : undefined });
    return {};
  }

  private selfMeta(): NodeMeta {
    const { host, nodeName } = this.options;
    const state = this.state;
    const advertise = toMultiaddr(parseHostPort(state.config.advertise, 'advertise address'));
    return {
      id: host.peerId,
      name: nodeName,
      addresses: [`${advertise}/p2p/${host.peerId}`],
      role: state.config.role,
      labels: state.config.labels,
      capacity: { cpuMillicores: cpus().length * 1000, memoryBytes: totalmem() },
      versions: { swarmts: swarmtsVersion },
      admission: state.config.certificate,
    };
  }

  private admit(from: string, message: MembershipMessage): MembershipMessage | undefined {
    const verdict = this.gate.admit(from, message);
    if (verdict.refusals.length > 0 && !this.warnedStrangers.has(from) && this.warnedStrangers.size < 1024) {
      this.warnedStrangers.add(from);
      this.logger.warn('refused membership claims (further ones from this peer are logged at debug)', { from, refusals: verdict.refusals.join('; ') });
    } else if (verdict.refusals.length > 0) {
      this.logger.debug('refused membership claims', { from, refusals: verdict.refusals.join('; ') });
    }
    return verdict.message;
  }

  private onMembershipEvent(event: MembershipEvent): void {
    const { meta } = event.member;
    const addresses = meta.addresses.join(' ');
    if ((event.type === 'joined' || event.type === 'updated' || event.type === 'alive-again') && this.learnedAddresses.get(meta.id) !== addresses) {
      // Only new addresses go to the peer store: a merge costs a lock, protobuf and events,
      // and a member that flaps between suspect and alive would pay it at every refutation.
      this.learnedAddresses.set(meta.id, addresses);
      this.options.host.learnAddresses(meta.id, meta.addresses).catch((err: unknown) => this.logger.warn('peer addresses not recorded', { peer: meta.id, error: errorMessage(err) }));
    }
    this.logger.info(`member ${event.type}`, { peer: meta.id, name: meta.name, role: meta.role });
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.savePeersAndIncarnation();
    }, saveIntervalMs);
  }

  private savePeersAndIncarnation(): void {
    const peers = this.members()
      .filter((member) => member.meta.id !== this.id && member.status !== 'left')
      .map((member) => ({ id: member.meta.id, addresses: [...member.meta.addresses] }));
    const incarnation = this.service.incarnation();
    // Most membership events (suspect, alive again) change neither: skip the two file writes.
    const saved = JSON.stringify(peers);
    if (saved === this.savedPeers && incarnation === this.savedIncarnation) return;
    try {
      this.options.files.savePeers(peers);
      this.options.files.saveConfig({ ...this.config, incarnation });
      this.savedPeers = saved;
      this.savedIncarnation = incarnation;
    } catch (err) {
      this.logger.warn('cluster peers not saved', { error: errorMessage(err) });
    }
  }

  private async serveManagerProtocols(): Promise<void> {
    const rpc = new RpcService(defaultRpcConfig(), { node: this.options.host.node, logger: this.logger });
    this.managerRpc = rpc;
    await rpc.handle(joinProtocol, async (request, context) => this.admitJoiner(request.proof, context.peerId), { decode: decodeJoinRequest });
    await rpc.handle(
      joinSecretsProtocol,
      async (secrets, context) => {
        if (this.gate.roleOf(context.peerId) !== 'manager') {
          throw new SwarmError('PERMISSION_DENIED', 'only managers may hand out join secrets');
        }
        if (secrets.secretsVersion > (this.managerSecrets?.secretsVersion ?? -1)) this.adoptSecrets(secrets);
        return {};
      },
      { decode: decodeManagerSecrets },
    );
  }

  private admitJoiner(proof: Uint8Array, peerId: string): JoinResponse {
    const secrets = this.managerSecrets;
    if (secrets === undefined) throw new SwarmError('UNAVAILABLE', 'this node was just demoted to a worker and admits nobody: join through another manager');
    const { config } = this.state;
    const role = roleProvenBy({ manager: Buffer.from(secrets.joinSecrets.manager, 'hex'), worker: Buffer.from(secrets.joinSecrets.worker, 'hex') }, peerId, proof);
    if (role === undefined) {
      this.logger.warn('refused a join with an invalid token', { peer: peerId });
      throw invalidToken();
    }
    const certificate = issueCertificate(secrets.authorityPrivateKey, { clusterId: config.clusterId, peerId, role, issuedAtMs: Date.now() });
    const peers = this.members()
      .filter((m) => m.status === 'alive' || m.status === 'suspect')
      .map((m) => ({ id: m.meta.id, addresses: [...m.meta.addresses] }));
    this.logger.info('admitted a node', { peer: peerId, role });
    return {
      clusterId: config.clusterId,
      role,
      certificate,
      authorityPublicKey: config.authorityPublicKey,
      peers,
      ...(role === 'manager' ? { managerSecrets: secrets } : {}),
    };
  }

  private adoptSecrets(secrets: ManagerSecrets): void {
    this.options.files.saveManagerSecrets(secrets);
    this.managerSecrets = secrets;
  }

  /** Best effort: a manager that misses the new secrets keeps admitting with the old ones until it hears again. */
  private async shareSecrets(secrets: ManagerSecrets): Promise<void> {
    const managers = this.members().filter((m) => m.meta.id !== this.id && m.meta.role === 'manager' && m.status === 'alive');
    const results = await Promise.allSettled(managers.map((m) => this.rpc.request(m.meta.id, joinSecretsProtocol, secrets, { timeoutMs: 5000 })));
    results.forEach((result, i) => {
      if (result.status === 'rejected') this.logger.warn('rotated join secrets not delivered', { manager: managers[i]!.meta.name, error: errorMessage(result.reason) });
    });
  }
}
