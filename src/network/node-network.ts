import { writeFile } from 'node:fs/promises';
import { subnetGateway } from '../cluster/address-plan.js';
import { formatIpv4, parseIpv4Block } from '../core/ipv4.js';
import type { Logger } from '../core/logger.js';
import { isolationRuleset, isolationTables, type IsolationView } from './isolation-rules.js';
import { bridgeName, overlayMtu, vtepMac, vxlanId, vxlanName, vxlanPort } from './link-names.js';
import { bridgeBatch, ipBatch, linkExists, nftApply } from './net-commands.js';
import { overlayChanges, type OverlayPeer } from './overlay-peers.js';

/** This node's place in the overlay: its container subnet and its address on the hosts' network. */
export interface NodeNetworkConfig {
  subnet: string;
  underlay: string;
  /** Virtual IPs: routed to the bridge, so the node itself reaches them (the load balancer rewrites them on output). */
  vipRange: string;
}

/**
 * The node's half of the overlay, in the daemon's network namespace: the bridge its
 * containers hang off (gateway = the subnet's .1), the VXLAN device to the other nodes
 * (holding the subnet's .0), forwarding entries per peer, and the nftables filter between
 * stack networks with masquerading for traffic leaving the pool. Kept across daemon
 * restarts (containers keep running); removed by `remove()` when the node leaves.
 */
export class NodeNetwork {
  private peers: OverlayPeer[] = [];
  private isolation: string | undefined;

  private constructor(readonly config: NodeNetworkConfig, private readonly log: Logger) {}

  static async open(config: NodeNetworkConfig, log: Logger): Promise<NodeNetwork> {
    const network = new NodeNetwork(config, log);
    await network.setUp();
    return network;
  }

  get gateway(): string {
    return subnetGateway(this.config.subnet);
  }

  get peerCount(): number {
    return this.peers.length;
  }

  /** Brings the forwarding entries to exactly these peers. */
  async setPeers(peers: readonly OverlayPeer[]): Promise<void> {
    const next = peers.filter((peer) => peer.subnet !== this.config.subnet).sort((a, b) => a.subnet.localeCompare(b.subnet));
    const changes = overlayChanges(this.peers, next);
    if (changes.ip.length === 0 && changes.bridge.length === 0) return;
    await bridgeBatch(changes.bridge, 'updating the overlay\'s forwarding entries');
    await ipBatch(changes.ip, 'updating the overlay\'s routes');
    this.peers = next;
    this.log.debug('overlay peers', { peers: next.map((p) => `${p.subnet}@${p.underlay}`) });
  }

  /** Applies the filter between stack networks when it changed. */
  async setIsolation(view: IsolationView): Promise<void> {
    const script = isolationRuleset(view);
    if (script === this.isolation) return;
    await nftApply(script, 'updating the filter between stack networks');
    this.isolation = script;
  }

  /** Removes the bridge, the VXLAN device and the filter: the node left the cluster. */
  async remove(): Promise<void> {
    await ipBatch([`link del ${vxlanName}`, `link del ${bridgeName}`], 'removing the overlay').catch((err: unknown) => this.log.warn('removing the overlay links', { error: String(err) }));
    await nftApply(isolationTables.map((table) => `table ${table} {}\ndelete table ${table}\n`).join(''), 'removing the network filter');
    this.peers = [];
    this.isolation = undefined;
  }

  private async setUp(): Promise<void> {
    const { subnet, underlay } = this.config;
    const prefix = parseIpv4Block(subnet)!.prefix;
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
    const lines: string[] = [];
    if (!(await linkExists(bridgeName))) lines.push(`link add ${bridgeName} mtu ${overlayMtu} type bridge`);
    lines.push(`addr flush dev ${bridgeName}`, `addr add ${this.gateway}/${prefix} dev ${bridgeName}`, `link set ${bridgeName} up`, `route replace ${this.config.vipRange} dev ${bridgeName}`);
    // A VXLAN device keeps its local address and port for life: made anew when they may differ.
    if (await linkExists(vxlanName)) lines.push(`link del ${vxlanName}`);
    lines.push(
      `link add ${vxlanName} mtu ${overlayMtu} address ${vtepMac(subnet)} type vxlan id ${vxlanId} local ${underlay} dstport ${vxlanPort} nolearning`,
      `addr add ${formatIpv4(parseIpv4Block(subnet)!.base)}/32 dev ${vxlanName}`,
      `link set ${vxlanName} up`,
    );
    await ipBatch(lines, `setting up the node's network (bridge ${bridgeName}, VXLAN ${vxlanName})`);
    this.log.info('node network up', { subnet, gateway: this.gateway, underlay });
  }
}
