/** Limits of the userland proxy. */
import { SwarmError } from '../core/errors.js';

export interface ProxyConfig {
  /** How long a backend connect may take before the next backend is tried, ms. Default 2000: a live backend on the cluster network answers in well under a millisecond. */
  connectTimeoutMs: number;
  /** Open TCP connections per frontend; more are refused. Default 16384, under the default file-descriptor limits twice over (client + backend socket). */
  tcpConnectionsMax: number;
  /** A UDP client's session (its own socket to the chosen backend) ends after this long without traffic, ms. Default 30000, the kernel's UDP conntrack timeout. */
  udpSessionIdleMs: number;
  /** UDP sessions per frontend; datagrams from new clients beyond it are dropped. Default 4096. */
  udpSessionsMax: number;
}

export function defaultProxyConfig(): ProxyConfig {
  return { connectTimeoutMs: 2000, tcpConnectionsMax: 16384, udpSessionIdleMs: 30_000, udpSessionsMax: 4096 };
}

/** Throws INVALID_CONFIG naming every field that is not a positive integer. */
export function validateProxyConfig(config: ProxyConfig): void {
  const bad = Object.entries(config).filter(([, value]) => !Number.isInteger(value) || value <= 0);
  if (bad.length > 0) {
    throw new SwarmError('INVALID_CONFIG', `load-balancer proxy config: ${bad.map(([k, v]) => `${k}: expected a positive integer, got ${JSON.stringify(v)}`).join('; ')}`);
  }
}
