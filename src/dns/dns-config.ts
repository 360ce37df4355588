/** How a node's DNS server listens, forwards and bounds its memory. */
import { isIP } from 'node:net';
import { SwarmError } from '../core/errors.js';
import type { DnsUpstream } from './resolv-conf.js';
import { nativeUdpFrontBuilt } from './native-front-binary.js';

export interface DnsServerConfig {
  /** Address to listen on, UDP and TCP: the node's bridge gateway (e.g. "10.200.3.1") in production. */
  address: string;
  /** Port for UDP and TCP. Default 53; 0 picks a free port (tests), read it back from `DnsServer.port`. */
  port: number;
  /** Resolvers for names outside the cluster, tried in order. Default: the nameservers of /etc/resolv.conf. */
  upstreams: DnsUpstream[];
  /** Milliseconds to wait for one upstream before trying the next. Default 2000, as glibc's resolver waits per server. */
  forwardTimeoutMs: number;
  /** Forwarded queries awaiting an upstream at once (at most 16,384); more get SERVFAIL. Default 1024: bounds timers and ids in use. */
  forwardsInFlightMax: number;
  /** Prepared answers kept between view changes; past this the cache is emptied. Default 20000, a few MB. */
  answerCacheEntriesMax: number;
  /** Open TCP connections; more are refused by the kernel backlog. Default 256. */
  tcpConnectionsMax: number;
  /** A TCP connection idle this long (milliseconds) is closed. Default 10000 (RFC 7766 suggests seconds). */
  tcpIdleTimeoutMs: number;
  /**
   * Helper processes that read the UDP socket beside the daemon, so answering is not bound to one
   * core. Default 0: a node's containers rarely ask fast enough to need more. Each costs a Node
   * process (~40 MB) and receives every view.
   */
  udpWorkers: number;
  /**
   * Who reads UDP: 'native' runs swarmts-dns (runtime-native/), which answers repeated questions
   * from its own cache and passes the rest to this server; 'node' reads the socket in Node.
   * Default 'native' when swarmts-dns is built and the address is IPv4 (it speaks only IPv4),
   * else 'node'. 'native' answers about twice the queries per second for the same CPU.
   */
  udpFrontend: 'node' | 'native';
  /** Bytes of questions and replies swarmts-dns keeps (with 'native'); past this its cache is emptied. Default 16 MiB. */
  frontCacheBytesMax: number;
  /** Bytes asked for the UDP receive buffer, so bursts wait in the kernel instead of being dropped. Default 4 MiB (capped by net.core.rmem_max). */
  udpReceiveBufferBytes: number;
}

/** Defaults for everything but where to listen and whom to forward to. */
export function defaultDnsServerConfig(address: string, upstreams: DnsUpstream[]): DnsServerConfig {
  return {
    address,
    port: 53,
    upstreams,
    forwardTimeoutMs: 2000,
    forwardsInFlightMax: 1024,
    answerCacheEntriesMax: 20_000,
    tcpConnectionsMax: 256,
    tcpIdleTimeoutMs: 10_000,
    udpReceiveBufferBytes: 4 * 1024 * 1024,
    udpWorkers: 0,
    udpFrontend: isIP(address) === 4 && nativeUdpFrontBuilt() ? 'native' : 'node',
    frontCacheBytesMax: 16 * 1024 * 1024,
  };
}

/** Throws INVALID_CONFIG listing every bad field at once. */
export function validateDnsServerConfig(config: DnsServerConfig): void {
  const problems: string[] = [];
  if (isIP(config.address) === 0) problems.push(`address: expected an IPv4 or IPv6 address, got "${config.address}"`);
  const integer = (field: keyof DnsServerConfig, min: number, max: number): void => {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${field}: expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
    }
  };
  integer('port', 0, 65535);
  integer('forwardTimeoutMs', 1, 60_000);
  integer('forwardsInFlightMax', 1, 16_384);
  integer('answerCacheEntriesMax', 1, 10_000_000);
  integer('tcpConnectionsMax', 1, 65_535);
  integer('tcpIdleTimeoutMs', 1, 3_600_000);
  integer('udpWorkers', 0, 64);
  integer('udpReceiveBufferBytes', 4096, 1 << 30);
  integer('frontCacheBytesMax', 65_536, 1 << 30);
  if (config.udpFrontend !== 'node' && config.udpFrontend !== 'native') {
    problems.push(`udpFrontend: expected "node" or "native", got ${JSON.stringify(config.udpFrontend)}`);
  } else if (config.udpFrontend === 'native') {
    if (isIP(config.address) === 6) problems.push(`udpFrontend: "native" speaks only IPv4, and address is "${config.address}"; use "node"`);
    if (config.udpWorkers > 0) problems.push(`udpWorkers: ${config.udpWorkers} helper processes need udpFrontend "node"; set udpWorkers to 0 with "native"`);
  }
  config.upstreams.forEach((u, i) => {
    if (isIP(u.address) === 0) problems.push(`upstreams[${i}].address: expected an IP address, got "${u.address}"`);
    if (!Number.isInteger(u.port) || u.port < 1 || u.port > 65535) problems.push(`upstreams[${i}].port: expected 1..65535, got ${u.port}`);
  });
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `DNS server configuration:\n  ${problems.join('\n  ')}`);
}
