import { Command, Option } from 'commander';
import { isSwarmError } from '../../core/errors.js';
import type { ApiClient } from '../../daemon/api-client.js';
import type { ChangeResult, DeployStackRequest, ServiceSummary, StackSummary, TaskSummary } from '../../daemon/api-orchestration.js';
import { serviceFullName } from '../../spec/names.js';
import type { ServiceSpec } from '../../spec/service-spec.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { realConvergeOptions, watchConvergence, type ConvergeTarget } from '../converge.js';
import { forEachReference } from '../for-each-reference.js';
import { stackTable } from '../orchestration-tables.js';
import { printJson, printServices, printTasks } from '../print-listing.js';
import { collect, durationMs, formatOption } from '../options.js';
import { loadStack } from '../stack-loader.js';

const path = (name: string, rest = '') => `/v1/stacks/${encodeURIComponent(name)}${rest}`;

/** `swarmts stack deploy|ls|ps|services|rm`. */
export function stackCommand(globals: () => GlobalOptions): Command {
  const stack = new Command('stack').description('Deploy and manage stacks (compose v3 files) on the cluster')
    .addHelpText('after', '\nExamples:\n  swarmts stack deploy -c stack.yml demo\n  swarmts stack ps demo');
  stack.addCommand(deployCommand(globals));

  stack.command('ls').alias('list')
    .description('List the stacks')
    .option('-q, --quiet', 'print only stack names (a stack\'s name is its id)')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts stack ls\n  swarmts stack ls --format json\n  for s in $(swarmts stack ls -q); do swarmts stack ps $s; done')
    .action(async (opts: { quiet?: boolean; format: string }) => {
      const stacks = await clientFor(globals()).call<StackSummary[]>('GET', '/v1/stacks');
      if (opts.format === 'json') return void printJson(stacks);
      if (opts.quiet) return void process.stdout.write(stacks.map((s) => `${s.name}\n`).join(''));
      process.stdout.write(stackTable(stacks) + '\n');
    });

  stack.command('services <stack>')
    .description("List a stack's services")
    .option('-q, --quiet', 'print only service ids')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts stack services demo\n  swarmts stack services -q demo')
    .action(async (name: string, opts: { quiet?: boolean; format: string }) => {
      const services = await clientFor(globals()).call<ServiceSummary[]>('GET', path(name, '/services'));
      printServices(services, opts);
    });

  stack.command('ps <stack>')
    .description("List a stack's tasks")
    .option('-q, --quiet', 'print only task ids')
    .option('--no-trunc', 'do not cut long errors')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts stack ps demo\n  swarmts stack ps --no-trunc demo')
    .action(async (name: string, opts: { quiet?: boolean; trunc: boolean; format: string }) => {
      const tasks = await clientFor(globals()).call<TaskSummary[]>('GET', path(name, '/tasks'));
      printTasks(tasks, opts);
    });

  stack.command('rm <stack...>').alias('remove')
    .description('Remove stacks and all their services')
    .addHelpText('after', '\nExamples:\n  swarmts stack rm demo\n  swarmts stack rm demo monitoring')
    .action(async (names: string[]) => {
      const client = clientFor(globals());
      await forEachReference(names, async (name) => {
        const result = await client.call<ChangeResult>('DELETE', path(name));
        for (const service of result.removed) process.stdout.write(`Removing service ${service}\n`);
      });
    });
  return stack;
}

function deployCommand(globals: () => GlobalOptions): Command {
  return new Command('deploy')
    .description('Deploy a new stack or update an existing one from compose files')
    .argument('<stack>', 'the stack name; services are named <stack>_<service>')
    .requiredOption('-c, --compose-file <file>', 'a compose v3 file (repeatable: later files override earlier ones)', collect)
    .option('--prune', "remove the stack's services that are no longer in the files")
    .option('-d, --detach', 'return once the cluster accepted the stack, without waiting for it to converge')
    .addOption(new Option('--timeout <duration>', 'how long to wait for the services to converge, e.g. 90s or 10m').argParser(durationMs).default(300_000, '5m'))
    .addHelpText('after', [
      '',
      'Variables in the files come from the environment, then from a .env file beside the',
      'first file; relative paths resolve against the first file\'s folder.',
      '',
      'Examples:',
      '  swarmts stack deploy -c stack.yml demo',
      '  swarmts stack deploy -c stack.yml -c stack.prod.yml --prune demo',
      '  TAG=1.2 swarmts stack deploy -c stack.yml --detach demo',
    ].join('\n'))
    .action(async (name: string, opts: { composeFile: string[]; prune?: boolean; detach?: boolean; timeout: number }) => {
      const { services, networks, warnings } = loadStack(opts.composeFile, name);
      for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
      const client = clientFor(globals());
      const request: DeployStackRequest = { services, networks, prune: opts.prune === true };
      const result = await client.call<ChangeResult>('POST', path(name, '/deploy'), request);
      printChanges(result);
      if (!opts.detach) await watchConvergence(stackTarget(client, name, services), realConvergeOptions(opts.timeout));
    });
}

function printChanges(result: ChangeResult): void {
  const lines = [
    ...result.removed.map((s) => `Removing service ${s}`),
    ...result.created.map((s) => `Creating service ${s}`),
    ...result.updated.map((s) => `Updating service ${s}`),
    ...result.unchanged.map((s) => `Service ${s} is unchanged`),
  ];
  process.stdout.write(lines.map((l) => l + '\n').join(''));
}

function stackTarget(client: ApiClient, name: string, services: ServiceSpec[]): ConvergeTarget {
  return {
    what: `stack ${name}`,
    followWith: `swarmts stack ps ${name}`,
    expected: new Map(services.map((s) => [serviceFullName(name, s.name), s.mode === 'replicated' ? { image: s.image, replicas: s.replicas } : { image: s.image }])),
    // This node's copy of the state may not hold a new stack yet: until it does, nothing runs.
    services: () => orNothing(client.call<ServiceSummary[]>('GET', path(name, '/services'))),
    tasks: () => orNothing(client.call<TaskSummary[]>('GET', path(name, '/tasks'))),
  };
}

async function orNothing<T>(answer: Promise<T[]>): Promise<T[]> {
  try {
    return await answer;
  } catch (err) {
    if (isSwarmError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}
