import { hostname } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { errorMessage } from '../core/errors.js';
import { Logger, defaultLoggerConfig, type LogLevel } from '../core/logger.js';
import { startDaemon } from './daemon.js';
import { defaultStateDir } from './api-socket.js';

/**
 * `swarmts daemon`: runs this node's daemon in the foreground until SIGTERM or SIGINT.
 * Containers keep running under their monitors when it stops. Resolves with the exit code.
 */
export async function daemonMain(argv: string[]): Promise<number> {
  const program = new Command('swarmts')
    .option('--state-dir <dir>', 'state directory (env SWARMTS_STATE_DIR)', process.env['SWARMTS_STATE_DIR'] ?? defaultStateDir)
    .option('--socket <path>', 'ignored by the daemon: its socket follows from --state-dir')
    .exitOverride();
  const daemon = program.command('daemon')
    .description('Run the swarmts daemon of this node in the foreground')
    .option('--name <name>', 'node name (default: the host name); also names its cgroups and devices', hostname())
    .option('--runtime <runtime>', 'OCI runtime: swarmts-runtime, crun, runc, or a path', 'swarmts-runtime')
    .addOption(new Option('--network <mode>', 'task networking: overlay (bridge, VXLAN, DNS, load balancing) or none (loopback only; env SWARMTS_NETWORK)').choices(['overlay', 'none']).default(process.env['SWARMTS_NETWORK'] ?? 'overlay'))
    .addOption(new Option('--load-balancer <mode>', 'how virtual IPs and published ports are balanced: auto (nftables when usable), nftables, or userland (a proxy in the daemon)').choices(['auto', 'nftables', 'userland']).default('auto'))
    .addOption(new Option('--log-level <level>', 'lowest level logged').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  swarmts daemon\n  setsid swarmts --state-dir /var/lib/swarmts-b daemon --name node-b --runtime crun > b.log 2>&1 &');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const opts = daemon.opts<{ name: string; runtime: string; network: 'overlay' | 'none'; loadBalancer: 'auto' | 'nftables' | 'userland'; logLevel: LogLevel; logFormat: 'text' | 'json' }>();
  const log = new Logger({ ...defaultLoggerConfig(), level: opts.logLevel, format: opts.logFormat });
  try {
    const running = await startDaemon({ stateDir: program.opts<{ stateDir: string }>().stateDir, nodeName: opts.name, ociRuntime: opts.runtime, network: opts.network, loadBalancer: opts.loadBalancer }, log);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log.info('shutting down; containers keep running under their monitors', { signal });
    await running.stop();
    return 0;
  } catch (err) {
    log.error(`the daemon could not start: ${errorMessage(err)}`);
    return 1;
  }
}
