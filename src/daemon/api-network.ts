import type { DnsCounters } from '../dns/index.js';
import type { LbDescription } from '../lb/index.js';

/** The local API's service-networking endpoints: what they answer. */

/** Record types `GET /v1/network/lookup?type=` accepts. */
export const lookupTypes = ['A', 'SRV', 'PTR', 'AAAA', 'TXT', 'MX', 'CNAME', 'NS'] as const;
export type LookupType = (typeof lookupTypes)[number];

/** GET /v1/network/lookup?name=N&type=T: what the node's DNS server answered. */
export interface DnsLookupResult {
  server: string;
  name: string;
  type: string;
  rcode: string;
  answers: Array<{ name: string; type: string; ttl: number; data: unknown }>;
}

/** GET /v1/network: this node's part of the cluster network. */
export interface NetworkStatus {
  /** Undefined until the leader gave the node its subnet. */
  subnet: string | undefined;
  gateway: string | undefined;
  /** Other nodes the overlay reaches. */
  peers: number;
  dns: DnsCounters | undefined;
  loadBalancer: LbDescription | undefined;
}
