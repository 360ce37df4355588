import { Command, CommanderError } from 'commander';
import { errorMessage, isSwarmError } from '../core/errors.js';
import { clusterCommands } from './commands/cluster.js';
import { containerCommand } from './commands/container.js';
import { eventsCommand } from './commands/events.js';
import { imageCommand } from './commands/image.js';
import { infoCommand } from './commands/info.js';
import { nodeCommand } from './commands/node.js';
import { serviceCommand } from './commands/service.js';
import { stackCommand } from './commands/stack.js';
import { ExitCode, type GlobalOptions } from './context.js';
import { swarmtsVersion } from '../core/version.js';

/**
 * The `swarmts` command. Exit codes scripts can rely on: 0 success, 1 an error (message on
 * stderr), 2 bad usage; `container run` exits with the container's own code, or 125 when
 * the container could not be run at all (as docker does).
 */
/** Commands added with addCommand do not inherit these settings: set them on every one. */
function overrideExitEverywhere(command: Command): void {
  command.exitOverride().showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) overrideExitEverywhere(sub);
}

export async function cliMain(argv: string[]): Promise<number> {
  const program = new Command('swarmts')
    .description('A peer-to-peer container orchestrator in the spirit of Docker Swarm')
    .version(swarmtsVersion, '-V, --version')
    .option('--state-dir <dir>', 'state directory of the daemon to use (env SWARMTS_STATE_DIR; default /var/lib/swarmts)')
    .option('--socket <path>', 'API socket of the daemon to use (env SWARMTS_SOCKET)')
    .addHelpText('after', '\nThe daemon: swarmts daemon --help')
    .enablePositionalOptions();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  program.addCommand(imageCommand(globals));
  program.addCommand(containerCommand(globals));
  for (const command of clusterCommands(globals)) program.addCommand(command);
  program.addCommand(nodeCommand(globals));
  program.addCommand(stackCommand(globals));
  program.addCommand(serviceCommand(globals));
  program.addCommand(eventsCommand(globals));
  program.addCommand(infoCommand(globals));
  overrideExitEverywhere(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isSwarmError(err)) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`Error: ${errorMessage(err)}\n${err instanceof Error && err.stack ? err.stack + '\n' : ''}`);
    return 1;
  }
}
