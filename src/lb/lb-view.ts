/**
 * What a node's load balancer is told to do: the services it balances and their ready
 * backends. The daemon builds one from cluster state and gossip and hands the whole view to
 * `LoadBalancer.update()` each time something changes; the balancer works out the difference.
 */

import { isIpv4 } from '../core/ipv4.js';

/** What this node balances: every service with a VIP or published ports, and its ready backends. */
export interface LbView {
  services: LbService[];
  /**
   * This node's container subnet and its bridge gateway address. Optional: with it, only
   * balanced traffic that needs it is source-NATed (hairpin on the bridge, backends on other
   * nodes, loopback clients), to the gateway, so clients from outside keep their address on
   * local backends; without it every balanced connection is masqueraded.
   */
  node?: LbNode | undefined;
}

export interface LbNode {
  /** The node's container subnet, e.g. "10.200.3.0/24". */
  subnet: string;
  /** The node bridge's address in that subnet, e.g. "10.200.3.1": other nodes route it back here. */
  gateway: string;
}

export interface LbService {
  id: string;
  fullName: string;
  /** Undefined for endpoint_mode dnsrr (no VIP balancing; published ports still are). */
  vip: string | undefined;
  ports: LbPort[];
  /** Ready (running and healthy) tasks anywhere in the cluster; `local` when on this node. */
  backends: LbBackend[];
}

export interface LbPort {
  target: number;
  published: number | undefined;
  protocol: 'tcp' | 'udp';
  mode: 'ingress' | 'host';
}

export interface LbBackend {
  taskId: string;
  ip: string;
  local: boolean;
}

function isCidr(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const [address, bits, ...rest] = text.split('/');
  return rest.length === 0 && isIpv4(address) && /^(\d|[12]\d|3[0-2])$/.test(bits ?? '');
}

const isPort = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

/**
 * Every problem in a view, each saying where, what and what was expected; empty when the
 * view is valid. Two services may not share a VIP, nor a published port and protocol.
 */
export function validateLbView(view: LbView): string[] {
  const errors: string[] = [];
  if (view.node !== undefined) {
    if (!isCidr(view.node.subnet)) errors.push(`node.subnet: expected an IPv4 CIDR such as "10.200.3.0/24", got ${JSON.stringify(view.node.subnet)}`);
    if (!isIpv4(view.node.gateway)) errors.push(`node.gateway: expected an IPv4 address, got ${JSON.stringify(view.node.gateway)}`);
  }
  const ids = new Map<string, string>();
  const vips = new Map<string, string>();
  const published = new Map<string, string>();
  view.services.forEach((service, i) => {
    const where = `services[${i}] (${service.fullName})`;
    if (typeof service.id !== 'string' || service.id === '') errors.push(`${where}.id: expected a non-empty string, got ${JSON.stringify(service.id)}`);
    else if (ids.has(service.id)) errors.push(`${where}.id: "${service.id}" is also the id of ${ids.get(service.id)}`);
    else ids.set(service.id, where);
    if (service.vip !== undefined) {
      if (!isIpv4(service.vip)) errors.push(`${where}.vip: expected an IPv4 address or undefined (dnsrr), got ${JSON.stringify(service.vip)}`);
      else if (vips.has(service.vip)) errors.push(`${where}.vip: ${service.vip} is also the VIP of ${vips.get(service.vip)}`);
      else vips.set(service.vip, where);
    }
    service.ports.forEach((port, j) => {
      const at = `${where}.ports[${j}]`;
      if (!isPort(port.target)) errors.push(`${at}.target: expected a port 1-65535, got ${JSON.stringify(port.target)}`);
      if (port.protocol !== 'tcp' && port.protocol !== 'udp') errors.push(`${at}.protocol: expected "tcp" or "udp", got ${JSON.stringify(port.protocol)}`);
      if (port.mode !== 'ingress' && port.mode !== 'host') errors.push(`${at}.mode: expected "ingress" or "host", got ${JSON.stringify(port.mode)}`);
      if (port.published === undefined) return;
      if (!isPort(port.published)) errors.push(`${at}.published: expected a port 1-65535 or undefined, got ${JSON.stringify(port.published)}`);
      const key = `${port.published}/${port.protocol}`;
      if (published.has(key)) errors.push(`${at}.published: ${key} is already published by ${published.get(key)}`);
      else published.set(key, at);
    });
    service.backends.forEach((backend, j) => {
      if (!isIpv4(backend.ip)) errors.push(`${where}.backends[${j}].ip: expected an IPv4 address, got ${JSON.stringify(backend.ip)}`);
    });
  });
  return errors;
}
