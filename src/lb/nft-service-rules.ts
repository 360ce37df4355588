/**
 * The nftables objects one service owns in the balancer's table: a chain per balanced
 * frontend (its one DNAT rule) and its elements in the table's shared maps and sets. Keeping
 * them per service is what lets a backend change rewrite one chain and nothing else.
 */
import { frontendsOf, type LbFrontend } from './lb-frontends.js';
import type { LbService } from './lb-view.js';

/** The balancer's own table; the network's `table inet swarmts` is never touched. */
export const lbTable = 'ip swarmts_lb';

/**
 * The conntrack mark bit set on every connection the balancer DNATs, so postrouting
 * source-NATs only those (not connections other tables DNAT). OR-ed in, other bits are kept.
 */
export const balancedConnMark = 0x00100000;

/** Maps and sets shared by all services; each service adds and deletes only its own elements. */
export const sharedSets = {
  /** VIP . protocol . port : goto the frontend's chain. */
  vipPorts: 'vip_ports',
  /** protocol . published port : goto the frontend's chain (only on the node's own addresses). */
  publishedPorts: 'published_ports',
  /** Every VIP: what is still addressed to one after DNAT had no backend, and is refused. */
  vips: 'vips',
  /** protocol . published port of ingress ports with no ready backend: refused. */
  refusedPorts: 'refused_ports',
} as const;

/** One element of a shared map or set: `key` alone deletes it, `key : value` adds it. */
export interface NftElement {
  set: string;
  key: string;
  value: string | undefined;
}

/** A service's chains (name → its single rule) and shared-set elements. */
export interface ServiceNftRules {
  chains: Map<string, string>;
  elements: NftElement[];
}

/** The nftables objects of `service`. */
export function serviceNftRules(service: LbService): ServiceNftRules {
  const chains = new Map<string, string>();
  const elements: NftElement[] = [];
  if (service.vip !== undefined) elements.push({ set: sharedSets.vips, key: service.vip, value: undefined });
  for (const frontend of frontendsOf(service)) {
    const chain = chainName(frontend);
    if (frontend.backends.length > 0) {
      chains.set(chain, dnatRule(frontend));
      const set = frontend.kind === 'vip' ? sharedSets.vipPorts : sharedSets.publishedPorts;
      const key = frontend.kind === 'vip' ? `${frontend.address} . ${frontend.protocol} . ${frontend.port}` : `${frontend.protocol} . ${frontend.port}`;
      elements.push({ set, key, value: `goto ${chain}` });
    } else if (frontend.kind === 'published') {
      elements.push({ set: sharedSets.refusedPorts, key: `${frontend.protocol} . ${frontend.port}`, value: undefined });
    }
  }
  return { chains, elements };
}

/** The text that identifies an element with its value, for comparing two views. */
export function elementText(element: NftElement): string {
  return element.value === undefined ? element.key : `${element.key} : ${element.value}`;
}

/** Round-robin DNAT over the frontend's backends, marking the connection as balanced. */
function dnatRule(frontend: LbFrontend): string {
  const entries = frontend.backends.map((ip, i) => `${i} : ${ip} . ${frontend.targetPort}`).join(', ');
  const mark = `0x${balancedConnMark.toString(16).padStart(8, '0')}`;
  return `meta l4proto ${frontend.protocol} ct mark set ct mark or ${mark} `
    + `dnat ip to numgen inc mod ${frontend.backends.length} map { ${entries} }`;
}

/** The frontend's chain: named after the service and the frontend port, never the VIP, so a VIP change keeps it. */
function chainName(frontend: LbFrontend): string {
  const kind = frontend.kind === 'vip' ? 'vip' : 'pub';
  return `svc_${safeName(frontend.serviceId)}_${kind}_${frontend.protocol}_${frontend.port}`;
}

/** Swarm ids are lowercase alphanumerics; anything else gets a hash so two ids never share a chain. */
function safeName(id: string): string {
  if (/^[a-zA-Z0-9]{1,64}$/.test(id)) return id;
  return `${id.replace(/[^a-zA-Z0-9]/g, '_').slice(0, 48)}_${fnv1a32(id).toString(16)}`;
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
