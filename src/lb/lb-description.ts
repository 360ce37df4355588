/** What `LoadBalancer.describe()` reports: the mode and each service's frontends and backends. Pure. */
import { frontendsOf } from './lb-frontends.js';
import type { LbView } from './lb-view.js';

export type LbMode = 'nftables' | 'userland';

export interface LbDescription {
  /** Undefined until the first update has chosen a mode. */
  mode: LbMode | undefined;
  services: Array<{
    id: string;
    fullName: string;
    /** e.g. { frontend: 'vip 10.201.0.5:80/tcp', backends: ['10.200.1.5:80'] }; no backends: refused. */
    endpoints: Array<{ frontend: string; backends: string[] }>;
  }>;
}

/** The description of `view` as balanced in `mode`. */
export function describeView(mode: LbMode | undefined, view: LbView | undefined): LbDescription {
  return {
    mode,
    services: (view?.services ?? []).map((service) => ({
      id: service.id,
      fullName: service.fullName,
      endpoints: frontendsOf(service).map((f) => ({ frontend: f.key, backends: f.backends.map((ip) => `${ip}:${f.targetPort}`) })),
    })),
  };
}
