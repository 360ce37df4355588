/** Small cluster views for the DNS tests. */
import type { DnsService, DnsTask, DnsView } from './dns-view.js';

/** A task of `fullName` with slot `slot`, at 10.200.<subnet>.<slot + 10>. */
export function task(fullName: string, slot: number, subnet: number, overrides: Partial<DnsTask> = {}): DnsTask {
  return {
    id: `${fullName.replace('_', '')}task${slot}`,
    name: `${fullName}.${slot}`,
    hostname: `${fullName.replace('_', '-')}-${slot}`,
    ip: `10.200.${subnet}.${slot + 10}`,
    ready: true,
    ...overrides,
  };
}

/** A service of `stack` named `name` on `networks` (default `<stack>_default`). */
export function service(stack: string, name: string, overrides: Partial<DnsService> = {}): DnsService {
  return {
    fullName: `${stack}_${name}`,
    stack,
    name,
    vip: undefined,
    endpointMode: 'vip',
    networks: [`${stack}_default`],
    ports: [],
    tasks: [],
    ...overrides,
  };
}

/**
 * Two stacks. shop: web (VIP 10.200.0.2, port 80/tcp, tasks .1 ready, .2 ready, .3 not ready),
 * db (dnsrr, tasks .1 and .2 ready). blog: web (VIP 10.200.0.9, one task) on its own network.
 * Task IPs: shop_web 10.200.1.x, shop_db 10.200.2.x, blog_web 10.200.3.x (x = slot + 10).
 */
export function twoStacks(): DnsView {
  return {
    services: [
      service('shop', 'web', {
        vip: '10.200.0.2',
        ports: [{ target: 80, protocol: 'tcp' }],
        tasks: [task('shop_web', 1, 1), task('shop_web', 2, 1), task('shop_web', 3, 1, { ready: false })],
      }),
      service('shop', 'db', {
        endpointMode: 'dnsrr',
        tasks: [task('shop_db', 1, 2, { hostname: 'Primary' }), task('shop_db', 2, 2)],
      }),
      service('blog', 'web', { vip: '10.200.0.9', tasks: [task('blog_web', 1, 3)] }),
    ],
  };
}
