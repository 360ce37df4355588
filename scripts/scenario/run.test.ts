import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRunner, type RunnerOutcome } from './runner-process.js';
import { clusterCommandsAvailable } from './swarmts-cli.js';

const filesDir = mkdtempSync(join(tmpdir(), 'swarmts-scenario-files-'));
const available = await clusterCommandsAvailable();

function scenarioFile(name: string, hosts: number, steps: string[]): string {
  const path = join(filesDir, `${name}.yml`);
  writeFileSync(path, [`name: ${name}`, 'description: a runner test', `hosts: ${hosts}`, 'ci: false', 'steps:', ...steps.map((s) => `  ${s}`)].join('\n'));
  return path;
}

/** What a run left behind: namespaces, bridge, run directory, daemons. */
function leftovers(output: string): string[] {
  const prefix = /prefix (sc\d+)/.exec(output)?.[1];
  assert.ok(prefix, `the runner named no prefix:\n${output}`);
  const found: string[] = [];
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (new RegExp(`^${prefix}h\\d+`, 'm').test(netns)) found.push(`namespaces: ${netns}`);
  if (execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).includes(`${prefix}br`)) found.push('the bridge');
  if (existsSync(`/tmp/swarmts-scenario-${prefix.slice(2)}`)) found.push('the run directory');
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  if (ps.includes(`swarmts-scenario-${prefix.slice(2)}/`)) found.push('daemon processes');
  return found;
}

function assertExit(outcome: RunnerOutcome, code: number): void {
  assert.is(outcome.code, code, `runner exit ${outcome.code}, expected ${code}:\n${outcome.output}`);
}

test('daemons are killed, stopped, crashed and restarted in their namespaces, and nothing is left after', async () => {
  const file = scenarioFile('lifecycle', 2, [
    '- kill: h2', '- restart: $killed', '- stop: h1', '- restart: h1',
    '- partition: [[h1], [h2]]', '- packet-loss: {hosts: h1, percent: 10}', '- heal', '- sleep: 100ms',
    '- crash: h2', '- restart: h2',
  ]);
  const outcome = await startRunner([file], 120_000).done;
  assertExit(outcome, 0);
  assert.match(outcome.output, /ok {3}\[ 2\/10\] restart \$killed \(.*\) \(\$killed = h2\)/);
  assert.match(outcome.output, /ok {3}\[ 4\/10\] restart h1/);
  assert.match(outcome.output, /ok {3}\[10\/10\] restart h2/);
  assert.equal(leftovers(outcome.output), []);
});

test('a bad file stops the run before any host is made, and every problem is printed', async () => {
  const file = scenarioFile('bad', 2, ['- kill: h3', '- sleep: soon']);
  const outcome = await startRunner([file], 60_000).done;
  assertExit(outcome, 1);
  assert.match(outcome.output, /bad\.yml:6:11 steps\[0\]\.kill: expected a host name \(h1 to h2\), got "h3"/);
  assert.match(outcome.output, /bad\.yml:7:12 steps\[1\]\.sleep: expected a duration/);
  assert.match(outcome.output, /2 problems in scenario files: nothing ran/);
});

test('SIGTERM during a step tears everything down and exits 1', async () => {
  const file = scenarioFile('interrupted', 2, ['- sleep: 5m']);
  const runner = startRunner([file], 120_000, (line) => {
    console.log(line);
    if (line.includes('[ 0/1] hosts and daemons up')) runner.child.kill('SIGTERM');
  });
  const outcome = await runner.done;
  assertExit(outcome, 1);
  assert.match(outcome.output, /aborted: interrupted by SIGTERM/);
  assert.equal(leftovers(outcome.output), []);
});

(available ? test : test.skip)('a failed expectation prints what each observer saw, the daemon logs, and still tears down', async () => {
  const file = scenarioFile('impossible', 2, [
    '- init: h1', '- join: h2', '  via: h1',
    '- expect: {on: all-running, members: {ready: 3}}', '  within: 2s',
    '- sleep: 1s',
  ]);
  const outcome = await startRunner([file], 120_000).done;
  assertExit(outcome, 1);
  assert.match(outcome.output, /FAIL \[ 3\/4\] expect on all-running: members ready=3/);
  assert.match(outcome.output, /not met within 2\.0 s .*last seen:\n\s+h1 differs: h1 ready manager, h2 ready worker\n\s+h2 differs:/);
  assert.match(outcome.output, /daemon log of h1 \(running\)/);
  assert.not.match(outcome.output, /\[ 4\/4\]/, 'no step runs after a failure');
  assert.equal(leftovers(outcome.output), []);
});

test.after(() => rmSync(filesDir, { recursive: true, force: true }));
test.run();
