import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { projectRoot } from '../core/project-root.js';
import { mergeStackFiles, relocateProblems, relocateWarning, type StackFileText } from './merge-stack-files.js';
import { parseStack } from './parse-stack.js';
import { formatProblem, type StackProblem } from './reporter.js';
import type { ServiceSpec } from './service-spec.js';

function parseMerged(files: StackFileText[], env: Record<string, string> = {}) {
  const merged = mergeStackFiles(files);
  try {
    const parsed = parseStack({ fileName: merged.fileName, text: merged.text, stackName: 'demo', env, baseDir: '/srv/demo', readFile: () => undefined });
    return { services: parsed.stack.services, warnings: parsed.warnings.map((w) => relocateWarning(merged, w)), problems: [] as string[] };
  } catch (err) {
    if (!isSwarmError(err, 'STACK_INVALID')) throw err;
    const problems = relocateProblems(merged, (err.details?.['problems'] ?? []) as StackProblem[]).map(formatProblem);
    return { services: [] as ServiceSpec[], warnings: [], problems };
  }
}

const base = `version: "3.8"
services:
  web:
    image: nginx:1.25
    command: ["nginx", "-g", "daemon off;"]
    environment:
      - A=1
      - B=2
    ports: ["8080:80", "9090:90"]
    networks: [front]
    deploy:
      replicas: 2
      labels: {team: web}
      placement:
        constraints: [node.role == worker]
  db:
    image: postgres:15
networks:
  front:
`;

const override = `services:
  web:
    command: ["nginx-debug"]
    environment:
      B: "20"
      C: "3"
    ports:
      - target: 81
        published: 8080
    networks: [back]
    deploy:
      replicas: 5
      placement:
        constraints: [node.labels.zone == a]
  cache:
    image: redis:7
networks:
  back:
`;

test('a later file overrides an earlier one service by service and key by key', () => {
  const { services, problems } = parseMerged([{ fileName: 'base.yml', text: base }, { fileName: 'prod.yml', text: override }]);
  assert.equal(problems, []);
  assert.equal(services.map((s) => s.name), ['web', 'db', 'cache']);
  const web = services[0]!;
  assert.equal(web.command, ['nginx-debug'], 'command is replaced, not joined');
  assert.equal(web.env, { A: '1', B: '20', C: '3' }, 'environment merges by name across list and mapping forms');
  assert.equal(web.ports.map((p) => `${p.published}->${p.target}`), ['9090->90', '8080->81'], 'ports merge by published port');
  assert.equal(web.networks, ['front', 'back']);
  assert.is(web.replicas, 5);
  assert.equal(web.labels, { team: 'web' }, 'keys the later file does not name stay');
  assert.equal(web.placement.constraints.map((c) => `${c.key}${c.op}${c.value}`), ['node.role==worker', 'node.labels.zone==a']);
  assert.is(services[1]!.image, 'postgres:15');
});

test('volumes merge by target, secrets-free keys by name, and one file is passed through untouched', () => {
  const a = 'services:\n  s:\n    image: busybox\n    volumes: ["/srv/a:/data", "/srv/logs:/logs"]\n';
  const b = 'services:\n  s:\n    volumes:\n      - type: bind\n        source: /srv/b\n        target: /data\n';
  const { services } = parseMerged([{ fileName: 'a.yml', text: a }, { fileName: 'b.yml', text: b }]);
  assert.equal(services[0]!.mounts.map((m) => `${m.source}:${m.target}`), ['/srv/logs:/logs', '/srv/b:/data']);
  const single = mergeStackFiles([{ fileName: 'a.yml', text: a }]);
  assert.is(single.text, a);
  assert.is(single.fileName, 'a.yml');
});

test('problems in merged files point at the line and file the user wrote', () => {
  const typos = readFileSync(join(projectRoot(), 'src/spec/testdata/invalid/voting-app-typos.yml'), 'utf8');
  const golden = readFileSync(join(projectRoot(), 'src/spec/testdata/invalid/voting-app-typos.golden'), 'utf8').trimEnd().split('\n');
  const extra = 'services:\n  redis:\n    image: redis:7\n  vote:\n    deploy:\n      mode: everywhere\n';
  const { problems } = parseMerged([{ fileName: 'voting-app-typos.yml', text: typos }, { fileName: 'extra.yml', text: extra }]);
  assert.equal(problems, [...golden, 'extra.yml:6:13 services.vote.deploy.mode: expected one of replicated, global, got "everywhere"']);
});

test('warnings from merged files point at their file too', () => {
  const extra = 'services:\n  web:\n    environment:\n      TAG: ${TAG}\n';
  const { warnings } = parseMerged([{ fileName: 'base.yml', text: base }, { fileName: 'tag.yml', text: extra }]);
  assert.equal(warnings, ['tag.yml:4:12 services.web.environment.TAG: the TAG variable is not set, defaulting to a blank string']);
});

test('YAML syntax errors and non-mapping files are reported for every file at once', () => {
  try {
    mergeStackFiles([{ fileName: 'a.yml', text: 'services: [\n' }, { fileName: 'b.yml', text: '- just a list\n' }]);
    assert.unreachable('expected STACK_INVALID');
  } catch (err) {
    if (!isSwarmError(err, 'STACK_INVALID')) throw err;
    const lines = err.message.split('\n');
    assert.ok(lines.some((l) => l.startsWith('a.yml:')), err.message);
    assert.ok(lines.includes('b.yml:1:1 expected a mapping with a services key'), err.message);
  }
});

test.run();
