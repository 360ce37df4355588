import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SwarmError } from '../../core/errors.js';

/** The port swarmts listens on for cluster traffic unless told otherwise (Serf's and memberlist's). */
export const defaultClusterPort = 7946;

/** A host and TCP port, as users write them: `10.0.0.5:7946`, `node-a:7946`, `10.0.0.5`. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses HOST[:PORT]; INVALID_ARGUMENT naming the flag and the expected shape. */
export function parseHostPort(text: string, what: string, defaultPort = defaultClusterPort): HostPort {
  const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text.trim());
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (match === null || port < 1 || port > 65535) {
    throw new SwarmError('INVALID_ARGUMENT', `${what}: expected HOST[:PORT] with an IPv4 address or host name and a port 1-65535, got ${JSON.stringify(text)}`);
  }
  return { host: match[1]!, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return `${host}:${port}`;
}

/** The libp2p multiaddr of a host and port (`/ip4/…/tcp/…`, or `/dns4/…` for a name). */
export function toMultiaddr({ host, port }: HostPort): string {
  return `${isIPv4(host) ? '/ip4' : '/dns4'}/${host}/tcp/${port}`;
}

/** HOST:PORT of a `/ip4|dns4/HOST/tcp/PORT[/p2p/ID]` multiaddr, or the text itself when it is not one. */
export function hostPortOf(multiaddr: string): string {
  const match = /^\/(?:ip4|dns4|ip6|dns6)\/([^/]+)\/tcp\/(\d+)/.exec(multiaddr);
  return match === null ? multiaddr : `${match[1]}:${match[2]}`;
}

/**
 * The address other nodes should dial: --advertise-addr when given, else the listen host
 * when it is a specific address, else this machine's only non-loopback IPv4 address.
 * Like Docker, refuses to guess between several.
 */
export function chooseAdvertiseAddress(listen: HostPort, advertise: string | undefined): HostPort {
  if (advertise !== undefined) return parseHostPort(advertise, '--advertise-addr', listen.port);
  if (listen.host !== '0.0.0.0') return listen;
  const candidates = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  const unique = [...new Set(candidates)];
  if (unique.length === 1) return { host: unique[0]!, port: listen.port };
  if (unique.length === 0) return { host: '127.0.0.1', port: listen.port };
  throw new SwarmError(
    'INVALID_ARGUMENT',
    `this machine has several IPv4 addresses (${unique.join(', ')}): choose the one other nodes reach it on with --advertise-addr`,
  );
}
