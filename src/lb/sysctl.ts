/**
 * The kernel settings the balancer needs in the network namespace it runs in:
 * - net.ipv4.ip_forward=1: balanced traffic from containers is routed through the node.
 * - net.ipv4.conf.all.route_localnet=1: a published port reached on 127.0.0.1 is DNATed to
 *   a backend, and the kernel drops packets from 127/8 leaving loopback unless this is set.
 * They are left set on close: the node's network needs forwarding anyway.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { SwarmError } from '../core/errors.js';

/** sysctl path under /proc/sys → the value the balancer needs. */
export const lbSysctls: Record<string, string> = {
  'net/ipv4/ip_forward': '1',
  'net/ipv4/conf/all/route_localnet': '1',
};

/** Sets every balancer sysctl in the caller's network namespace (root only). */
export async function applyLbSysctls(): Promise<void> {
  for (const [key, value] of Object.entries(lbSysctls)) {
    const path = `/proc/sys/${key}`;
    if ((await readFile(path, 'utf8').catch(() => '')).trim() === value) continue;
    await writeFile(path, value).catch((err: unknown) => {
      throw new SwarmError('PERMISSION_DENIED', `cannot set ${key.replaceAll('/', '.')}=${value} for the load balancer: run swarmts as root in the node's network namespace`, { cause: err });
    });
  }
}
