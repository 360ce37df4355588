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
