/**
 * Service discovery: the DNS server every node runs on its bridge gateway address. It answers
 * the cluster's service and task names from a `DnsView` (given by the daemon with `setView`
 * whenever services or tasks change) and forwards every other name to the host's resolvers.
 */
export type { DnsView, DnsService, DnsTask } from './dns-view.js';
export { buildDnsZone } from './dns-zone.js';
export type { DnsZone } from './dns-zone.js';
export { answer, clusterRecordTtlS } from './zone-answer.js';
export type { DnsQuestion, DnsRecord, DnsZoneAnswer } from './zone-answer.js';
export { DnsServer } from './dns-server.js';
export type { DnsCounters } from './dns-responder.js';
export { defaultDnsServerConfig, validateDnsServerConfig } from './dns-config.js';
export type { DnsServerConfig } from './dns-config.js';
export { parseResolvConf, readResolvConf } from './resolv-conf.js';
export type { DnsUpstream } from './resolv-conf.js';
