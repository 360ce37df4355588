import type { ServiceSpec } from '../spec/service-spec.js';
import { freePublishedPort, freeVip } from './address-plan.js';
import type { PublishedPort, ServiceEndpoint, ServiceRecord } from './records.js';

/** A service being created (no previous endpoint) or changed. */
export interface EndpointChange {
  fullName: string;
  spec: ServiceSpec;
  previous: ServiceEndpoint | undefined;
}

export type EndpointPlan = { ok: true; endpoints: ServiceEndpoint[] } | { ok: false; message: string };

const portKey = (port: number, protocol: string) => `${port}/${protocol}`;

/**
 * The endpoints of services being created or changed, in order: a virtual IP for
 * endpoint_mode vip (the one it had, else a free one), and every published port numbered
 * (the number it had for the same target and protocol, else a free one from 30000). A port
 * another service already publishes is refused, as Swarm does: the routing mesh holds it
 * on every node.
 */
export function planEndpoints(changes: readonly EndpointChange[], others: readonly ServiceRecord[]): EndpointPlan {
  const vips = new Set(others.flatMap((s) => (s.endpoint.vip === undefined ? [] : [s.endpoint.vip])));
  const owners = new Map<string, string>();
  const numbers = new Set<number>();
  const claim = (port: PublishedPort, owner: string): string | undefined => {
    const key = portKey(port.published, port.protocol);
    const holder = owners.get(key);
    if (holder !== undefined) return `port ${key} is already published by ${holder}: publish ${port.target} on another port, or remove it from ${holder}`;
    owners.set(key, owner);
    numbers.add(port.published);
    return undefined;
  };
  for (const service of others) for (const port of service.endpoint.ports) claim(port, service.fullName);
  for (const change of changes) if (change.previous?.vip !== undefined && change.spec.endpointMode === 'vip') vips.add(change.previous.vip);

  // Numbers the files give are theirs, even if a service listed earlier needs one picked.
  for (const change of changes) for (const port of change.spec.ports) if (port.published !== undefined) numbers.add(port.published);

  const endpoints: ServiceEndpoint[] = [];
  for (const change of changes) {
    const ports: PublishedPort[] = [];
    for (const port of change.spec.ports) {
      const kept = change.previous?.ports.find((p) => p.target === port.target && p.protocol === port.protocol && port.published === undefined);
      const published = port.published ?? kept?.published ?? freePublishedPort(numbers);
      if (published === undefined) return { ok: false, message: `${change.fullName}: no free port left to publish ${port.target}/${port.protocol} on (30000-32767 are all taken)` };
      const numbered = { ...port, published };
      const conflict = claim(numbered, change.fullName);
      if (conflict !== undefined) return { ok: false, message: `${change.fullName}: ${conflict}` };
      ports.push(numbered);
    }
    let vip: string | undefined;
    if (change.spec.endpointMode === 'vip') {
      vip = change.previous?.vip ?? freeVip(vips);
      if (vip === undefined) return { ok: false, message: `${change.fullName}: no virtual IP left (10.201.0.0/16 is used up); use endpoint_mode: dnsrr or remove services` };
      vips.add(vip);
    }
    endpoints.push({ vip, ports });
  }
  return { ok: true, endpoints };
}
