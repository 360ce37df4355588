import { blockContains, blockSize, formatIpv4, formatIpv4Block, parseIpv4, parseIpv4Block, subBlock, type Ipv4Block } from '../core/ipv4.js';

/**
 * The cluster's address plan. Every node gets a /24 of the pool for its containers (the
 * bridge's gateway is .1, tasks take .2 to .254), every service with endpoint_mode vip a
 * virtual IP from its own range, never on any interface, and published ports without a
 * number get one from Swarm's range. Allocation is pure: the replicated state machine
 * picks, so every replica picks the same.
 */
export const addressPlan = {
  pool: '10.200.0.0/16',
  nodePrefix: 24,
  vipRange: '10.201.0.0/16',
  publishedPortFirst: 30000,
  publishedPortLast: 32767,
} as const;

const pool = parseIpv4Block(addressPlan.pool)!;
const vipRange = parseIpv4Block(addressPlan.vipRange)!;
const subnetsInPool = 2 ** (addressPlan.nodePrefix - pool.prefix);

/** A free node subnet (the pool's first /24 is never used, so no address ends up as 10.200.0.x), or undefined when all are taken. */
export function freeNodeSubnet(taken: ReadonlySet<string>): string | undefined {
  for (let index = 1; index < subnetsInPool; index++) {
    const subnet = formatIpv4Block(subBlock(pool, addressPlan.nodePrefix, index));
    if (!taken.has(subnet)) return subnet;
  }
  return undefined;
}

/** A free virtual IP (the range's first and last addresses are skipped), or undefined when all are taken. */
export function freeVip(taken: ReadonlySet<string>): string | undefined {
  for (let offset = 1; offset < blockSize(vipRange) - 1; offset++) {
    const vip = formatIpv4(vipRange.base + offset);
    if (!taken.has(vip)) return vip;
  }
  return undefined;
}

/** The gateway of a node subnet: the address of the node's bridge, and its containers' resolver. */
export function subnetGateway(subnet: string): string {
  return formatIpv4(nodeBlock(subnet).base + 1);
}

/**
 * A free task address in `subnet` (.2 to .254), the first after `after` (wrapping), so an
 * address just given up is the last to be reused; undefined when the subnet is full.
 */
export function freeTaskAddress(subnet: string, taken: ReadonlySet<string>, after: string | undefined): string | undefined {
  const block = nodeBlock(subnet);
  const first = 2;
  const count = blockSize(block) - 3;
  const afterAddress = after === undefined ? undefined : parseIpv4(after);
  const start = afterAddress !== undefined && blockContains(block, afterAddress) ? afterAddress - block.base - first + 1 : 0;
  for (let i = 0; i < count; i++) {
    const address = formatIpv4(block.base + first + ((start + i) % count));
    if (!taken.has(address)) return address;
  }
  return undefined;
}

/** A free port to publish on, from 30000 to 32767, or undefined when all are taken. */
export function freePublishedPort(taken: ReadonlySet<number>): number | undefined {
  for (let port = addressPlan.publishedPortFirst; port <= addressPlan.publishedPortLast; port++) if (!taken.has(port)) return port;
  return undefined;
}

function nodeBlock(subnet: string): Ipv4Block {
  const block = parseIpv4Block(subnet);
  if (block === undefined || block.prefix !== addressPlan.nodePrefix) throw new Error(`not a node subnet: ${subnet}`);
  return block;
}
