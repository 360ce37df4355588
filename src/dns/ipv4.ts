/** IPv4 address helpers for DNS names. */

const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `text` is a dotted-quad IPv4 address without leading zeros ("10.0.0.5"). */
export function isIpv4(text: string): boolean {
  return ipv4Pattern.test(text);
}

const reverseNamePattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/;

/** The IPv4 address a lowercase PTR question name asks about: "5.3.200.10.in-addr.arpa" → "10.200.3.5". */
export function ipv4OfReverseName(name: string): string | undefined {
  const match = reverseNamePattern.exec(name);
  if (match === null) return undefined;
  const ip = `${match[4]}.${match[3]}.${match[2]}.${match[1]}`;
  return isIpv4(ip) ? ip : undefined;
}
