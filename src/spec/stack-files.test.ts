import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../core/project-root.js';
import { parseStack, type ParsedStack } from './parse-stack.js';
import type { ServiceSpec } from './service-spec.js';

/** Realistic public stack files, written from the well-known originals, must parse as Swarm reads them. */

const testdata = join(projectRoot(), 'src/spec/testdata');

function parseFixture(name: string, env: Record<string, string> = {}): ParsedStack {
  const text = readFileSync(join(testdata, name), 'utf8');
  return parseStack({ fileName: name, text, stackName: 'demo', env, baseDir: '/srv/demo', readFile: () => undefined });
}

/** One line per service: name, mode/replicas, published->target ports, constraints. */
function summary(services: ServiceSpec[]): string[] {
  return services.map((s) => {
    const count = s.mode === 'global' ? 'global' : `x${s.replicas}`;
    const ports = s.ports.map((p) => `${p.published ?? '*'}->${p.target}${p.protocol === 'udp' ? '/udp' : ''}${p.mode === 'host' ? '(host)' : ''}`);
    const constraints = s.placement.constraints.map((c) => `${c.key}${c.op}${c.value}`);
    return [s.name, count, ports.join(','), constraints.join(',')].join(' | ');
  });
}

test('the example voting app deploys six services on two networks', () => {
  const { stack, warnings } = parseFixture('voting-app.yml');
  assert.equal(summary(stack.services), [
    'redis | x1 | *->6379 | ',
    'db | x1 |  | node.role==manager',
    'vote | x2 | 5000->80 | ',
    'result | x1 | 5001->80 | ',
    'worker | x1 |  | node.role==manager',
    'visualizer | x1 | 8080->8080 | node.role==manager',
  ]);
  assert.equal(Object.keys(stack.networks).sort(), ['backend', 'default', 'frontend']);
  assert.equal(Object.keys(stack.volumes), ['db-data']);
  const worker = stack.services.find((s) => s.name === 'worker')!;
  assert.equal(worker.restartPolicy, { condition: 'on-failure', delayMs: 10_000, maxAttempts: 3, windowMs: 120_000 });
  assert.equal(worker.labels, { APP: 'VOTING' });
  assert.equal(worker.dependsOn.map((d) => d.service), ['db', 'redis']);
  assert.is(stack.services.find((s) => s.name === 'visualizer')!.stopGracePeriodMs, 90_000);
  assert.equal(warnings, []);
});

test('traefik in front of whoami: host-mode port, global proxy on managers, router labels', () => {
  const { stack, warnings } = parseFixture('traefik-whoami.yml');
  assert.equal(summary(stack.services), [
    'traefik | global | 80->80(host),8080->8080 | node.role==manager',
    'whoami | x3 |  | ',
  ]);
  const [traefik, whoami] = stack.services;
  assert.is(traefik!.labels['traefik.http.routers.dashboard.rule'], 'Host(`traefik.localhost`)');
  assert.is(whoami!.labels['traefik.http.services.whoami.loadbalancer.server.port'], '80');
  assert.equal(traefik!.mounts, [{ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true }]);
  assert.is(traefik!.command!.length, 7);
  assert.equal(stack.networks['traefik-public']!.attachable, true);
  assert.equal(warnings, []);
});

test('the monitoring stack runs exporters globally through shared anchors and merge keys', () => {
  const { stack, warnings } = parseFixture('monitoring.yml', { ADMIN_PASSWORD: 's3cret' });
  assert.equal(summary(stack.services), [
    'node-exporter | global |  | ',
    'cadvisor | global |  | ',
    'prometheus | x1 | 9090->9090 | node.role==manager',
    'grafana | x1 | 3000->3000 | node.role==manager',
  ]);
  const [nodeExporter, cadvisor, prometheus, grafana] = stack.services;
  assert.equal(nodeExporter!.networks, ['net']);
  assert.is(nodeExporter!.hostname, '{{.Node.Hostname}}');
  assert.is(nodeExporter!.command![3], '--collector.filesystem.mount-points-exclude=^/(sys|proc|dev|host|etc)($|/)');
  assert.equal(cadvisor!.restartPolicy, { condition: 'on-failure', delayMs: 5000 });
  assert.equal(cadvisor!.resources, { limits: { memoryBytes: 128 * 1024 ** 2 }, reservations: { memoryBytes: 64 * 1024 ** 2 } });
  assert.is(cadvisor!.updateConfig.delayMs, 10_000);
  assert.is(prometheus!.command![2], '--storage.tsdb.retention.time=24h');
  assert.equal(prometheus!.mounts[1], { type: 'bind', source: '/srv/demo/prometheus/prometheus.yml', target: '/etc/prometheus/prometheus.yml', readOnly: true });
  assert.is(grafana!.env['GF_SECURITY_ADMIN_PASSWORD'], 's3cret');
  assert.is(grafana!.env['GF_SECURITY_ADMIN_USER'], 'admin');
  assert.equal(grafana!.healthcheck?.test, ['CMD-SHELL', 'wget -q --spider http://localhost:3000/api/health || exit 1']);
  assert.equal(warnings, []);
});

test('wordpress and mysql: health-gated dependency, label constraint, restart ignored with a warning', () => {
  const { stack, warnings } = parseFixture('wordpress-mysql.yml');
  assert.equal(summary(stack.services), [
    'db | x1 |  | node.labels.db==true',
    'wordpress | x2 | 80->80 | ',
  ]);
  const [db, wordpress] = stack.services;
  assert.equal(db!.command, ['--default-authentication-plugin=mysql_native_password']);
  assert.is(db!.env['MYSQL_ROOT_PASSWORD'], 'somewordpress');
  assert.equal(wordpress!.dependsOn, [{ service: 'db', condition: 'service_healthy' }]);
  assert.equal(wordpress!.updateConfig.failureAction, 'rollback');
  assert.equal(wordpress!.rollbackConfig.parallelism, 0);
  assert.equal(wordpress!.resources.reservations, { nanoCpus: 0.25e9, memoryBytes: 128 * 1024 ** 2 });
  assert.equal(warnings, [
    'wordpress-mysql.yml:6:5 services.db: ignoring unsupported options: restart',
    'wordpress-mysql.yml:32:5 services.wordpress: ignoring unsupported options: restart',
  ]);
});

test('portainer with its agent on every linux node', () => {
  const { stack, warnings } = parseFixture('portainer-agent.yml');
  assert.equal(summary(stack.services), [
    'agent | global |  | node.platform.os==linux',
    'portainer | x1 | 9443->9443,9000->9000,8000->8000 | node.role==manager',
  ]);
  assert.equal(stack.services[1]!.command, ['-H', 'tcp://tasks.agent:9001', '--tlsskipverify']);
  assert.equal(stack.volumes['portainer_data']!.driver, 'local');
  assert.equal(warnings, []);
});

test('the web example parses: three busybox replicas on 8080 with a health check, and a client', () => {
  const text = readFileSync(join(projectRoot(), 'examples/web/stack.yml'), 'utf8');
  const { stack, warnings } = parseStack({ fileName: 'examples/web/stack.yml', text, stackName: 'web', env: {}, readFile: () => undefined });
  assert.equal(summary(stack.services), ['web | x3 | 8080->80 | ', 'client | x1 |  | ']);
  const [web, client] = stack.services;
  assert.is(web!.mounts[0]!.source, 'examples/web/www');
  assert.equal(web!.healthcheck?.test.slice(0, 2), ['CMD', 'wget']);
  assert.equal(client!.dependsOn, [{ service: 'web', condition: 'service_healthy' }]);
  assert.equal(warnings, []);
});

test.run();
