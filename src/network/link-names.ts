import { createHash } from 'node:crypto';
import { parseIpv4Block } from '../core/ipv4.js';

/** Names of what the network layer makes on a node, and how they derive from tasks and subnets. */

/** The bridge every container of the node hangs off; its address is the subnet's gateway. */
export const bridgeName = 'swt0';
/** The node's VXLAN device, carrying container traffic to other nodes. */
export const vxlanName = 'swt-vx';
/** VXLAN network identifier and UDP port of the overlay (4789 is IANA's). */
export const vxlanId = 4242;
export const vxlanPort = 4789;
/** VXLAN adds 50 bytes: containers use this MTU so nothing needs fragmenting on a 1500-byte underlay. */
export const overlayMtu = 1450;

/** The host side of a task's veth: interface names are at most 15 bytes, so a digest of the task id. */
export function hostVethName(taskId: string): string {
  return `swv${createHash('sha256').update(taskId).digest('hex').slice(0, 11)}`;
}

/**
 * The task's network namespace, bound under /run/netns: the whole task id, since namespaces
 * of every daemon on the machine share that directory.
 */
export function taskNetnsName(taskId: string): string {
  return `swt-${taskId}`;
}

/**
 * The MAC address of a node's VXLAN device, derived from its subnet (02:73:<first three
 * octets>), so peers need only the subnet and the node's address to reach it.
 */
export function vtepMac(subnet: string): string {
  const block = parseIpv4Block(subnet);
  if (block === undefined) throw new Error(`not a subnet: ${subnet}`);
  const octets = [block.base >>> 24, (block.base >>> 16) & 255, (block.base >>> 8) & 255];
  return ['02', '73', ...octets.map((o) => o.toString(16).padStart(2, '0'))].join(':') + ':01';
}
