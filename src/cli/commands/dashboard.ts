import { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';

/** `swarmts dashboard`: the cluster live in the terminal (Ink). */
export function dashboardCommand(globals: () => GlobalOptions): Command {
  return new Command('dashboard')
    .description('Show the cluster live: nodes, services, tasks and events, with keys to scale, drain and follow logs')
    .addHelpText('after', [
      '',
      'Keys: tab switches pane, arrows select, enter lists the tasks of a node or service (or',
      'shows a task in full), l follows a service\'s logs, s scales it, d drains a node, /',
      'filters, ? shows every key, q quits. Colours follow NO_COLOR.',
      '',
      'Examples:',
      '  swarmts dashboard',
      '  NO_COLOR=1 swarmts --state-dir /var/lib/swarmts-b dashboard',
    ].join('\n'))
    .action(async (_opts: object, command: Command) => {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        command.error('error: the dashboard needs a terminal; in scripts use `swarmts events`, `swarmts service ls --format json` or `swarmts node ls --format json`');
      }
      // Ink renders nothing until exit when CI is set (is-in-ci reads it as Ink loads); a terminal
      // was checked above, so the live view is wanted. Loaded here, so other commands skip Ink.
      delete process.env['CI'];
      delete process.env['CONTINUOUS_INTEGRATION'];
      const { runDashboard } = await import('../../dashboard/run-dashboard.js');
      await runDashboard(clientFor(globals()));
    });
}
