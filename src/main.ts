#!/usr/bin/env node
/**
 * The `swarmts` executable: `swarmts daemon` runs this node's daemon in this process (so a
 * kill reaches the daemon itself); every other command is the CLI, a client of the daemon.
 */
const valueOptions = new Set(['--state-dir', '--socket']);

function subcommand(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (valueOptions.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

if (subcommand(process.argv) === 'daemon') {
  const { daemonMain } = await import('./daemon/main.js');
  process.exitCode = await daemonMain(process.argv);
} else {
  const { cliMain } = await import('./cli/main.js');
  process.exitCode = await cliMain(process.argv);
}
