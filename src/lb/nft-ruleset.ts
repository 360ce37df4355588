/**
 * The balancer's nftables ruleset as `nft -f` scripts, from views: pure text, no I/O.
 *
 * Layout of `table ip swarmts_lb`:
 * - nat prerouting (containers routed through this node) and nat output (the node itself):
 *   `daddr . proto . dport` looked up in `vip_ports`; then, only for the node's own
 *   addresses (`fib daddr type local`, so never a VIP or a container), `proto . dport` in
 *   `published_ports`. A hit jumps to the frontend's chain, which DNATs round-robin with
 *   `numgen inc mod N map { 0 : ip . port, ... }` and marks the connection as balanced.
 * - nat postrouting: source-NAT of balanced connections whose replies would otherwise not
 *   come back through this node (see `postroutingRules`).
 * - filter input/forward/output: what is still addressed to a VIP after DNAT had no backend
 *   there (or to a published ingress port without backends) is refused with a TCP reset or
 *   ICMP port unreachable, never black-holed or leaked to the default route.
 * A change to one service replaces only that service's chains and elements, in one
 * transaction (`nft -f` applies a script atomically).
 */
import { SwarmError } from '../core/errors.js';
import type { LbNode, LbView } from './lb-view.js';
import { validateLbView } from './lb-view.js';
import {
  balancedConnMark, elementText, lbTable, serviceNftRules, sharedSets, type NftElement, type ServiceNftRules,
} from './nft-service-rules.js';

/** The script that creates the balancer's table for `view` from nothing, replacing any table left over. */
export function fullRuleset(view: LbView): string {
  assertValid(view);
  const lines = [
    // Declaring then deleting makes the delete succeed whether or not a stale table exists.
    `table ${lbTable} {}`,
    `delete table ${lbTable}`,
    ...skeleton(view.node),
  ];
  for (const service of view.services) lines.push(...serviceChanges(undefined, serviceNftRules(service)).add);
  return lines.join('\n') + '\n';
}

/** The script that removes the balancer's table (and with it every rule it made). */
export function removeTableScript(): string {
  return `table ${lbTable} {}\ndelete table ${lbTable}\n`;
}

/**
 * The script that moves the table from `previous` to `next`, touching only services whose
 * rules differ; '' when nothing does. Without `previous`, or when the node settings change,
 * it is the full ruleset. All deletions come before all additions so a port or VIP moving
 * between services in one view is deleted from the old before it is added to the new.
 */
export function planChanges(previous: LbView | undefined, next: LbView): string {
  if (previous === undefined || !sameNode(previous.node, next.node)) return fullRuleset(next);
  assertValid(next);
  const before = new Map(previous.services.map((s) => [s.id, serviceNftRules(s)]));
  const after = new Map(next.services.map((s) => [s.id, serviceNftRules(s)]));
  const deleteElements: string[] = [];
  const deleteChains: string[] = [];
  const add: string[] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const changes = serviceChanges(before.get(id), after.get(id) ?? { chains: new Map(), elements: [] });
    deleteElements.push(...changes.deleteElements);
    deleteChains.push(...changes.deleteChains);
    add.push(...changes.add);
  }
  const lines = [...deleteElements, ...deleteChains, ...add];
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

interface ServiceChanges {
  deleteElements: string[];
  deleteChains: string[];
  /** Chains (created or rewritten) before the elements that jump to them. */
  add: string[];
}

function serviceChanges(before: ServiceNftRules | undefined, after: ServiceNftRules): ServiceChanges {
  const old = before ?? { chains: new Map<string, string>(), elements: [] };
  const oldElements = new Set(old.elements.map(elementId));
  const newElements = new Set(after.elements.map(elementId));
  const changes: ServiceChanges = { deleteElements: [], deleteChains: [], add: [] };
  for (const element of old.elements) {
    if (!newElements.has(elementId(element))) {
      changes.deleteElements.push(`delete element ${lbTable} ${element.set} { ${element.key} }`);
    }
  }
  for (const chain of old.chains.keys()) {
    if (!after.chains.has(chain)) changes.deleteChains.push(`delete chain ${lbTable} ${chain}`);
  }
  for (const [chain, rule] of after.chains) {
    const oldRule = old.chains.get(chain);
    if (oldRule === rule) continue;
    changes.add.push(oldRule === undefined ? `add chain ${lbTable} ${chain}` : `flush chain ${lbTable} ${chain}`);
    changes.add.push(`add rule ${lbTable} ${chain} ${rule}`);
  }
  for (const element of after.elements) {
    if (!oldElements.has(elementId(element))) {
      changes.add.push(`add element ${lbTable} ${element.set} { ${elementText(element)} }`);
    }
  }
  return changes;
}

const elementId = (element: NftElement) => `${element.set} ${elementText(element)}`;

function skeleton(node: LbNode | undefined): string[] {
  const nat = (hook: string, priority: string) => [
    `add chain ${lbTable} ${hook} { type nat hook ${hook} priority ${priority}; policy accept; }`,
    `add rule ${lbTable} ${hook} ip daddr . meta l4proto . th dport vmap @${sharedSets.vipPorts}`,
    `add rule ${lbTable} ${hook} fib daddr type local meta l4proto . th dport vmap @${sharedSets.publishedPorts}`,
  ];
  const refuse = (hook: string, match: string) => [
    `add chain ${lbTable} ${hook}_refuse { type filter hook ${hook} priority filter; policy accept; }`,
    `add rule ${lbTable} ${hook}_refuse ${match} goto refuse`,
  ];
  return [
    `add table ${lbTable}`,
    `add map ${lbTable} ${sharedSets.vipPorts} { type ipv4_addr . inet_proto . inet_service : verdict; }`,
    `add map ${lbTable} ${sharedSets.publishedPorts} { type inet_proto . inet_service : verdict; }`,
    `add set ${lbTable} ${sharedSets.vips} { type ipv4_addr; }`,
    `add set ${lbTable} ${sharedSets.refusedPorts} { type inet_proto . inet_service; }`,
    // dstnat is -100; the output hook only takes the number.
    ...nat('prerouting', 'dstnat'),
    ...nat('output', '-100'),
    // 95 runs before srcnat (100), where the network's masquerade sits: the first SNAT binding
    // wins, so a balanced connection is source-NATed here, to the gateway, and nowhere else.
    `add chain ${lbTable} postrouting { type nat hook postrouting priority 95; policy accept; }`,
    ...postroutingRules(node).map((rule) => `add rule ${lbTable} postrouting ${rule}`),
    `add chain ${lbTable} refuse`,
    `add rule ${lbTable} refuse meta l4proto tcp reject with tcp reset`,
    `add rule ${lbTable} refuse reject`,
    ...refuse('forward', `ip daddr @${sharedSets.vips}`),
    ...refuse('output', `ip daddr @${sharedSets.vips}`),
    ...refuse('input', `meta l4proto . th dport @${sharedSets.refusedPorts}`),
  ];
}

/**
 * Source-NAT of balanced connections. Loopback clients (127.0.0.1:published) are always
 * masqueraded: 127/8 may not leave the node. With the node's subnet known, the rest are
 * rewritten to the bridge gateway only where the reply would bypass this node: a backend on
 * another node (it would answer the client directly) and a client on this node's bridge (the
 * backend would answer it over the bridge, past conntrack). A client from outside to a local
 * backend keeps its address. Without the subnet, every balanced connection is masqueraded.
 */
function postroutingRules(node: LbNode | undefined): string[] {
  const mark = `0x${balancedConnMark.toString(16).padStart(8, '0')}`;
  const balanced = `ct mark & ${mark} == ${mark}`;
  if (node === undefined) return [`${balanced} masquerade`];
  return [
    `${balanced} ip saddr 127.0.0.0/8 masquerade`,
    `${balanced} ip daddr != ${node.subnet} snat ip to ${node.gateway}`,
    `${balanced} ip saddr ${node.subnet} snat ip to ${node.gateway}`,
  ];
}

function sameNode(a: LbNode | undefined, b: LbNode | undefined): boolean {
  return a?.subnet === b?.subnet && a?.gateway === b?.gateway;
}

function assertValid(view: LbView): void {
  const errors = validateLbView(view);
  if (errors.length > 0) {
    throw new SwarmError('INVALID_ARGUMENT', `invalid load-balancer view:\n  ${errors.join('\n  ')}`, { details: { errors } });
  }
}
