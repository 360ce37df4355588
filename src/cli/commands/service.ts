import { Command, InvalidArgumentError, Option } from 'commander';
import { SwarmError } from '../../core/errors.js';
import type { ApiClient } from '../../daemon/api-client.js';
import type { ChangeResult, ServiceDetail, ServiceLogLine, ServiceSummary, TaskSummary, UpdateServiceRequest } from '../../daemon/api-orchestration.js';
import type { ServiceSpec } from '../../spec/service-spec.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { realConvergeOptions, watchConvergence, type ConvergeTarget } from '../converge.js';
import { forEachReference } from '../for-each-reference.js';
import { printJson, printServices, printTasks } from '../print-listing.js';
import { collect, collectKeyValue, durationMs, formatOption, imageReference, keyValue, wholeNumber } from '../options.js';
import { editServiceSpec, hasServiceEdits, type ServiceEditFlags } from '../service-edit.js';

const path = (ref: string, rest = '') => `/v1/services/${encodeURIComponent(ref)}${rest}`;
const timeoutOption = () => new Option('--timeout <duration>', 'how long to wait for the service to converge, e.g. 90s or 10m').argParser(durationMs).default(300_000, '5m');

/** `swarmts service ls|ps|inspect|scale|update|rollback|logs`. */
export function serviceCommand(globals: () => GlobalOptions): Command {
  const service = new Command('service').description('Inspect and change the services of the cluster\'s stacks')
    .addHelpText('after', '\nExamples:\n  swarmts service ls\n  swarmts service scale demo_web=3');

  service.command('ls').alias('list')
    .description('List every service')
    .option('-q, --quiet', 'print only service ids')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts service ls\n  swarmts service ls --format json | jq \'.[] | select(.running < .desired) | .name\'')
    .action(async (opts: { quiet?: boolean; format: string }) => {
      const services = await clientFor(globals()).call<ServiceSummary[]>('GET', '/v1/services');
      printServices(services, opts);
    });

  service.command('ps <service>')
    .description("List a service's tasks (by service id, id prefix or full name)")
    .option('-q, --quiet', 'print only task ids')
    .option('--no-trunc', 'do not cut long errors')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts service ps demo_web\n  swarmts service ps --no-trunc demo_web')
    .action(async (ref: string, opts: { quiet?: boolean; trunc: boolean; format: string }) => {
      const tasks = await clientFor(globals()).call<TaskSummary[]>('GET', path(ref, '/tasks'));
      printTasks(tasks, opts);
    });

  service.command('inspect <service...>')
    .description('Show services in detail, with their current and previous specs, as JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['json']).default('json'))
    .addHelpText('after', '\nExamples:\n  swarmts service inspect demo_web\n  swarmts service inspect demo_web | jq \'.[0].spec.env\'')
    .action(async (refs: string[]) => {
      const client = clientFor(globals());
      const details: ServiceDetail[] = [];
      try {
        await forEachReference(refs, async (ref) => void details.push(await client.call<ServiceDetail>('GET', path(ref))));
      } finally {
        printJson(details);
      }
    });

  service.command('scale')
    .description('Set the replica count of replicated services, then follow them until they converge')
    .argument('<service=replicas...>', 'e.g. demo_web=3', (text: string, previous: Array<[string, number]> = []) => [...previous, scaleArgument(text)])
    .option('-d, --detach', 'return at once instead of waiting for the services to converge')
    .addOption(timeoutOption())
    .addHelpText('after', '\nExamples:\n  swarmts service scale demo_web=3\n  swarmts service scale -d demo_web=5 demo_worker=0')
    .action(async (pairs: Array<[string, number]>, opts: { detach?: boolean; timeout: number }) => {
      const client = clientFor(globals());
      const scaled = new Map<string, { replicas: number }>();
      await forEachReference(pairs, async ([ref, replicas]) => {
        const { name } = await client.call<ServiceDetail>('GET', path(ref));
        await client.call<ChangeResult>('POST', path(ref, '/scale'), { replicas });
        scaled.set(name, { replicas });
        process.stdout.write(`${name} scaled to ${replicas}\n`);
      });
      if (!opts.detach) await watchConvergence(servicesTarget(client, scaled), realConvergeOptions(opts.timeout));
    });

  service.addCommand(updateCommand(globals));

  service.command('rollback <service>')
    .description('Go back to the spec the service had before its last change')
    .option('-d, --detach', 'return at once instead of waiting for the rollback to converge')
    .addOption(timeoutOption())
    .addHelpText('after', '\nExamples:\n  swarmts service rollback demo_web\n  swarmts service rollback -d demo_web')
    .action(async (ref: string, opts: { detach?: boolean; timeout: number }) => {
      const client = clientFor(globals());
      const before = await client.call<ServiceDetail>('GET', path(ref));
      if (before.previousSpec === undefined) throw new SwarmError('CONFLICT', `${before.name} has no previous spec to roll back to: it was never changed since it was created`);
      await client.call<ChangeResult>('POST', path(ref, '/rollback'));
      process.stdout.write(`${before.name}: rollback requested\n`);
      if (!opts.detach) await watchConvergence(serviceTarget(client, before.name, before.previousSpec), realConvergeOptions(opts.timeout));
    });

  service.command('logs <service>')
    .description("Print a service's output from every task and node; each line says which task and node")
    .option('-f, --follow', 'keep printing new output')
    .option('-n, --tail <lines>', 'only the last lines of each task', (text) => wholeNumber(text, '--tail'))
    .addHelpText('after', '\nExamples:\n  swarmts service logs demo_web\n  swarmts service logs -f --tail 20 demo_web')
    .action(async (ref: string, opts: { follow?: boolean; tail?: number }) => {
      const client = clientFor(globals());
      const hosts = new Map((await client.call<TaskSummary[]>('GET', path(ref, '/tasks'))).map((t) => [t.nodeId, t.node]));
      const query = new URLSearchParams({ ...(opts.follow ? { follow: '1' } : {}), ...(opts.tail === undefined ? {} : { tail: String(opts.tail) }) }).toString();
      for await (const line of client.stream<ServiceLogLine>('GET', path(ref, `/logs${query ? `?${query}` : ''}`))) {
        const prefix = `${line.task}.${line.taskId.slice(0, 12)}@${hosts.get(line.nodeId) ?? line.nodeId.slice(-12)}`;
        (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix} | ${line.line}\n`);
      }
    });
  return service;
}

function scaleArgument(text: string): [string, number] {
  const [ref, count] = keyValue(text, 'each argument');
  return [ref, wholeNumber(count, `the replica count of ${ref}`)];
}

function updateCommand(globals: () => GlobalOptions): Command {
  return new Command('update')
    .description('Change a service: its image, replica count, environment or labels; tasks are replaced by its update_config')
    .argument('<service>', 'service id, id prefix or full name')
    .option('--image <image>', 'a new image', imageReference)
    .option('--replicas <n>', 'a new replica count', (text) => wholeNumber(text, '--replicas'))
    .option('--env-add <key=value>', 'set an environment variable (repeatable)', collectKeyValue('--env-add'))
    .option('--env-rm <key>', 'remove an environment variable (repeatable)', collect)
    .option('--label-add <key=value>', 'set a service label (repeatable)', collectKeyValue('--label-add'))
    .option('--label-rm <key>', 'remove a service label (repeatable)', collect)
    .option('-d, --detach', 'return at once instead of waiting for the update to converge')
    .addOption(timeoutOption())
    .addHelpText('after', '\nExamples:\n  swarmts service update --image nginx:1.27 demo_web\n  swarmts service update --replicas 5 --env-add LOG_LEVEL=debug --label-rm owner demo_web')
    .action(async (ref: string, opts: ServiceEditFlags & { detach?: boolean; timeout: number }, command: Command) => {
      if (!hasServiceEdits(opts)) command.error('error: nothing to update: give at least one of --image, --replicas, --env-add, --env-rm, --label-add, --label-rm');
      const client = clientFor(globals());
      const current = await client.call<ServiceDetail>('GET', path(ref));
      let spec: ServiceSpec;
      try {
        spec = editServiceSpec(current.spec, opts);
      } catch (err) {
        if (err instanceof InvalidArgumentError) command.error(`error: ${err.message}`);
        throw err;
      }
      const request: UpdateServiceRequest = { spec };
      await client.call<ChangeResult>('POST', path(ref, '/update'), request);
      process.stdout.write(`${current.name} updated\n`);
      if (!opts.detach) await watchConvergence(serviceTarget(client, current.name, spec), realConvergeOptions(opts.timeout));
    });
}

function serviceTarget(client: ApiClient, name: string, spec: ServiceSpec): ConvergeTarget {
  return servicesTarget(client, new Map([[name, spec.mode === 'replicated' ? { image: spec.image, replicas: spec.replicas } : { image: spec.image }]]));
}

/** Following services by full name, each until it shows what `expected` says. */
function servicesTarget(client: ApiClient, expected: ConvergeTarget['expected']): ConvergeTarget {
  const names = [...expected.keys()];
  return {
    what: names.length === 1 ? `service ${names[0]}` : `services ${names.join(', ')}`,
    followWith: names.map((name) => `swarmts service ps ${name}`).join('; '),
    expected,
    services: () => Promise.all(names.map((name) => client.call<ServiceSummary>('GET', path(name)))),
    tasks: async () => (await Promise.all(names.map((name) => client.call<TaskSummary[]>('GET', path(name, '/tasks'))))).flat(),
  };
}
