import { isIpv4 } from '../core/ipv4.js';

/** IPv4 address helpers for DNS names. */

const reverseNamePattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/;

/** The IPv4 address a lowercase PTR question name asks about: "5.3.200.10.in-addr.arpa" → "10.200.3.5". */
export function ipv4OfReverseName(name: string): string | undefined {
  const match = reverseNamePattern.exec(name);
  if (match === null) return undefined;
  const ip = `${match[4]}.${match[3]}.${match[2]}.${match[1]}`;
  return isIpv4(ip) ? ip : undefined;
}
