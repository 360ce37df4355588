import { Command } from 'commander';
import type { ContainerInfo, ExecEvent, LogLine } from '../../daemon/api-types.js';
import { clientFor, ExitCode, type GlobalOptions } from '../context.js';
import { humanDuration, table, truncate } from '../format.js';
import { containerRunCommand } from './container-run.js';

const collect = (value: string, previous: string[]) => previous.concat(value);

/** `swarmts container run|ls|logs|stop|kill|rm|exec|inspect|start`. */
export function containerCommand(globals: () => GlobalOptions): Command {
  const container = new Command('container').description('Manage containers on this node').enablePositionalOptions();
  container.addCommand(containerRunCommand(globals));

  container.command('ls').alias('ps')
    .description('List containers (running only, unless -a)')
    .option('-a, --all', 'include containers that have exited')
    .option('-q, --quiet', 'print only container ids')
    .option('--format <format>', "'table' (default) or 'json'", 'table')
    .action(async (opts: { all?: boolean; quiet?: boolean; format: string }) => {
      const all = await clientFor(globals()).call<ContainerInfo[]>('GET', '/v1/containers');
      const shown = all.filter((c) => opts.all || c.state === 'running').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      if (opts.format === 'json') return void process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
      if (opts.quiet) return void process.stdout.write(shown.map((c) => c.id.slice(0, 12) + '\n').join(''));
      const now = Date.now();
      const rows = shown.map((c) => [c.id.slice(0, 12), c.image, truncate(JSON.stringify(c.args.join(' ')), 24), `${humanDuration(now - Date.parse(c.createdAt))} ago`, statusText(c, now), c.name]);
      process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'], rows) + '\n');
    });

  container.command('start <container...>')
    .description('Start created or exited containers')
    .action(async (ids: string[]) => {
      for (const id of ids) {
        await clientFor(globals()).call('POST', `/v1/containers/${encodeURIComponent(id)}/start`);
        process.stdout.write(`${id}\n`);
      }
    });

  container.command('stop <container...>')
    .description('Stop containers: the stop signal, then SIGKILL after the timeout')
    .option('-t, --time <seconds>', 'seconds to wait before killing', '10')
    .action(async (ids: string[], opts: { time: string }) => {
      const seconds = Number(opts.time);
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`--time: expected a number of seconds, got "${opts.time}"`);
      for (const id of ids) {
        await clientFor(globals()).call('POST', `/v1/containers/${encodeURIComponent(id)}/stop?timeoutMs=${seconds * 1000}`);
        process.stdout.write(`${id}\n`);
      }
    });

  container.command('kill <container...>')
    .description('Send a signal to containers')
    .option('-s, --signal <signal>', 'signal to send', 'SIGKILL')
    .action(async (ids: string[], opts: { signal: string }) => {
      for (const id of ids) {
        await clientFor(globals()).call('POST', `/v1/containers/${encodeURIComponent(id)}/kill?signal=${encodeURIComponent(opts.signal)}`);
        process.stdout.write(`${id}\n`);
      }
    });

  container.command('rm <container...>').alias('remove')
    .description('Remove containers')
    .option('-f, --force', 'kill a running container first')
    .action(async (ids: string[], opts: { force?: boolean }) => {
      let failed = false;
      for (const id of ids) {
        try {
          await clientFor(globals()).call('DELETE', `/v1/containers/${encodeURIComponent(id)}${opts.force ? '?force=1' : ''}`);
          process.stdout.write(`${id}\n`);
        } catch (err) {
          process.stderr.write(`Error: ${(err as Error).message}\n`);
          failed = true;
        }
      }
      if (failed) throw new ExitCode(1);
    });

  container.command('inspect <container>')
    .description('Show everything about a container, as JSON')
    .action(async (id: string) => {
      const info = await clientFor(globals()).call<ContainerInfo>('GET', `/v1/containers/${encodeURIComponent(id)}`);
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    });

  container.command('logs <container>')
    .description("Print a container's output")
    .option('-f, --follow', 'keep printing new output until the container exits')
    .option('-n, --tail <lines>', 'only the last N lines')
    .option('-t, --timestamps', 'show the time of each line')
    .action(async (id: string, opts: { follow?: boolean; tail?: string; timestamps?: boolean }) => {
      const query = new URLSearchParams();
      if (opts.follow) query.set('follow', '1');
      if (opts.tail !== undefined) query.set('tail', opts.tail);
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
