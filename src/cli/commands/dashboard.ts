import { Command } from 'commander';
import { runDashboard } from '../../dashboard/run-dashboard.js';
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
      await runDashboard(clientFor(globals()));
    });
}
