/** The host's upstream resolvers, from resolv.conf. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { SwarmError, errorMessage } from '../core/errors.js';

/** A resolver that names outside the cluster are forwarded to. */
export interface DnsUpstream {
  address: string;
  /** UDP and TCP port; 53 for resolvers read from resolv.conf. */
  port: number;
}

/** The standard DNS port. */
export const dnsPort = 53;

/**
 * The `nameserver` lines of a resolv.conf, in order. Loopback stubs (127.0.0.53 of
 * systemd-resolved) are kept: the server forwards from the host's network namespace, where
 * they answer, and dropping them would leave such hosts with no resolver at all.
 */
export function parseResolvConf(text: string): DnsUpstream[] {
  const upstreams: DnsUpstream[] = [];
  for (const line of text.split('\n')) {
    const words = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (words[0] !== 'nameserver' || words[1] === undefined) continue;
    const address = words[1].replace(/%.*$/, ''); // an IPv6 zone index names the host's interface
    if (isIP(address) !== 0) upstreams.push({ address, port: dnsPort });
  }
  return upstreams;
}

/** Reads `path` (default /etc/resolv.conf); IO_ERROR says which file could not be read. */
export function readResolvConf(path = '/etc/resolv.conf'): DnsUpstream[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SwarmError('IO_ERROR', `cannot read the upstream resolvers from ${path}: ${errorMessage(err)}; ` +
      'set the DNS server\'s `upstreams` explicitly', { cause: err });
  }
  return parseResolvConf(text);
}
