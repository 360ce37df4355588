import { Command, Option } from 'commander';
import type { ClusterInitResponse, ClusterJoinResponse, JoinTokenResponse } from '../../daemon/api-types.js';
import { clientFor, type GlobalOptions } from '../context.js';

const collect = (value: string, previous: string[]) => previous.concat(value);

interface AddressOptions {
  listenAddr?: string;
  advertiseAddr?: string;
  label: string[];
}

function labelsFrom(flags: string[]): Record<string, string> {
  return Object.fromEntries(flags.map((flag) => {
    const eq = flag.indexOf('=');
    return eq < 0 ? [flag, ''] : [flag.slice(0, eq), flag.slice(eq + 1)];
  }));
}

function addressFields(opts: AddressOptions) {
  return {
    ...(opts.listenAddr === undefined ? {} : { listenAddress: opts.listenAddr }),
    ...(opts.advertiseAddr === undefined ? {} : { advertiseAddress: opts.advertiseAddr }),
    labels: labelsFrom(opts.label),
  };
}

function withAddressOptions(command: Command): Command {
  return command
    .option('--listen-addr <host:port>', 'address to listen on for cluster traffic', '0.0.0.0:7946')
    .option('--advertise-addr <ip[:port]>', 'address other nodes reach this one on (default: the listen address, or the only IPv4 address)')
    .option('-l, --label <key=value>', 'a node label for placement constraints (repeatable)', collect, []);
}

/** `swarmts init`, `join`, `join-token` and `leave`: how a node enters and leaves a cluster. */
export function clusterCommands(globals: () => GlobalOptions): Command[] {
  const init = withAddressOptions(new Command('init'))
    .description('Start a new cluster with this node as its first manager')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  swarmts init\n  swarmts init --advertise-addr 10.0.0.5 --label zone=a')
    .action(async (opts: AddressOptions & { format: string }) => {
      const result = await clientFor(globals()).call<ClusterInitResponse>('POST', '/v1/cluster/init', addressFields(opts));
      if (opts.format === 'json') return void process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      process.stdout.write(
        `Cluster initialized: this node (${result.nodeId}) is now a manager.\n\n` +
          `To add a worker to this cluster, run the following command on it:\n\n` +
          `    swarmts join --token ${result.workerToken} ${result.advertiseAddr}\n\n` +
          `To add a manager, run 'swarmts join-token manager' and follow the instructions.\n`,
      );
    });

  const join = withAddressOptions(new Command('join'))
    .description('Join a cluster through one of its managers')
    .argument('<host:port>', "a manager's address")
    .requiredOption('--token <token>', 'the join token (from `swarmts join-token worker|manager` on a manager)')
    .addHelpText('after', '\nExamples:\n  swarmts join --token SWMTKN-1-… 10.0.0.5:7946\n  swarmts join --token SWMTKN-1-… --advertise-addr 10.0.0.7 --label zone=b 10.0.0.5')
    .action(async (remote: string, opts: AddressOptions & { token: string }) => {
      const result = await clientFor(globals()).call<ClusterJoinResponse>('POST', '/v1/cluster/join', { ...addressFields(opts), token: opts.token, remoteAddress: remote });
      process.stdout.write(`This node joined the cluster as a ${result.role}.\n`);
    });

  const joinToken = new Command('join-token')
    .description('Print (or rotate) the token that admits workers or managers')
    .argument('<role>', 'worker or manager')
    .option('-q, --quiet', 'print only the token')
    .option('--rotate', 'replace the token; the old one stops admitting nodes (members stay)')
    .addHelpText('after', '\nExamples:\n  swarmts join-token worker\n  swarmts join-token -q --rotate manager')
    .action(async (role: string, opts: { quiet?: boolean; rotate?: boolean }) => {
      const query = opts.rotate ? '?rotate=1' : '';
      const result = await clientFor(globals()).call<JoinTokenResponse>('GET', `/v1/cluster/join-token/${encodeURIComponent(role)}${query}`);
      if (opts.quiet) return void process.stdout.write(`${result.token}\n`);
      if (opts.rotate) process.stdout.write(`Successfully rotated the ${role} join token.\n\n`);
      process.stdout.write(`To add a ${role} to this cluster, run the following command:\n\n    ${result.command}\n`);
    });

  const leave = new Command('leave')
    .description('Leave the cluster gracefully (the others see this node as left, not failed)')
    .option('-f, --force', 'leave even as a manager, or forget a cluster this node cannot rejoin')
    .addHelpText('after', '\nExamples:\n  swarmts leave\n  swarmts leave --force')
    .action(async (opts: { force?: boolean }) => {
      await clientFor(globals()).call('POST', `/v1/cluster/leave${opts.force ? '?force=1' : ''}`);
      process.stdout.write('Node left the cluster.\n');
    });

  return [init, join, joinToken, leave];
}
