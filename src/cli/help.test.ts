import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './run-cli.js';

/** Every command, found by walking `--help`, explains itself with examples and exits 0. */

const noDaemon = '/nonexistent/swarmts.sock';

/** The subcommands a help text lists under "Commands:", without `help`. */
function subcommands(help: string): string[] {
  const section = help.split('\nCommands:\n')[1];
  if (section === undefined) return [];
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const match = /^ {2}([a-z][a-z-]*)(\|[a-z]+)?\b/.exec(line);
    if (match === null) {
      if (!line.startsWith('   ')) break; // the section ends at the first line that is neither an entry nor its continuation
      continue;
    }
    if (match[1] !== 'help') names.push(match[1]!);
  }
  return names;
}

test('every command and subcommand has --help with examples', async () => {
  const seen: string[] = [];
  const walk = async (path: string[]): Promise<void> => {
    const help = await runCli(noDaemon, [...path, '--help']);
    assert.is(help.code, 0, `${path.join(' ')} --help`);
    assert.match(help.stdout, /\nExamples:\n {2}(\S+=\S+ )?swarmts /, `swarmts ${path.join(' ')} --help has no examples`);
    seen.push(path.join(' '));
    for (const sub of subcommands(help.stdout)) await walk([...path, sub]);
  };
  await walk([]);
  for (const command of ['container run', 'stack deploy', 'service scale', 'node update', 'dashboard', 'events']) assert.ok(seen.includes(command), `${command} was not found: ${seen.join(', ')}`);
});

test('the top-level help documents the exit codes', async () => {
  const help = await runCli(noDaemon, ['--help']);
  assert.match(help.stdout, 'Exit codes: 0 done; 1 the daemon or cluster refused or failed it');
  assert.match(help.stdout, '3 a change was accepted but did not converge');
});

test('usage errors exit 2 and an unreachable daemon exits 1, each with a message', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['no-such-command'], 2, /unknown command 'no-such-command'/],
    [['container', 'ls', '--format', 'yaml'], 2, /Allowed choices are table, json/],
    [['container', 'stop', '-t', 'soon', 'web'], 2, /expected --time to be a whole number >= 0, got "soon"/],
    [['image', 'ls', '--format', 'xml'], 2, /Allowed choices are table, json/],
    [['info', '--format', 'yaml'], 2, /Allowed choices are text, json/],
    [['dashboard'], 2, /the dashboard needs a terminal/],
    [['node', 'ls'], 1, /^Error: cannot reach the swarmts daemon/],
    [['container', 'rm', 'a', 'b'], 1, /^Error: cannot reach[^]*\nError: cannot reach/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(noDaemon, args);
    assert.is(r.code, code, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});

test.run();
