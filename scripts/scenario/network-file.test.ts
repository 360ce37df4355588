import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from './scenario-file.js';
import { describeStep } from './scenario-types.js';

// Scenario files are read from a folder of their own, with the stack file they name beside them.
const dir = mkdtempSync(join(tmpdir(), 'swarmts-network-file-'));
writeFileSync(join(dir, 'net.yml'), 'version: "3.8"\nservices:\n  web:\n    image: busybox:latest\n    ports: ["8080:80"]\n    deploy:\n      replicas: 3\n  client:\n    image: busybox:latest\n');
const file = join(dir, 'bad.yml');

const head = ['name: net', 'description: network steps', 'hosts: 3', 'ci: false', 'steps:', '  - init: h1', '  - join: [h2, h3]', '    via: h1'];
const deployed = [...head, '  - deploy: {on: h1, stack: net, file: net.yml}'];

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

test('network steps load into typed steps, with defaults for balance, expect and for', () => {
  const result = parseScenario([
    ...deployed,                                                                                               // 9
    '  - requests: {on: h1, from: net_client, to: web, port: 80, count: 30, service: net_web}',               // 10
    '    within: 15s',
    '  - requests: {to-hosts: all-running, port: 8080, count: 9, service: net_web, running: 3, balance: any}', // 12
    '    within: 15s',
    '    for: 5s',
    '  - lookup: {on: leader, from: net_client, name: tasks.web, service: net_web, running: 3}',              // 15
    '    within: 5s',
    '  - lookup: {on: h2, from: net_client, name: web.net, service: net_web}',                                // 17
    '    within: 5s',
    '  - lookup: {on: h2, from: net_client, name: web.a, expect: nxdomain}',                                  // 19
    '    within: 0s',
    '  - unreachable: {on: h3, from: net_client, service: net_web, port: 80}',                               // 21
    '    within: 10s',
    '  - requests: {to-hosts: [h1, h3], port: 8080, count: 1, service: net_web}',                            // 23
    '    within: 1s',
    '  - scale: {on: h1, service: net_web, replicas: 1, detach: true}',                                      // 25
  ].join('\n'), file);
  assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  if (!result.ok) return;
  const steps = result.scenario.steps;
  const where = (line: number) => `${file}:${line}:5`;
  assert.equal(steps[3], {
    where: where(10), kind: 'requests', target: { kind: 'container', on: 'h1', from: 'net_client', to: 'web' },
    port: 80, count: 30, service: 'net_web', running: undefined, balance: 'round-robin', withinMs: 15_000, holdMs: 0,
  });
  assert.equal(steps[4], {
    where: where(12), kind: 'requests', target: { kind: 'hosts', hosts: 'all-running' },
    port: 8080, count: 9, service: 'net_web', running: 3, balance: 'any', withinMs: 15_000, holdMs: 5000,
  });
  assert.equal(steps[5], { where: where(15), kind: 'lookup', on: 'leader', from: 'net_client', name: 'tasks.web', service: 'net_web', running: 3, answer: 'tasks', withinMs: 5000, holdMs: 0 });
  assert.equal(steps[6], { where: where(17), kind: 'lookup', on: 'h2', from: 'net_client', name: 'web.net', service: 'net_web', running: undefined, answer: 'vip', withinMs: 5000, holdMs: 0 });
  assert.equal(steps[7], { where: where(19), kind: 'lookup', on: 'h2', from: 'net_client', name: 'web.a', service: undefined, running: undefined, answer: 'nxdomain', withinMs: 0, holdMs: 0 });
  assert.equal(steps[8], { where: where(21), kind: 'unreachable', on: 'h3', from: 'net_client', service: 'net_web', port: 80, withinMs: 10_000, holdMs: 0 });
  assert.equal(steps[9]!.kind === 'requests' && steps[9]!.target, { kind: 'hosts', hosts: ['h1', 'h3'] });
  assert.equal(steps[10], { where: where(25), kind: 'scale', on: 'h1', service: 'net_web', replicas: 1, detach: true, withinMs: 60_000 });
  assert.equal(steps.slice(3, 9).map(describeStep), [
    '30 requests to web:80 from net_client on h1, round-robin over the net_web tasks within 15.0 s',
    '9 requests to port 8080 of every running host from the runner, each answered by one of the 3 net_web tasks for 5.0 s within 15.0 s',
    'lookup tasks.web from net_client on leader: net_web 3 task addresses within 5.0 s',
    'lookup web.net from net_client on h2: net_web VIP within 5.0 s',
    'lookup web.a from net_client on h2: NXDOMAIN within 0 ms',
    'net_web port 80 unreachable from net_client on h3 within 10.0 s',
  ]);
});

test('a bad network step reports every problem at once, each with file:line:col and path', () => {
  const problems = problemsOf([
    ...deployed,
    '  - requests: {on: h1, from: net_client, to: "web; reboot", port: 0, count: 0, service: web, balance: random}', // 10
    '    within: 5s',
    '  - requests: {to-hosts: all-running, on: h1, port: 8080, count: 3, service: net_web, within: 5s}',              // 12
    '  - lookup: {on: h4, from: net_client, name: web}',                                                               // 13
    '    within: 5s',
    '  - lookup: {on: h1, from: net_client, name: web.a, expect: nxdomain, running: 2}',                               // 15
    '    for: 2s',
    '  - reachable: {on: h1, service: net_web, port: 70000}',                                                          // 17
    '    within: 1m',
    '  - unreachable: {on: h1, from: net_client, service: net_web, port: 80}',                                         // 19
    '    within: soon',
  ]);
  assertProblems(problems, [
    'bad.yml:10:46 steps[3].requests.to: expected a DNS name or IPv4 address (letters, digits, "_", "-" and "."), got "web; reboot"',
    'bad.yml:10:67 steps[3].requests.port: expected an integer from 1 to 65535, got 0',
    'bad.yml:10:77 steps[3].requests.count: expected an integer from 1 to 500, got 0',
    'bad.yml:10:89 steps[3].requests.service: expected a service\'s full name, stack_service (e.g. web_web), got "web"',
    'bad.yml:10:103 steps[3].requests.balance: expected one of round-robin, any, got "random"',
    'bad.yml:12:87 steps[4].requests.within: unknown key; allowed: on, from, to, to-hosts, port, count, service, running, balance ("within" goes beside the step, not inside it)',
    'bad.yml:12:5 steps[4].within: missing; every network check needs a deadline such as "within: 10s"',
    'bad.yml:12:15 steps[4].requests: expected either "to-hosts" (requests from the runner to the hosts\' addresses) or "on", "from" and "to" (from a container), got both (to-hosts, on)',
    'bad.yml:13:18 steps[5].lookup.on: expected a host name (h1 to h3), got "h4"',
    'bad.yml:13:5 steps[5].lookup.service: missing; expected the full name of the service whose VIP web must answer (or "expect: nxdomain")',
    'bad.yml:15:5 steps[6].within: missing; every network check needs a deadline such as "within: 10s"',
    'bad.yml:15:71 steps[6].lookup.running: "running" goes with expect: tasks or vip, not nxdomain',
    'bad.yml:17:5 steps[7].reachable.from: missing; expected the full name of the service whose container runs the probe, e.g. net_client',
    'bad.yml:17:49 steps[7].reachable.port: expected an integer from 1 to 65535, got 70000',
    'bad.yml:20:13 steps[8].within: expected a duration such as 500ms, 30s or 2m, got "soon"',
  ]);
});

test('network steps out of order are refused before anything runs', () => {
  const problems = problemsOf([
    ...head,
    '  - lookup: {on: h1, from: net_client, name: tasks.web, service: net_web}',                // 9: nothing deployed
    '    within: 5s',
    '  - deploy: {on: h1, stack: net, file: net.yml}',
    '  - crash: h3',
    '  - requests: {on: h3, from: net_client, to: web, port: 80, count: 3, service: net_web}', // 13: h3 is down
    '    within: 5s',
    '  - requests: {to-hosts: [h1, h3], port: 8080, count: 3, service: net_web}',              // 15: h3 is down
    '    within: 5s',
    '  - unreachable: {on: h1, from: net_client, service: other_web, port: 80}',               // 17: no such service
    '    within: 5s',
  ]);
  assertProblems(problems, [
    'bad.yml:9:5 steps[2]: no stack deployed before this step defines net_client',
    'bad.yml:9:5 steps[2]: no stack deployed before this step defines net_web',
    'bad.yml:13:5 steps[5]: on h3 must be running, but h3 is stopped (since crash at bad.yml:12:5)',
    'bad.yml:15:5 steps[6]: to-hosts h3 must be running, but h3 is stopped (since crash at bad.yml:12:5)',
    'bad.yml:17:5 steps[7]: no stack deployed before this step defines other_web (deployed: net_web, net_client)',
  ]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
