/**
 * The frontends of a service: each address and port the balancer answers on, with the
 * backend addresses it spreads that traffic over. Both the nftables rules and the userland
 * proxy are built from these, so the two modes balance exactly the same things.
 */
import { parseIpv4 } from '../core/ipv4.js';
import type { LbService } from './lb-view.js';

/** One address:port a service answers on, and where its connections go. */
export interface LbFrontend {
  /** Stable identity across views: "vip 10.201.0.5:80/tcp" or "published *:8080/tcp". */
  key: string;
  serviceId: string;
  kind: 'vip' | 'published';
  /** The VIP; undefined for published ports, which answer on every address of the node. */
  address: string | undefined;
  port: number;
  protocol: 'tcp' | 'udp';
  /** The port on the backends. */
  targetPort: number;
  /** Backend IPs in round-robin order (sorted, so a reordered view changes nothing). Empty: refuse. */
  backends: string[];
}

/**
 * The frontends of `service`: one per VIP port (unless dnsrr), one per published port.
 * A host-mode published port has only the local backends, and no frontend without one:
 * the node then does not answer that port at all, as in Docker.
 */
export function frontendsOf(service: LbService): LbFrontend[] {
  const all = sortedUnique(service.backends.map((b) => b.ip));
  const local = sortedUnique(service.backends.filter((b) => b.local).map((b) => b.ip));
  const frontends: LbFrontend[] = [];
  const base = { serviceId: service.id };
  const vipPorts = new Set<string>();
  for (const port of service.ports) {
    const vipKey = `vip ${service.vip}:${port.target}/${port.protocol}`;
    if (service.vip !== undefined && !vipPorts.has(vipKey)) {
      vipPorts.add(vipKey);
      frontends.push({
        ...base, key: vipKey, kind: 'vip', address: service.vip, port: port.target,
        protocol: port.protocol, targetPort: port.target, backends: all,
      });
    }
    if (port.published === undefined) continue;
    const backends = port.mode === 'host' ? local : all;
    if (port.mode === 'host' && backends.length === 0) continue;
    frontends.push({
      ...base, key: `published *:${port.published}/${port.protocol}`, kind: 'published', address: undefined,
      port: port.published, protocol: port.protocol, targetPort: port.target, backends,
    });
  }
  return frontends;
}

function sortedUnique(ips: string[]): string[] {
  return [...new Set(ips)].sort((a, b) => parseIpv4(a)! - parseIpv4(b)!);
}
