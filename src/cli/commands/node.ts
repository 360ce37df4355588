import { Command } from 'commander';
import type { NodeDetail, NodeStatus, NodeSummary } from '../../daemon/api-types.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { table } from '../format.js';

const statusShown: Record<NodeStatus, string> = { ready: 'Ready', suspect: 'Suspect', down: 'Down', left: 'Left' };

/** `swarmts node ls|inspect`. */
export function nodeCommand(globals: () => GlobalOptions): Command {
  const node = new Command('node').description('Manage the nodes of the cluster');

  node.command('ls').alias('list')
    .description('List the nodes this node knows, itself included')
    .option('-q, --quiet', 'print only node ids')
    .option('--format <format>', "'table' (default) or 'json'", 'table')
    .addHelpText('after', '\nExamples:\n  swarmts node ls\n  swarmts node ls --format json | jq \'.[] | select(.status == "down")\'')
    .action(async (opts: { quiet?: boolean; format: string }) => {
      const nodes = await clientFor(globals()).call<NodeSummary[]>('GET', '/v1/nodes');
      if (opts.format === 'json') return void process.stdout.write(JSON.stringify(nodes, null, 2) + '\n');
      if (opts.quiet) return void process.stdout.write(nodes.map((n) => `${n.id}\n`).join(''));
      const rows = nodes.map((n) => [
        n.id.slice(-12) + (n.self ? ' *' : ''),
        n.hostname,
        statusShown[n.status],
        n.availability[0]!.toUpperCase() + n.availability.slice(1),
        n.role[0]!.toUpperCase() + n.role.slice(1),
        n.address,
      ]);
      process.stdout.write(table(['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'ROLE', 'ADDRESS'], rows) + '\n');
    });

  node.command('inspect <node...>')
    .description('Show nodes in detail (by id, id prefix or hostname)')
    .addHelpText('after', '\nExamples:\n  swarmts node inspect node-a\n  swarmts node inspect 12D3KooWQm')
    .action(async (references: string[]) => {
      const client = clientFor(globals());
      const details = await Promise.all(references.map((ref) => client.call<NodeDetail>('GET', `/v1/nodes/${encodeURIComponent(ref)}`)));
      process.stdout.write(JSON.stringify(details, null, 2) + '\n');
    });
  return node;
}
