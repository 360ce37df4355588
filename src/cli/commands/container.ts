import { Command } from 'commander';
import type { ContainerInfo, ExecEvent, LogLine } from '../../daemon/api-types.js';
import { clientFor, ExitCode, type GlobalOptions } from '../context.js';
import { forEachReference } from '../for-each-reference.js';
import { humanDuration, table, truncate } from '../format.js';
import { formatOption, wholeNumber } from '../options.js';
import { printJson } from '../print-listing.js';
import { containerRunCommand } from './container-run.js';

const collect = (value: string, previous: string[]) => previous.concat(value);

/** `swarmts container run|ls|logs|stop|kill|rm|exec|inspect|start`. */
export function containerCommand(globals: () => GlobalOptions): Command {
  const container = new Command('container').description('Manage containers on this node').enablePositionalOptions()
    .addHelpText('after', '\nExamples:\n  swarmts container run --rm busybox echo hello\n  swarmts container ls -a');
  container.addCommand(containerRunCommand(globals));

  container.command('ls').alias('ps')
    .description('List containers (running only, unless -a)')
    .option('-a, --all', 'include containers that have exited')
    .option('-q, --quiet', 'print only container ids')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts container ls -a\n  swarmts container ls --format json | jq -r \'.[] | select(.state == "running") | .name\'')
    .action(async (opts: { all?: boolean; quiet?: boolean; format: string }) => {
      const all = await clientFor(globals()).call<ContainerInfo[]>('GET', '/v1/containers');
      const shown = all.filter((c) => opts.all || c.state === 'running').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      if (opts.format === 'json') return printJson(shown);
      if (opts.quiet) return void process.stdout.write(shown.map((c) => c.id.slice(0, 12) + '\n').join(''));
      const now = Date.now();
      const rows = shown.map((c) => [c.id.slice(0, 12), c.image, truncate(JSON.stringify(c.args.join(' ')), 24), `${humanDuration(now - Date.parse(c.createdAt))} ago`, statusText(c, now), c.name]);
      process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'], rows) + '\n');
    });

  container.command('start <container...>')
    .description('Start created or exited containers')
    .addHelpText('after', '\nExamples:\n  swarmts container start web\n  swarmts container start web worker')
    .action(async (ids: string[]) => {
      const client = clientFor(globals());
      await forEachReference(ids, async (id) => {
        await client.call('POST', `/v1/containers/${encodeURIComponent(id)}/start`);
        process.stdout.write(`${id}\n`);
      });
    });

  container.command('stop <container...>')
    .description('Stop containers: the stop signal, then SIGKILL after the timeout')
    .option('-t, --time <seconds>', 'seconds to wait before killing', (text) => wholeNumber(text, '--time'), 10)
    .addHelpText('after', '\nExamples:\n  swarmts container stop web\n  swarmts container stop -t 1 web worker')
    .action(async (ids: string[], opts: { time: number }) => {
      const client = clientFor(globals());
      await forEachReference(ids, async (id) => {
        await client.call('POST', `/v1/containers/${encodeURIComponent(id)}/stop?timeoutMs=${opts.time * 1000}`);
        process.stdout.write(`${id}\n`);
      });
    });

  container.command('kill <container...>')
    .description('Send a signal to containers')
    .option('-s, --signal <signal>', 'signal to send', 'SIGKILL')
    .addHelpText('after', '\nExamples:\n  swarmts container kill web\n  swarmts container kill -s SIGHUP web')
    .action(async (ids: string[], opts: { signal: string }) => {
      const client = clientFor(globals());
      await forEachReference(ids, async (id) => {
        await client.call('POST', `/v1/containers/${encodeURIComponent(id)}/kill?signal=${encodeURIComponent(opts.signal)}`);
        process.stdout.write(`${id}\n`);
      });
    });

  container.command('rm <container...>').alias('remove')
    .description('Remove containers')
    .option('-f, --force', 'kill a running container first')
    .addHelpText('after', '\nExamples:\n  swarmts container rm web\n  swarmts container rm -f $(swarmts container ls -a -q)')
    .action(async (ids: string[], opts: { force?: boolean }) => {
      const client = clientFor(globals());
      await forEachReference(ids, async (id) => {
        await client.call('DELETE', `/v1/containers/${encodeURIComponent(id)}${opts.force ? '?force=1' : ''}`);
        process.stdout.write(`${id}\n`);
      });
    });

  container.command('inspect <container>')
    .description('Show everything about a container, as JSON')
    .addHelpText('after', '\nExamples:\n  swarmts container inspect web\n  swarmts container inspect web | jq .pid')
    .action(async (id: string) => {
      const info = await clientFor(globals()).call<ContainerInfo>('GET', `/v1/containers/${encodeURIComponent(id)}`);
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    });

  container.command('logs <container>')
    .description("Print a container's output")
    .option('-f, --follow', 'keep printing new output until the container exits')
    .option('-n, --tail <lines>', 'only the last N lines', (text) => wholeNumber(text, '--tail'))
    .option('-t, --timestamps', 'show the time of each line')
    .addHelpText('after', '\nExamples:\n  swarmts container logs web\n  swarmts container logs -f -n 20 -t web')
    .action(async (id: string, opts: { follow?: boolean; tail?: number; timestamps?: boolean }) => {
      const query = new URLSearchParams();
      if (opts.follow) query.set('follow', '1');
      if (opts.tail !== undefined) query.set('tail', String(opts.tail));
      for await (const line of clientFor(globals()).stream<LogLine>('GET', `/v1/containers/${encodeURIComponent(id)}/logs?${query}`)) {
        (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${opts.timestamps ? line.time + ' ' : ''}${line.text}\n`);
      }
    });

  container.command('exec <container> <command...>')
    .description('Run a command in a running container; exits with its exit code')
    .passThroughOptions()
    .option('-e, --env <KEY=value>', 'set an environment variable', collect, [])
    .option('-u, --user <uid[:gid]>', 'user to run as')
    .option('-w, --workdir <dir>', 'working directory')
    .addHelpText('after', '\nExamples:\n  swarmts container exec web cat /etc/hostname\n  swarmts container exec -e DEBUG=1 web sh -c "env | grep DEBUG"')
    .action(async (id: string, command: string[], opts: { env: string[]; user?: string; workdir?: string }) => {
      const body = { args: command, env: opts.env, ...(opts.user ? { user: opts.user } : {}), ...(opts.workdir ? { workingDir: opts.workdir } : {}) };
      let exitCode = 1;
      for await (const event of clientFor(globals()).stream<ExecEvent>('POST', `/v1/containers/${encodeURIComponent(id)}/exec`, body)) {
        if (event.type === 'output') (event.stream === 'stderr' ? process.stderr : process.stdout).write(Buffer.from(event.data, 'base64'));
        else exitCode = event.exitCode;
      }
      throw new ExitCode(exitCode);
    });
  return container;
}

function statusText(c: ContainerInfo, now: number): string {
  if (c.state === 'running') return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.createdAt))}`;
  if (c.state === 'created') return 'Created';
  const exit = c.exit;
  const ago = exit ? ` ${humanDuration(now - Date.parse(exit.finishedAt))} ago` : '';
  return `Exited (${exit?.exitCode ?? '?'})${ago}${exit?.oomKilled ? ' (OOM killed)' : ''}`;
}
