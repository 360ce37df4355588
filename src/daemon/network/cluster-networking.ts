import { join } from 'node:path';
import type { TaskNetworking } from '../../agent/task-networking.js';
import { addressPlan } from '../../cluster/address-plan.js';
import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { TaskRecord } from '../../cluster/records.js';
import { SwarmError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { DnsServer, defaultDnsServerConfig, readResolvConf } from '../../dns/index.js';
import { LoadBalancer } from '../../lb/index.js';
import type { Member } from '../../membership/types.js';
import { NodeNetwork } from '../../network/node-network.js';
import type { OverlayPeer } from '../../network/overlay-peers.js';
import { TaskNetworks, type TaskAttachment } from '../../network/task-network.js';
import { isTerminal } from '../../spec/task.js';
import type { DnsLookupResult, LookupType, NetworkStatus } from '../api-network.js';
import { dnsLookup } from './dns-lookup.js';
import { dnsView, isolationView, lbView } from './network-views.js';

/** What the daemon's flags say about service networking. */
export interface ServiceNetworkOptions {
  /** `<state>/network`: the task namespaces' records and resolver files. */
  dir: string;
  loadBalancer: 'auto' | 'nftables' | 'userland';
}

export interface ClusterNetworkingOptions extends ServiceNetworkOptions {
  selfId: string;
  /**
   * Whether the replica holds the committed state. Nothing is set up before: a replica still
   * replaying its log may list this node but not yet its tasks, and the sweep would take the
   * network from containers that run.
   */
  synced: () => boolean;
  store: () => ClusterStore;
  members: () => Member[];
  logger: Logger;
}

/** How soon a pass is tried again while the replica is not yet synced. */
const unsyncedRetryMs = 500;

/** How long a task waits for the node's network to come up before it is rejected. */
const attachWaitMs = 30_000;

/** The IPv4 address in a member's first /ip4/ multiaddr: where the overlay reaches it. */
function underlayAddress(member: Member | undefined): string | undefined {
  for (const address of member?.meta.addresses ?? []) {
    const match = /^\/ip4\/([0-9.]+)\//.exec(address);
    if (match !== null) return match[1];
  }
  return undefined;
}

/**
 * Service networking on one node, kept in step with the cluster state and membership: the
 * node's bridge and overlay once the leader gave it a subnet, forwarding entries for every
 * other live node, the filter between stack networks, the DNS server on the gateway and the
 * load balancer. `refresh()` is called after every change; work is serialized and a burst
 * of refreshes is one pass. Gives the agent its task networks.
 */
export class ClusterNetworking implements TaskNetworking {
  private node: NodeNetwork | undefined;
  private dns: DnsServer | undefined;
  private lb: LoadBalancer | undefined;
  private readonly tasks: TaskNetworks;
  private readonly log: Logger;
  private running: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  /** What the DNS server and the load balancer were last given, to skip passes that change neither. */
  private dnsKey = '';
  private lbKey = '';
  private readonly readyWaiters = new Set<() => void>();

  constructor(private readonly o: ClusterNetworkingOptions) {
    this.log = o.logger.child('network');
    this.tasks = new TaskNetworks(join(o.dir, 'tasks'), this.log);
  }

  /** Brings the node's network in line with the state; one pass runs at a time, refreshes meanwhile make one more. */
  refresh(): void {
    if (this.queued || this.closed) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      this.queued = false;
      if (this.closed) return;
      try {
        await this.pass();
      } catch (err) {
        this.log.warn('service networking pass failed; the next change retries', { error: errorMessage(err) });
      }
    });
  }

  async attach(task: TaskRecord, hostname: string): Promise<TaskAttachment> {
    const node = await this.nodeNetwork();
    return this.tasks.attach({ id: task.id, address: task.address, hostname }, node.config.subnet);
  }

  detach(taskId: string): Promise<void> {
    return this.tasks.detach(taskId);
  }

  async status(): Promise<NetworkStatus> {
    return {
      subnet: this.node?.config.subnet, gateway: this.node?.gateway, peers: this.node?.peerCount ?? 0,
      dns: await this.dns?.counters(), loadBalancer: this.lb?.describe(),
    };
  }

  /** Asks this node's DNS server, as one of its containers would (but with the host's view: every name). */
  lookup(name: string, type: LookupType): Promise<DnsLookupResult> {
    if (this.node === undefined || this.dns === undefined) throw new SwarmError('UNAVAILABLE', 'this node has no DNS server yet: it has no subnet (is it in a cluster, and is the leader reachable?)');
    return dnsLookup(this.node.gateway, name, type);
  }

  /** Stops the DNS server and the load balancer; the bridge, overlay and task namespaces stay for running containers. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.running;
    await this.dns?.close();
    await this.lb?.close();
    this.dns = undefined;
    this.lb = undefined;
  }

  /** The node left the cluster: after `close()`, removes every task namespace, the bridge, the overlay and the filter. */
  async remove(): Promise<void> {
    await this.tasks.sweep(new Set());
    await this.node?.remove();
    this.node = undefined;
  }

  private async pass(): Promise<void> {
    if (!this.o.synced()) {
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.refresh(), unsyncedRetryMs);
      return;
    }
    const store = this.o.store();
    const self = store.node(this.o.selfId);
    if (self?.subnet === undefined) return;
    const members = this.o.members();
    if (this.node === undefined) await this.open(self.subnet, underlayAddress(members.find((m) => m.meta.id === this.o.selfId)) ?? '127.0.0.1');
    const live = new Map(members.filter((m) => m.status === 'alive' || m.status === 'suspect').map((m) => [m.meta.id, m]));
    const peers: OverlayPeer[] = store.nodeList().flatMap((node) => {
      const underlay = underlayAddress(live.get(node.id));
      return node.id === this.o.selfId || node.subnet === undefined || underlay === undefined ? [] : [{ subnet: node.subnet, underlay }];
    });
    await this.node!.setPeers(peers);
    await this.node!.setIsolation(isolationView(store));
    const unreachable = new Set(members.filter((m) => m.status !== 'alive').map((m) => m.meta.id));
    // Most commands (task reports on their way to running) change neither view: a new DNS
    // view would rebuild the zone and empty swarmts-dns's cache for nothing.
    const dns = dnsView(store, unreachable);
    const dnsKey = JSON.stringify(dns);
    if (dnsKey !== this.dnsKey) {
      this.dns?.setView(dns);
      this.dnsKey = dnsKey;
    }
    const lb = lbView(store, this.o.selfId, unreachable);
    const lbKey = JSON.stringify(lb);
    if (this.lb !== undefined && lbKey !== this.lbKey) {
      await this.lb.update(lb).then(
        () => (this.lbKey = lbKey),
        (err: unknown) => this.log.warn('load balancer update failed', { error: errorMessage(err) }),
      );
    }
  }

  private async open(subnet: string, underlay: string): Promise<void> {
    this.node = await NodeNetwork.open({ subnet, underlay, vipRange: addressPlan.vipRange }, this.log);
    const keep = new Set(this.o.store().taskList().filter((t) => t.nodeId === this.o.selfId && !isTerminal(t.state)).map((t) => t.id));
    await this.tasks.sweep(keep);
    const dns = new DnsServer(defaultDnsServerConfig(this.node.gateway, readResolvConf()), { services: [] }, this.log.child('dns'));
    try {
      await dns.start();
      this.dns = dns;
    } catch (err) {
      this.log.error('no DNS server for this node\'s containers', { error: errorMessage(err) });
    }
    this.lb = new LoadBalancer({ mode: this.o.loadBalancer, logger: this.log });
    for (const wake of this.readyWaiters) wake();
  }

  /** The node's network, once it is up; rejects after a while if the node never gets a subnet. */
  private async nodeNetwork(): Promise<NodeNetwork> {
    if (this.node !== undefined) return this.node;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters.delete(wake);
        reject(new SwarmError('UNAVAILABLE', `this node's network is not up after ${attachWaitMs / 1000} s: it has no subnet yet (is the leader reachable?)`));
      }, attachWaitMs);
      const wake = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(wake);
        resolve();
      };
      this.readyWaiters.add(wake);
    });
    return this.node!;
  }
}
