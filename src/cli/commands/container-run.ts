import { Command, Option } from 'commander';
import { isSwarmError } from '../../core/errors.js';
import type { ApiClient } from '../../daemon/api-client.js';
import type { ContainerInfo, ContainerSpec, ExitStatus, LogLine } from '../../daemon/api-types.js';
import { clientFor, ExitCode, type GlobalOptions } from '../context.js';
import { exitCodes } from '../exit-codes.js';
import { runFlagsToSpec, type RunFlags } from '../run-flags.js';
import { pullWithProgress } from './image.js';

const collect = (value: string, previous: string[]) => previous.concat(value);

/** `swarmts container run`: create, start and (unless -d) follow a container to its end. */
export function containerRunCommand(globals: () => GlobalOptions): Command {
  return new Command('run')
    .description('Create and start a container; without -d, print its output and exit with its exit code')
    .helpOption('--help', 'display help for command')
    .argument('<image>', 'image reference, e.g. busybox or 127.0.0.1:5000/web:1.2')
    .argument('[command...]', 'command and arguments (default: the image\'s)')
    .passThroughOptions()
    .option('-d, --detach', 'run in the background and print the container id')
    .option('--rm', 'remove the container when it exits')
    .option('--name <name>', 'container name')
    .option('-e, --env <KEY=value>', 'set an environment variable (KEY alone takes it from this shell)', collect, [])
    .option('-l, --label <key=value>', 'set a label', collect, [])
    .option('-v, --volume <host:ctr[:ro]>', 'bind-mount a host directory', collect, [])
    .option('--tmpfs <path[:size=N]>', 'mount a tmpfs', collect, [])
    .option('-m, --memory <bytes>', 'memory limit, e.g. 64m, 1g')
    .option('--cpus <n>', 'CPU limit, e.g. 0.5')
    .option('--pids-limit <n>', 'most processes the container may have')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <uid[:gid]|name>', 'user to run as')
    .option('-h, --hostname <name>', 'container host name')
    .option('--network <mode>', 'none (private namespace with lo), host, or ns:/path', 'none')
    .option('--entrypoint <cmd>', 'replace the image\'s entrypoint')
    .option('--read-only', 'mount the root filesystem read-only')
    .option('--stop-signal <signal>', 'signal that stops the container (default: the image\'s, else SIGTERM)')
    .option('--stop-timeout <seconds>', 'seconds to wait after the stop signal before SIGKILL')
    .addOption(new Option('--pull <when>', 'pull the image').choices(['missing', 'always', 'never']).default('missing'))
    .addHelpText('after', [
      '',
      'Examples:',
      '  swarmts container run --rm busybox echo hello',
      '  swarmts container run -d --name web --network host busybox httpd -f -p 8080',
      '  swarmts container run --rm -m 64m --cpus 0.5 --pids-limit 100 busybox sh -c "echo limited"',
      '',
      'Exit code: the container\'s own, or 125 when the container could not be run at all.',
    ].join('\n'))
    .action(async (image: string, command: string[], flags: RunFlags & { detach?: boolean; rm?: boolean; pull: 'missing' | 'always' | 'never' }) => {
      const client = clientFor(globals());
      let container: ContainerInfo;
      try {
        const spec = runFlagsToSpec(image, command, flags, process.env);
        container = await createPulling(client, globals(), spec, flags.pull);
        container = await client.call<ContainerInfo>('POST', `/v1/containers/${container.id}/start`);
      } catch (err) {
        process.stderr.write(`Error: ${(err as Error).message}\n`);
        throw new ExitCode(exitCodes.containerNotRun);
      }
      if (flags.detach) {
        process.stdout.write(`${container.id}\n`);
        return;
      }
      const exit = await followToExit(client, container.id);
      if (flags.rm) await client.call('DELETE', `/v1/containers/${container.id}?force=1`);
      if (exit.oomKilled) process.stderr.write(`container ${container.name} was killed: out of memory (limit ${container.spec.resources.memoryBytes ?? '?'} bytes)\n`);
      throw new ExitCode(exit.exitCode);
    });
}

/** Creates the container; when its image is missing, pulls it (with progress) and tries again. */
async function createPulling(client: ApiClient, globals: GlobalOptions, spec: ContainerSpec, pull: 'missing' | 'always' | 'never'): Promise<ContainerInfo> {
  if (pull === 'always') await pullWithProgress(globals, spec.image, false);
  try {
    return await client.call<ContainerInfo>('POST', '/v1/containers', { spec, start: false, pull: 'never' });
  } catch (err) {
    if (!isSwarmError(err, 'IMAGE_NOT_FOUND') || pull === 'never') throw err;
    process.stderr.write(`Unable to find image '${spec.image}' locally\n`);
    await pullWithProgress(globals, spec.image, false);
    return client.call<ContainerInfo>('POST', '/v1/containers', { spec, start: false, pull: 'never' });
  }
}

/** Copies the container's output here until it exits; Ctrl-C and SIGTERM are passed on to it. */
async function followToExit(client: ApiClient, id: string): Promise<ExitStatus> {
  const forward = (signal: NodeJS.Signals) => () => void client.call('POST', `/v1/containers/${id}/kill?signal=${signal}`).catch(() => {});
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    for await (const line of client.stream<LogLine>('GET', `/v1/containers/${id}/logs?follow=1`)) {
      (line.stream === 'stderr' ? process.stderr : process.stdout).write(line.text + '\n');
    }
    return await client.call<ExitStatus>('POST', `/v1/containers/${id}/wait`);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
