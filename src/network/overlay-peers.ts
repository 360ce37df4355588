import { formatIpv4, parseIpv4Block } from '../core/ipv4.js';
import { vtepMac, vxlanName } from './link-names.js';

/** Another node as the overlay reaches it: its container subnet, behind its address on the hosts' network. */
export interface OverlayPeer {
  subnet: string;
  underlay: string;
}

/** What moves the VXLAN forwarding state from one peer set to another: `ip -batch` and `bridge -batch` lines. */
export interface OverlayChanges {
  ip: string[];
  bridge: string[];
}

/** The peer's tunnel address: its subnet's first address, which its VXLAN device holds. */
function tunnelAddress(subnet: string): string {
  return formatIpv4(parseIpv4Block(subnet)!.base);
}

/**
 * The forwarding entries for a peer, as flannel's VXLAN backend keeps them: a route to its
 * subnet through its tunnel address, the tunnel address's MAC (derived from the subnet),
 * and where frames for that MAC go (the peer's own address). Learning is off: only what
 * membership says is reachable.
 */
export function overlayChanges(previous: readonly OverlayPeer[], next: readonly OverlayPeer[]): OverlayChanges {
  const changes: OverlayChanges = { ip: [], bridge: [] };
  const nextBySubnet = new Map(next.map((peer) => [peer.subnet, peer]));
  for (const old of previous) {
    const now = nextBySubnet.get(old.subnet);
    if (now !== undefined && now.underlay === old.underlay) continue;
    const mac = vtepMac(old.subnet);
    changes.bridge.push(`fdb del ${mac} dev ${vxlanName} dst ${old.underlay} self`);
    if (now === undefined) {
      changes.ip.push(`route del ${old.subnet} dev ${vxlanName}`, `neigh del ${tunnelAddress(old.subnet)} dev ${vxlanName}`);
    }
  }
  const previousBySubnet = new Map(previous.map((peer) => [peer.subnet, peer]));
  for (const peer of next) {
    const before = previousBySubnet.get(peer.subnet);
    if (before !== undefined && before.underlay === peer.underlay) continue;
    const mac = vtepMac(peer.subnet);
    const tunnel = tunnelAddress(peer.subnet);
    changes.bridge.push(`fdb replace ${mac} dev ${vxlanName} dst ${peer.underlay} self permanent`);
    changes.ip.push(`neigh replace ${tunnel} lladdr ${mac} dev ${vxlanName} nud permanent`, `route replace ${peer.subnet} via ${tunnel} dev ${vxlanName} onlink`);
  }
  return changes;
}
