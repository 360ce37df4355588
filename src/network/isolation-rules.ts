/** Which addresses are on each stack network: its tasks' addresses and its services' virtual IPs. */
export interface NetworkMembers {
  name: string;
  addresses: string[];
}

export interface IsolationView {
  /** The cluster's container address pool, e.g. 10.200.0.0/16. */
  pool: string;
  /** Where virtual IPs come from, e.g. 10.201.0.0/16. */
  vipRange: string;
  networks: NetworkMembers[];
}

/** The node's own nftables tables; the load balancer keeps its own. */
export const isolationTables = ['inet swarmts', 'bridge swarmts'] as const;

const setOf = (name: string, addresses: readonly string[]) =>
  `  set ${name} {\n    type ipv4_addr\n${addresses.length > 0 ? `    elements = { ${[...addresses].sort().join(', ')} }\n` : ''}  }`;

/**
 * The filter between stack networks, for routed traffic (inet forward) and for traffic
 * between containers on the node's bridge (bridge forward): a packet from one cluster
 * address to another passes only if both are on a common network (both directions are
 * checked alike, so the bridge, which has no connection tracking here, needs no state).
 * A connection to a published port is let through whatever its client: published ports
 * are open to all, as on any host address; one to a virtual IP is not.
 * Also masquerades what containers send outside the pool. Replaces both tables in one
 * transaction.
 */
export function isolationRuleset(view: IsolationView): string {
  const all = [...new Set(view.networks.flatMap((network) => network.addresses))];
  const sets = [setOf('members', all), ...view.networks.map((network, i) => setOf(`net${i}`, network.addresses))].join('\n');
  const allow = view.networks.map((_, i) => `    ip saddr @net${i} ip daddr @net${i} accept`).join('\n');
  const filter = (family: string) => `table ${family} swarmts {
${sets}
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr @members ip daddr @members jump isolate
  }
  chain isolate {
${family === 'inet' ? `    ct state established,related accept\n    ct status dnat ct original ip daddr != ${view.vipRange} accept\n` : ''}${allow ? `${allow}\n` : ''}    drop
  }
}`;
  return [
    ...isolationTables.map((table) => `table ${table} {}\ndelete table ${table}`),
    filter('inet').replace(/\n}$/, `
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${view.pool} ip daddr != ${view.pool} masquerade
  }
}`),
    filter('bridge'),
    '',
  ].join('\n');
}
