import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from './scenario-file.js';

// Scenario files are read from a folder of their own, with the stack files they name beside them.
const dir = mkdtempSync(join(tmpdir(), 'swarmts-orchestration-file-'));
writeFileSync(join(dir, 'web.yml'), 'version: "3.8"\nservices:\n  web:\n    image: busybox:latest\n    deploy:\n      replicas: 6\n  agent:\n    image: busybox:latest\n    deploy:\n      mode: global\n');
writeFileSync(join(dir, 'broken.yml'), 'version: "3.8"\nservices:\n  web:\n    image: busybox:latest\n    deploy:\n      replicas: three\n');
const file = join(dir, 'bad.yml');

const head = (hosts = 3) => ['name: orch', 'description: orchestration steps', `hosts: ${hosts}`, 'ci: false', 'steps:'];

function problemsOf(lines: string[]): string[] {
  const result = parseScenario(lines.join('\n'), file);
  if (result.ok) assert.unreachable('expected problems, the file loaded');
  return result.ok ? [] : result.problems.map((p) => p.replaceAll(`${dir}/`, ''));
}

function assertProblems(actual: string[], expected: string[]): void {
  for (const want of expected) {
    assert.ok(actual.some((p) => p.startsWith(want)), `no problem starting with\n  ${want}\namong\n  ${actual.join('\n  ')}`);
  }
  assert.is(actual.length, expected.length, `expected ${expected.length} problems, got:\n  ${actual.join('\n  ')}`);
}

test('orchestration steps load into typed steps, with the stack file read and its services known', () => {
  const result = parseScenario([
    ...head(),
    '  - init: h1',
    '  - join: [h2, h3]',
    '    via: h1',
    '    as: manager',
    '  - import-image: {build: busybox, reference: busybox:latest}',      // 10
    '  - deploy: {on: h1, stack: web, file: web.yml}',
    '    within: 20s',
    '  - expect: {on: all-running, service: web_web, spread: {h1: 2, h2: 2, h3: 2}}',
    '    within: 90s',
    '  - record: {on: h2, service: web_web, as: h2-web}',                 // 15
    '  - crash: leader',
    '  - expect: {on: all-running, leader: elected}',
    '    within: 30s',
    '  - expect: {on: all-running, service: web_web, running: 6, not-on: [$killed]}',
    '    within: 30s',                                                    // 20
    '  - scale: {on: follower, service: web_web, replicas: 3}',
    '  - node-update: {on: leader, node: $killed, availability: drain}',
    '  - restart: $killed',
    '  - expect: {on: [h2, $killed], unchanged: h2-web}',
    '    within: 30s',                                                    // 25
    '  - expect: {on: h1, node: h3, availability: drain}',
    '    within: 5s',
    '  - stack-rm: {on: h1, stack: web}',
    '  - node-role: {on: h1, node: h3, role: worker}',
  ].join('\n'), file);
  assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  if (!result.ok) return;
  const steps = result.scenario.steps;
  const where = (line: number) => `${file}:${line}:5`;
  assert.equal(steps[2], { where: where(10), kind: 'import-image', reference: 'busybox:latest', on: 'all', source: { build: 'busybox' }, withinMs: 60_000 });
  assert.equal(steps[3], {
    where: where(11), kind: 'deploy', on: 'h1', stack: 'web', file: join(dir, 'web.yml'), withinMs: 20_000,
    services: [{ fullName: 'web_web', mode: 'replicated', replicas: 6 }, { fullName: 'web_agent', mode: 'global', replicas: 0 }],
  });
  assert.equal(steps[4]!.kind === 'expect' && steps[4]!.check, { kind: 'service', service: 'web_web', running: 6, spread: { h1: 2, h2: 2, h3: 2 }, notOn: [] });
  assert.equal(steps[5], { where: where(15), kind: 'record', on: 'h2', service: 'web_web', as: 'h2-web', withinMs: 60_000 });
  assert.equal(steps[6], { where: where(16), kind: 'crash', hosts: ['leader'] });
  assert.equal(steps[7]!.kind === 'expect' && steps[7]!.check, { kind: 'leader' });
  assert.equal(steps[8]!.kind === 'expect' && steps[8]!.check, { kind: 'service', service: 'web_web', running: 6, notOn: ['$killed'] });
  assert.equal(steps[10], { where: where(22), kind: 'node-update', on: 'leader', node: '$killed', availability: 'drain', withinMs: 60_000 });
  assert.equal(steps[12]!.kind === 'expect' && [steps[12]!.on, steps[12]!.check], [['h2', '$killed'], { kind: 'unchanged', record: 'h2-web' }]);
  assert.equal(steps[13]!.kind === 'expect' && steps[13]!.check, { kind: 'node', host: 'h3', availability: 'drain' });
  assert.equal(steps[15], { where: where(29), kind: 'node-role', on: 'h1', node: 'h3', role: 'worker', withinMs: 60_000 });
});

test('a bad orchestration file reports every problem at once, each with file:line:col and path', () => {
  const problems = problemsOf([
    ...head(),
    '  - init: h1',
    '  - import-image: {on: h4, build: alpine, file: x.tar, reference: ""}',                     // 7
    '  - deploy: {on: boss, stack: Web, file: missing.yml, within: 5s}',                          // 8
    '  - deploy: {on: h1, stack: web, file: broken.yml}',                                         // 9
    '  - scale: {on: h1, service: web, replicas: -1}',                                            // 10
    '  - node-update: {on: h1, node: h2, availability: drained}',                                 // 11
    '  - record: {on: h1, service: web_web, as: Before}',                                         // 12
    '  - expect: {on: all-running, service: web_web, running: 5, spread: {h1: 3, h4: 1}, not-on: [h1]}', // 13
    '    within: 5s',
    '  - expect: {on: all-running, leader: somebody, status: ready}',                             // 15
    '    within: 5s',
    '  - expect: {on: [leader], unchanged: x, members: {ready: 1}}',                              // 17
    '    within: 5s',
    '  - kill: [h1, somebody]',                                                                   // 19
    '  - restart: leader',                                                                        // 20
    '  - node-role: {on: h1, node: h2, role: boss}',                                              // 21
  ]);
  assertProblems(problems, [
    'bad.yml:7:24 steps[1].import-image.on: expected a host name (h1 to h3), got "h4"',
    'bad.yml:7:19 steps[1].import-image: expected either "build" (busybox) or "file" (an image tar), got both',
    'bad.yml:7:35 steps[1].import-image.build: expected one of busybox, got "alpine"',
        'bad.yml:7:67 steps[1].import-image.reference: expected a non-empty string, got ""',
    'bad.yml:8:55 steps[2].deploy.within: unknown key; allowed: on, stack, file ("within" goes beside the step, not inside it)',
    'bad.yml:8:18 steps[2].deploy.on: expected a host (h1 to h3, $killed, leader, follower), got "boss"',
    'bad.yml:8:31 steps[2].deploy.stack: expected a stack name (lowercase letters, digits and dashes), got "Web"',
    'bad.yml:8:42 steps[2].deploy.file: expected a file, relative to the scenario file\'s folder; there is no missing.yml',
    'bad.yml:9:40 steps[3].deploy.file: the stack file is not valid: broken.yml:6:17 services.web.deploy.replicas: expected a non-negative integer, got "three"',
    'bad.yml:10:30 steps[4].scale.service: expected a service\'s full name, stack_service (e.g. web_web), got "web"',
    'bad.yml:10:45 steps[4].scale.replicas: expected an integer from 0 to 1000, got -1',
    'bad.yml:11:51 steps[5].node-update.availability: expected one of active, pause, drain, got "drained" (did you mean "drain"?)',
    'bad.yml:12:44 steps[6].record.as: expected a name of lowercase letters, digits and dashes, got "Before"',
    'bad.yml:13:77 steps[7].expect.spread.h4: expected a host name (h1 to h3), got "h4"',
    'bad.yml:15:39 steps[8].expect.leader: expected "elected" or the host that must lead, got "somebody"',
    'bad.yml:15:49 steps[8].expect.status: "status" goes with "node", not "leader"',
    'bad.yml:17:19 steps[9].expect.on[0]: expected a host (h1 to h3, $killed), got "leader"',
    'bad.yml:17:13 steps[9].expect: expected exactly one of "node", "members", "service", "leader", "unchanged", got members and unchanged',
    'bad.yml:19:16 steps[10].kill[1]: expected a host (h1 to h3, $killed, leader, follower), got "somebody"',
    'bad.yml:20:14 steps[11].restart: expected a host (h1 to h3, $killed), got "leader"',
    'bad.yml:21:41 steps[12].node-role.role: expected one of worker, manager, got "boss"',
  ]);
});

test('a spread must add up to running, must not contradict not-on, and a count is needed', () => {
  const problems = problemsOf([
    ...head(),
    '  - expect: {on: all-running, service: web_web, running: 5, spread: {h1: 3, h2: 3}}',
    '    within: 5s',
    '  - expect: {on: all-running, service: web_web, not-on: [h1]}',
    '    within: 5s',
    '  - expect: {on: all-running, service: web_web, spread: {h1: 3}, not-on: [h2, h1]}',
    '    within: 5s',
  ]);
  assertProblems(problems, [
    'bad.yml:6:69 steps[0].expect.spread: the counts add up to 6, but running is 5',
    'bad.yml:8:31 steps[1].expect: expected "running" and/or "spread" beside "service"',
    'bad.yml:10:74 steps[2].expect.not-on: h1 must run 3 by spread and none by not-on',
  ]);
});

test('orchestration steps out of order are refused before anything runs', () => {
  const problems = problemsOf([
    ...head(),
    '  - init: h1',
    '  - join: [h2, h3]',
    '    via: h1',
    '  - restart: $killed',                                           // 9: nothing killed yet
    '  - scale: {on: h1, service: web_web, replicas: 2}',             // 10: not deployed
    '  - deploy: {on: h1, stack: web, file: web.yml}',
    '  - expect: {on: all-running, service: web_web, running: 7}',    // 12: only 6 replicas
    '    within: 5s',
    '  - scale: {on: h1, service: web_agent, replicas: 2}',           // 14: global
    '  - expect: {on: all-running, unchanged: before}',               // 15: never recorded
    '    within: 5s',
    '  - kill: leader',
    '  - expect: {on: [h1], members: {ready: 2}}',                    // 18: h1 may be the leader killed
    '    within: 5s',
    '  - restart: h2',                                                // 20: may or may not be stopped
    '  - record: {on: $killed, service: web_web, as: later}',          // 21: $killed is stopped
    '  - restart: $killed',
    '  - stack-rm: {on: h1, stack: web}',
    '  - stack-rm: {on: h1, stack: web}',                             // 24: already removed
    '  - expect: {on: all-running, service: web_web, running: 1}',    // 25: removed
    '    within: 5s',
  ]);
  assertProblems(problems, [
    'bad.yml:9:5 steps[2]: host $killed names nobody: no host was killed or stopped before this step',
    'bad.yml:10:5 steps[3]: no stack deployed before this step defines web_web',
    'bad.yml:12:5 steps[5]: web_web runs 6 replicas here (since bad.yml:11:5); 7 running can never hold',
    'bad.yml:14:5 steps[6]: web_agent is a global service (deployed at bad.yml:11:5): it cannot be scaled',
    'bad.yml:15:5 steps[7]: nothing was recorded as before before this step',
    'bad.yml:18:5 steps[9]: observer h1 may be stopped: it may be the leader killed at bad.yml:17:5',
    'bad.yml:20:5 steps[10]: host h2 may be stopped: it may be the leader killed at bad.yml:17:5',
    'bad.yml:21:5 steps[11]: on $killed must be running, but it is stopped (since kill at bad.yml:17:5)',
    'bad.yml:24:5 steps[14]: no stack web is deployed at this step',
    'bad.yml:25:5 steps[15]: web_web was removed at bad.yml:23:5; only running: 0 can hold',
  ]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
