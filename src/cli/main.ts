import { Command, CommanderError } from 'commander';
import { errorMessage, isSwarmError } from '../core/errors.js';
import { clusterCommands } from './commands/cluster.js';
import { containerCommand } from './commands/container.js';
import { dashboardCommand } from './commands/dashboard.js';
import { dnsCommand } from './commands/dns.js';
import { eventsCommand } from './commands/events.js';
import { imageCommand } from './commands/image.js';
import { infoCommand } from './commands/info.js';
import { nodeCommand } from './commands/node.js';
import { serviceCommand } from './commands/service.js';
import { stackCommand } from './commands/stack.js';
import { ExitCode, type GlobalOptions } from './context.js';
import { NotConvergedError } from './converge.js';
import { exitCodes } from './exit-codes.js';
import { swarmtsVersion } from '../core/version.js';

/** Commands added with addCommand do not inherit these settings: set them on every one. */
function overrideExitEverywhere(command: Command): void {
  command.exitOverride().showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) overrideExitEverywhere(sub);
}

/** The `swarmts` command: runs `argv` and resolves with the exit code (see exit-codes.ts). */
export async function cliMain(argv: string[]): Promise<number> {
  const program = new Command('swarmts')
    .description('A peer-to-peer container orchestrator in the spirit of Docker Swarm')
    .version(swarmtsVersion, '-V, --version')
    .option('--state-dir <dir>', 'state directory of the daemon to use (env SWARMTS_STATE_DIR; default /var/lib/swarmts)')
    .option('--socket <path>', 'API socket of the daemon to use (env SWARMTS_SOCKET)')
    .addHelpText('after', [
      '',
      'Exit codes: 0 done; 1 the daemon or cluster refused or failed it, or cannot be reached;',
      '2 bad usage; 3 a change was accepted but did not converge in time (or its update paused);',
      '`container run` and `exec` exit with the container\'s code, `run` with 125 if it never ran.',
      '',
      'Examples:',
      '  swarmts init',
      '  swarmts stack deploy -c stack.yml demo',
      '  swarmts dashboard',
      '',
      'The daemon: swarmts daemon --help',
    ].join('\n'))
    .enablePositionalOptions();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  program.addCommand(imageCommand(globals));
  program.addCommand(containerCommand(globals));
  for (const command of clusterCommands(globals)) program.addCommand(command);
  program.addCommand(nodeCommand(globals));
  program.addCommand(stackCommand(globals));
  program.addCommand(serviceCommand(globals));
  program.addCommand(eventsCommand(globals));
  program.addCommand(dnsCommand(globals));
  program.addCommand(dashboardCommand(globals));
  program.addCommand(infoCommand(globals));
  overrideExitEverywhere(program);
  try {
    await program.parseAsync(argv);
    return exitCodes.ok;
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof CommanderError) return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (isSwarmError(err)) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err instanceof NotConvergedError ? exitCodes.notConverged : exitCodes.error;
    }
    process.stderr.write(`Error: ${errorMessage(err)}\n${err instanceof Error && err.stack ? err.stack + '\n' : ''}`);
    return exitCodes.error;
  }
}
