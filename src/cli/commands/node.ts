import { Command, Option } from 'commander';
import type { NodeDetail, NodeStatus, NodeSummary } from '../../daemon/api-types.js';
import type { ChangeResult, NodeUpdateRequest } from '../../daemon/api-orchestration.js';
import type { NodeAvailability } from '../../spec/node-info.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { table } from '../format.js';
import { forEachReference } from '../for-each-reference.js';
import { collect, collectKeyValue, formatOption, keyValue } from '../options.js';
import { printJson } from '../print-listing.js';

const statusShown: Record<NodeStatus, string> = { ready: 'Ready', suspect: 'Suspect', down: 'Down', left: 'Left' };

const nodePath = (ref: string, rest = '') => `/v1/nodes/${encodeURIComponent(ref)}${rest}`;

/** `swarmts node ls|inspect|update|promote|demote|rm`. */
export function nodeCommand(globals: () => GlobalOptions): Command {
  const node = new Command('node').description('Manage the nodes of the cluster')
    .addHelpText('after', '\nExamples:\n  swarmts node ls\n  swarmts node update --availability drain node-b');

  node.command('ls').alias('list')
    .description('List the nodes this node knows, itself included')
    .option('-q, --quiet', 'print only node ids')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts node ls\n  swarmts node ls --format json | jq \'.[] | select(.status == "down")\'')
    .action(async (opts: { quiet?: boolean; format: string }) => {
      const nodes = await clientFor(globals()).call<NodeSummary[]>('GET', '/v1/nodes');
      if (opts.format === 'json') return printJson(nodes);
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

  node.command('update <node>')
    .description("Change a node's availability or labels (by id, id prefix or hostname)")
    .addOption(new Option('--availability <state>', 'active takes tasks; pause takes no new ones; drain moves its tasks away').choices(['active', 'pause', 'drain']))
    .option('--label-add <key=value>', 'add or change a node label, for placement constraints (repeatable)', collectKeyValue('--label-add'))
    .option('--label-rm <key>', 'remove a node label (repeatable)', collect)
    .addHelpText('after', '\nExamples:\n  swarmts node update --availability drain node-b\n  swarmts node update --label-add zone=east --label-rm rack node-b')
    .action(async (ref: string, opts: { availability?: NodeAvailability; labelAdd?: string[]; labelRm?: string[] }, command: Command) => {
      const request: NodeUpdateRequest = {
        ...(opts.availability ? { availability: opts.availability } : {}),
        ...(opts.labelAdd ? { labelsAdd: Object.fromEntries(opts.labelAdd.map((l) => keyValue(l, '--label-add'))) } : {}),
        ...(opts.labelRm ? { labelsRemove: opts.labelRm } : {}),
      };
      if (Object.keys(request).length === 0) command.error('error: nothing to update: give --availability, --label-add or --label-rm');
      await clientFor(globals()).call<ChangeResult>('POST', nodePath(ref, '/update'), request);
      process.stdout.write(`${ref}\n`);
    });

  node.command('promote <node...>')
    .description('Make workers managers')
    .addHelpText('after', '\nExamples:\n  swarmts node promote node-b\n  swarmts node promote node-b node-c')
    .action(async (refs: string[]) => {
      const client = clientFor(globals());
      await forEachReference(refs, async (ref) => {
        const result = await client.call<ChangeResult>('POST', nodePath(ref, '/promote'));
        process.stdout.write(result.unchanged.length > 0 ? `Node ${ref} is already a manager.\n` : `Node ${ref} promoted to a manager in the cluster.\n`);
      });
    });

  node.command('demote <node...>')
    .description('Make managers workers')
    .addHelpText('after', '\nExamples:\n  swarmts node demote node-b')
    .action(async (refs: string[]) => {
      const client = clientFor(globals());
      await forEachReference(refs, async (ref) => {
        const result = await client.call<ChangeResult>('POST', nodePath(ref, '/demote'));
        process.stdout.write(result.unchanged.length > 0 ? `Node ${ref} is already a worker.\n` : `Manager ${ref} demoted in the cluster.\n`);
      });
    });

  node.command('rm <node...>').alias('remove')
    .description('Remove nodes from the cluster; a node that is not down needs --force')
    .option('-f, --force', 'remove a node even if it does not look down yet')
    .addHelpText('after', '\nExamples:\n  swarmts node rm node-c\n  swarmts node rm --force node-c')
    .action(async (refs: string[], opts: { force?: boolean }) => {
      const client = clientFor(globals());
      await forEachReference(refs, async (ref) => {
        await client.call<ChangeResult>('DELETE', nodePath(ref, opts.force ? '?force=1' : ''));
        process.stdout.write(`${ref}\n`);
      });
    });
  return node;
}
