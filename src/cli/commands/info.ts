import { Command, Option } from 'commander';
import type { NetworkStatus } from '../../daemon/api-network.js';
import type { ClusterStatus, InfoResponse } from '../../daemon/api-types.js';
import { clientFor, type GlobalOptions } from '../context.js';

/** `swarmts info`: the daemon and its cluster membership at a glance (like `docker info`). */
export function infoCommand(globals: () => GlobalOptions): Command {
  return new Command('info')
    .description('Show this node\'s daemon and cluster status')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  swarmts info\n  swarmts info --format json | jq .cluster.role')
    .action(async (opts: { format: string }) => {
      const client = clientFor(globals());
      const [info, cluster] = await Promise.all([client.call<InfoResponse>('GET', '/v1/info'), client.call<ClusterStatus>('GET', '/v1/cluster')]);
      // Outside a cluster, or with --network none, there is no network to show.
      const network = cluster.member ? await client.call<NetworkStatus>('GET', '/v1/network').catch(() => undefined) : undefined;
      if (opts.format === 'json') return void process.stdout.write(JSON.stringify({ ...info, cluster, network }, null, 2) + '\n');
      const lines = [
        `Node: ${info.nodeName}`,
        `Version: ${info.version} (API ${info.apiVersion})`,
        `State directory: ${info.stateDir}`,
        `OCI runtime: ${info.ociRuntime}, cgroup v${info.cgroupVersion}`,
        `Containers: ${info.containers.total} (${info.containers.running} running)`,
        `Images: ${info.images}`,
        cluster.member
          ? `Cluster: ${cluster.clusterId}\n  Node ID: ${cluster.nodeId}\n  Role: ${cluster.role}\n  Advertise address: ${cluster.advertiseAddr}\n  Nodes: ${cluster.ready} ready of ${cluster.members}`
          : 'Cluster: inactive (swarmts init or swarmts join)',
        ...(network === undefined ? [] : [networkLine(network)]),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

function networkLine(network: NetworkStatus): string {
  if (network.subnet === undefined) return 'Network: waiting for a subnet from the leader';
  const dns = network.dns === undefined ? 'no DNS server (see the daemon log)' : `DNS on ${network.gateway}:53 (${network.dns.queries} queries)`;
  return `Network: subnet ${network.subnet}, ${network.peers} overlay peer${network.peers === 1 ? '' : 's'}, ${dns}, load balancer ${network.loadBalancer?.mode ?? 'not started'}`;
}
