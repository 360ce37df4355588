/** Views for the load-balancer tests: a service builder with readable defaults. */
import type { LbBackend, LbPort, LbService } from './lb-view.js';

/** A service "web" with VIP 10.201.0.5 and port 80/tcp (not published), overridable field by field. */
export function testService(overrides: Partial<LbService> = {}): LbService {
  return { id: 'web1', fullName: 'shop_web', vip: '10.201.0.5', ports: [port()], backends: [], ...overrides };
}

/** A tcp port `target`, published in ingress mode when `published` is given. */
export function port(target = 80, published?: number, overrides: Partial<LbPort> = {}): LbPort {
  return { target, published, protocol: 'tcp', mode: 'ingress', ...overrides };
}

/** Backends with IPs from `ips`; those listed in `local` are on this node. */
export function backends(ips: string[], local: string[] = ips): LbBackend[] {
  return ips.map((ip, i) => ({ taskId: `task${i}`, ip, local: local.includes(ip) }));
}
