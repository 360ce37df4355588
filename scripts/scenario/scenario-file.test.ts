import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDurationMs } from './duration.js';
import { repoRoot } from './repo-root.js';
import { loadScenarioFile, parseScenario } from './scenario-file.js';

const scenarioDir = join(repoRoot, 'scenarios');

function problemsOf(text: string): string[] {
  const result = parseScenario(text, 'bad.yml');
  if (result.ok) assert.unreachable(`expected problems, the file loaded`);
  return result.ok ? [] : result.problems;
}

function assertProblems(actual: string[], expected: string[]): void {
  for (const want of expected) {
    assert.ok(actual.some((p) => p.startsWith(want)), `no problem starting with\n  ${want}\namong\n  ${actual.join('\n  ')}`);
  }
  assert.is(actual.length, expected.length, `expected ${expected.length} problems, got:\n  ${actual.join('\n  ')}`);
}

test('every scenario file in scenarios/ loads', async () => {
  const files = readdirSync(scenarioDir).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 10, `expected the five membership and five orchestration scenarios, found ${files.join(', ')}`);
  for (const file of files) {
    const result = await loadScenarioFile(join(scenarioDir, file));
    assert.ok(result.ok, `${file}:\n${result.ok ? '' : result.problems.join('\n')}`);
    if (result.ok) assert.is(`${result.scenario.name}.yml`, file, 'a scenario is named after its file');
  }
});

test('a good file loads into typed steps with defaults filled in', () => {
  const result = parseScenario([
    'name: small',
    'description: two hosts',
    'hosts: 2',
    'ci: false',
    'steps:',
    '  - init: h1',
    '  - join: h2',
    '    via: h1',
    '  - partition: [[h1], [h2]]',
    '  - heal',
    '  - expect: {on: all-running, node: h2, status: down}',
    '    within: 1.5s',
    '    for: 500ms',
  ].join('\n'), 'small.yml');
  assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  if (!result.ok) return;
  assert.is(result.scenario.timeoutMs, 300_000);
  assert.equal(result.scenario.steps.map((s) => s.kind), ['init', 'join', 'partition', 'heal', 'expect']);
  assert.equal(result.scenario.steps[1], { where: 'small.yml:7:5', kind: 'join', hosts: ['h2'], via: 'h1', role: 'worker', labels: {}, withinMs: 60_000 });
  assert.equal(result.scenario.steps[4], { where: 'small.yml:11:5', kind: 'expect', on: 'all-running', check: { kind: 'node', host: 'h2', status: 'down' }, withinMs: 1500, holdMs: 500 });
});

test('a bad file reports every problem at once, each with file:line:col, path, found and allowed', () => {
  const problems = problemsOf([
    'name: Bad Name',           // 1
    'hosts: 3',                 // 2
    'ci: yes please',           // 3
    'timout: 30s',              // 4
    'steps:',                   // 5
    '  - init: h1',             // 6
    '    role: manager',        // 7
    '  - join: [h2, h9]',       // 8
    '    via: h1',              // 9
    '    as: boss',             // 10
    '  - joni: h3',             // 11
    '  - expect: {on: all-running, members: {ready: five}, within: 30s}', // 12
    '  - partition: [[h1, h2], [h2]]', // 13
    '  - packet-loss: {hosts: h1, percent: 150}', // 14
    '  - sleep: soon',          // 15
    '  - join-expect-failure: h3', // 16
    '    via: h1',              // 17
    '    token: stolen',        // 18
  ].join('\n'));
  assertProblems(problems, [
    'bad.yml:1:7 name: expected lowercase letters, digits and dashes, got "Bad Name"',
    'bad.yml:3:5 ci: expected true or false, got "yes please"',
    'bad.yml:4:1 timout: unknown key; allowed: name, description, hosts, ci, timeout, steps (did you mean "timeout"?)',
    'bad.yml:1:1 description: missing',
    'bad.yml:7:5 steps[0].role: unknown key; allowed: labels, within',
    'bad.yml:8:16 steps[1].join[1]: expected a host name (h1 to h3), got "h9"',
    'bad.yml:10:9 steps[1].as: expected one of worker, manager, got "boss"',
    'bad.yml:11:5 steps[2]: expected exactly one of init, join,',
    'bad.yml:11:5 steps[2].joni: unknown key; allowed: init, join,',
    'bad.yml:12:55 steps[3].expect.within: unknown key; allowed: on, node, status, role, availability, members, service, running, spread, not-on, leader, unchanged ("within" goes beside expect, not inside it)',
    'bad.yml:12:5 steps[3].within: missing; every expect needs a deadline',
    'bad.yml:12:48 steps[3].expect.members.ready: expected an integer from 0 to 20, got "five"',
    'bad.yml:13:27 steps[4].partition[1]: h2 is already in group 0',
    'bad.yml:14:39 steps[5].packet-loss.percent: expected an integer from 0 to 100, got 150',
    'bad.yml:15:12 steps[6].sleep: expected a duration such as 500ms, 30s or 2m, got "soon"',
    'bad.yml:18:12 steps[7].token: expected one of wrong-key, wrong-secret, rotated, got "stolen"',
  ]);
});

test('YAML syntax errors are reported with their position', () => {
  const problems = problemsOf('name: x\nname: y\nsteps: [\n');
  assert.ok(problems.length >= 1);
  assert.match(problems[0]!, /^bad\.yml:2:1 Map keys must be unique/);
});

test('steps out of order are refused before anything runs', () => {
  const problems = problemsOf([
    'name: order',
    'description: steps that cannot follow each other',
    'hosts: 3',
    'ci: false',
    'steps:',
    '  - join: h2',              // 6: nobody is in the cluster yet
    '    via: h1',
    '  - init: h1',              // 8
    '  - restart: h2',           // 9: h2 is running
    '  - kill: h3',              // 10
    '  - expect: {on: [h1, h3], members: {ready: 1}}', // 11: h3 is stopped
    '    within: 5s',
    '  - init: h2',              // 13: second cluster
  ].join('\n'));
  assertProblems(problems, [
    'bad.yml:6:5 steps[0]: via h1 must be in the cluster, but h1 is outside the cluster (since the start)',
    'bad.yml:9:5 steps[2]: host h2 must be stopped (kill or stop it first), but h2 is in the cluster (since join at bad.yml:6:5)',
    'bad.yml:11:5 steps[4]: observer h3 must be running, but h3 is stopped (since kill at bad.yml:10:5)',
    'bad.yml:13:5 steps[5]: a cluster was already initialized at bad.yml:8:5',
    'bad.yml:13:5 steps[5]: host h2 must be outside the cluster',
  ]);
});

test('durations: units ms, s and m; anything else is refused', () => {
  for (const [text, ms] of [['500ms', 500], ['30s', 30_000], ['1.5s', 1500], ['2m', 120_000], ['0s', 0], ['30', undefined], ['s', undefined], ['-1s', undefined], ['1h', undefined]] as const) {
    assert.is(parseDurationMs(text), ms, text);
  }
});

test.run();
