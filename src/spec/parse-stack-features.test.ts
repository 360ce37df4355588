import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { parseStack, type ParseStackInput } from './parse-stack.js';
import { formatProblem, type StackProblem } from './reporter.js';

const base: ParseStackInput = { fileName: 'stack.yml', text: '', stackName: 'demo', env: {}, readFile: () => undefined, baseDir: '/srv/demo' };
const parse = (text: string, input: Partial<ParseStackInput> = {}) => parseStack({ ...base, ...input, text });
const only = (text: string, input: Partial<ParseStackInput> = {}) => parse(text, input).stack.services[0]!;
const web = (lines: string) => `services:\n  web:\n    image: nginx\n${lines}`;

test('a minimal service gets Docker defaults', () => {
  const service = only('services:\n  web:\n    image: nginx:1.27\n');
  assert.equal(service, {
    name: 'web',
    stack: 'demo',
    image: 'nginx:1.27',
    command: undefined,
    entrypoint: undefined,
    env: {},
    user: undefined,
    workingDir: undefined,
    hostname: undefined,
    readOnlyRootfs: false,
    containerLabels: {},
    labels: {},
    stopGracePeriodMs: 10_000,
    stopSignal: undefined,
    healthcheck: undefined,
    ports: [],
    mounts: [],
    networks: ['default'],
    dependsOn: [],
    mode: 'replicated',
    replicas: 1,
    resources: { limits: {}, reservations: {} },
    restartPolicy: { condition: 'any', delayMs: 5000 },
    updateConfig: { parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 5000, maxFailureRatio: 0, failureAction: 'pause' },
    rollbackConfig: { parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 5000, maxFailureRatio: 0, failureAction: 'pause' },
    placement: { constraints: [], preferences: [] },
    endpointMode: 'vip',
  });
  assert.equal(Object.keys(parse('services:\n  web:\n    image: x\n').stack.networks), ['default']);
});

test('version is optional and any 3.x is accepted, quoted or not', () => {
  for (const version of ['3', '3.8', '"3"', '"3.9"', "'3.0'"]) assert.is(parse(`version: ${version}\n${web('')}`).stack.services.length, 1, version);
  for (const version of ['4', '"2.4"', '"3.x"', 'latest']) assert.throws(() => parse(`version: ${version}\n${web('')}`), /version: expected a compose file version 3\.x/, version);
});

test('interpolation reads the shell env first, then .env, with defaults and $$ escapes', () => {
  const text = [
    'services:',
    '  web:',
    '    image: "nginx:${TAG}"',
    '    command: ["sh", "-c", "echo $$HOME ${GREETING:-hi}"]',
    '    environment:',
    '      PORT: ${PORT-8080}',
    '      EMPTY: "${UNSET_EMPTY:-}"',
    '    deploy:',
    '      replicas: ${REPLICAS}',
  ].join('\n');
  const { stack } = parse(text, { env: { TAG: '1.27', REPLICAS: '4' }, dotEnv: 'TAG=ignored\nGREETING=hello\n' });
  const service = stack.services[0]!;
  assert.is(service.image, 'nginx:1.27');
  assert.equal(service.command, ['sh', '-c', 'echo $HOME hello']);
  assert.equal(service.env, { PORT: '8080', EMPTY: '' });
  assert.is(service.replicas, 4);
});

test('unset variables become empty with a warning; required ones are errors', () => {
  const { stack, warnings } = parse(web('    environment:\n      A: "x${NOPE}y"\n'));
  assert.equal(stack.services[0]!.env, { A: 'xy' });
  assert.equal(warnings, ['stack.yml:5:10 services.web.environment.A: the NOPE variable is not set, defaulting to a blank string']);
  try {
    parse('services:\n  web:\n    image: ${IMAGE:?set IMAGE to the image to run}\n');
    assert.unreachable();
  } catch (err) {
    assert.ok(isSwarmError(err, 'STACK_INVALID'));
    assert.is(err.message, 'stack.yml:3:12 services.web.image: required variable IMAGE is not set: set IMAGE to the image to run');
  }
});

test('x- extension fields are ignored anywhere and are not interpolated', () => {
  const { stack, warnings } = parse([
    'x-notes: ${NOT_REQUIRED:?never checked}',
    'services:',
    '  x-template: {anything: 1}',
    '  web:',
    '    image: nginx',
    '    x-owner: team-a',
    '    deploy:',
    '      x-cost-center: 42',
  ].join('\n'));
  assert.equal(stack.services.map((s) => s.name), ['web']);
  assert.equal(warnings, []);
});

test('anchors, aliases and merge keys share settings; explicit keys win over merged ones', () => {
  const text = [
    'x-defaults: &defaults',
    '  image: busybox:latest',
    '  deploy: &deploy',
    '    replicas: 2',
    '    restart_policy:',
    '      condition: on-failure',
    'x-labels: &labels',
    '  team: core',
    'services:',
    '  a:',
    '    <<: *defaults',
    '    labels: *labels',
    '  b:',
    '    <<: *defaults',
    '    image: nginx',
    '    deploy:',
    '      <<: *deploy',
    '      replicas: 5',
    '  c:',
    '    <<: [*defaults, {image: ignored, user: "1000"}]',
  ].join('\n');
  const [a, b, c] = parse(text).stack.services;
  assert.equal([a!.image, a!.replicas, a!.restartPolicy.condition, a!.containerLabels], ['busybox:latest', 2, 'on-failure', { team: 'core' }]);
  assert.equal([b!.image, b!.replicas, b!.restartPolicy.condition], ['nginx', 5, 'on-failure']);
  assert.equal([c!.image, c!.user], ['busybox:latest', '1000']);
});

test('problems inside an anchored block point at the anchor, under the path of the service using it', () => {
  const text = 'x-d: &d\n  replicas: many\nservices:\n  web:\n    image: x\n    deploy: *d\n';
  try {
    parse(text);
    assert.unreachable();
  } catch (err) {
    assert.ok(isSwarmError(err, 'STACK_INVALID'));
    assert.is(err.message, 'stack.yml:2:13 services.web.deploy.replicas: expected a non-negative integer, got "many"');
  }
});

test('command and entrypoint split strings like a shell and keep lists as they are', () => {
  const service = only(web(`    command: sh -c 'echo "a b"'\n    entrypoint: ["/bin/tini", "--"]\n`));
  assert.equal(service.command, ['sh', '-c', 'echo "a b"']);
  assert.equal(service.entrypoint, ['/bin/tini', '--']);
});

test('environment from env_file then environment; bare keys come from the environment', () => {
  const files: Record<string, string> = {
    '/srv/demo/common.env': '# shared\nLOG_LEVEL=info\nREGION=eu\n',
    '/srv/demo/web.env': 'LOG_LEVEL=debug\n',
  };
  const service = only(web('    env_file: [./common.env, web.env]\n    environment:\n      - REGION=us\n      - HOME_DIR\n      - GONE\n'), {
    readFile: (path) => files[path],
    env: { HOME_DIR: '/home/x' },
  });
  assert.equal(service.env, { LOG_LEVEL: 'debug', REGION: 'us', HOME_DIR: '/home/x' });
  assert.equal(only(web('    environment: [FROM_DOTENV, SHELL_WINS]\n'), { dotEnv: 'FROM_DOTENV=a\nSHELL_WINS=b\n', env: { SHELL_WINS: 'c' } }).env, { FROM_DOTENV: 'a', SHELL_WINS: 'c' });
  const warned = parse(web('    environment: [GONE]\n')).warnings;
  assert.equal(warned, ['stack.yml:4:19 services.web.environment.GONE: GONE is not set in the environment; left out']);
});

test('ports: short, ranges, udp, bare target and long syntax', () => {
  const service = only(web([
    '    ports:',
    '      - "8080:80"',
    '      - "53:53/udp"',
    '      - "9000-9001:90-91"',
    '      - "443"',
    '      - 8443',
    '      - target: 22',
    '        published: 2222',
    '        protocol: tcp',
    '        mode: host',
    '',
  ].join('\n')));
  assert.equal(service.ports, [
    { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
    { target: 53, published: 53, protocol: 'udp', mode: 'ingress' },
    { target: 90, published: 9000, protocol: 'tcp', mode: 'ingress' },
    { target: 91, published: 9001, protocol: 'tcp', mode: 'ingress' },
    { target: 443, published: undefined, protocol: 'tcp', mode: 'ingress' },
    { target: 8443, published: undefined, protocol: 'tcp', mode: 'ingress' },
    { target: 22, published: 2222, protocol: 'tcp', mode: 'host' },
  ]);
});

test('volumes: binds resolve against the stack folder, named volumes must be declared, tmpfs', () => {
  const text = [
    'services:',
    '  web:',
    '    image: nginx',
    '    volumes:',
    '      - ./html:/usr/share/nginx/html:ro',
    '      - ../shared:/shared',
    '      - /var/run/docker.sock:/var/run/docker.sock',
    '      - data:/data',
    '      - /scratch',
    '      - "cache-{{.Task.Slot}}:/cache"',
    '      - type: tmpfs',
    '        target: /tmp',
    '        tmpfs:',
    '          size: 64m',
    '      - type: volume',
    '        source: data',
    '        target: /ro-data',
    '        read_only: true',
    '    tmpfs: /run',
    'volumes:',
    '  data:',
  ].join('\n');
  const service = only(text);
  assert.equal(service.mounts, [
    { type: 'bind', source: '/srv/demo/html', target: '/usr/share/nginx/html', readOnly: true },
    { type: 'bind', source: '/srv/shared', target: '/shared', readOnly: false },
    { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false },
    { type: 'volume', source: 'data', target: '/data', readOnly: false },
    { type: 'volume', source: '', target: '/scratch', readOnly: false },
    { type: 'volume', source: 'cache-{{.Task.Slot}}', target: '/cache', readOnly: false },
    { type: 'tmpfs', source: '', target: '/tmp', readOnly: false, tmpfsSizeBytes: 64 * 1024 ** 2 },
    { type: 'volume', source: 'data', target: '/ro-data', readOnly: true },
    { type: 'tmpfs', source: '', target: '/run', readOnly: false },
  ]);
  assert.equal(parse(text).stack.volumes, { data: { name: 'data', driver: 'local', external: false, externalName: undefined, labels: {} } });
});

test('healthcheck: list and string tests, durations, disable', () => {
  const cases: Array<[string, unknown]> = [
    ['      test: ["CMD", "curl", "-f", "http://localhost"]\n      interval: 10s\n      timeout: 2s\n      retries: 5\n      start_period: 1m',
      { test: ['CMD', 'curl', '-f', 'http://localhost'], intervalMs: 10_000, timeoutMs: 2000, retries: 5, startPeriodMs: 60_000 }],
    ['      test: curl -f http://localhost || exit 1',
      { test: ['CMD-SHELL', 'curl -f http://localhost || exit 1'], intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 }],
    ['      test: ["CMD-SHELL", "pg_isready"]\n      retries: 0',
      { test: ['CMD-SHELL', 'pg_isready'], intervalMs: 30_000, timeoutMs: 30_000, retries: 0, startPeriodMs: 0 }],
    ['      disable: true', { test: ['NONE'], intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 }],
    ['      interval: 5s', { test: [], intervalMs: 5000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 }],
  ];
  for (const [lines, healthcheck] of cases) assert.equal(only(web(`    healthcheck:\n${lines}\n`)).healthcheck, healthcheck, lines);
});

test('deploy: resources, restart, update and rollback configs, placement, endpoint mode, labels', () => {
  const service = only(web([
    '    deploy:',
    '      mode: replicated',
    '      replicas: 0',
    '      endpoint_mode: dnsrr',
    '      labels: [com.example.tier=front]',
    '      resources:',
    '        limits: {cpus: "1.5", memory: 512M, pids: 100}',
    '        reservations: {cpus: "0.25", memory: 128M}',
    '      restart_policy: {condition: on-failure, delay: 10s, max_attempts: 3, window: 2m}',
    '      update_config: {parallelism: 2, delay: 10s, order: start-first, monitor: 30s, max_failure_ratio: 0.3, failure_action: rollback}',
    '      rollback_config: {parallelism: 0, failure_action: continue}',
    '      placement:',
    '        constraints: [node.role==worker, "node.labels.zone != east", node.hostname == node-1, node.platform.os == linux]',
    '        preferences: [{spread: node.labels.zone}]',
    '        max_replicas_per_node: 2',
    '',
  ].join('\n')));
  assert.is(service.replicas, 0);
  assert.is(service.endpointMode, 'dnsrr');
  assert.equal(service.labels, { 'com.example.tier': 'front' });
  assert.equal(service.resources, { limits: { nanoCpus: 1.5e9, memoryBytes: 512 * 1024 ** 2, pids: 100 }, reservations: { nanoCpus: 0.25e9, memoryBytes: 128 * 1024 ** 2 } });
  assert.equal(service.restartPolicy, { condition: 'on-failure', delayMs: 10_000, maxAttempts: 3, windowMs: 120_000 });
  assert.equal(service.updateConfig, { parallelism: 2, delayMs: 10_000, order: 'start-first', monitorMs: 30_000, maxFailureRatio: 0.3, failureAction: 'rollback' });
  assert.equal(service.rollbackConfig, { parallelism: 0, delayMs: 0, order: 'stop-first', monitorMs: 5000, maxFailureRatio: 0, failureAction: 'continue' });
  assert.equal(service.placement, {
    constraints: [
      { key: 'node.role', op: '==', value: 'worker' },
      { key: 'node.labels.zone', op: '!=', value: 'east' },
      { key: 'node.hostname', op: '==', value: 'node-1' },
      { key: 'node.platform.os', op: '==', value: 'linux' },
    ],
    preferences: [{ spread: 'node.labels.zone' }],
    maxReplicasPerNode: 2,
  });
  const global = only(web('    deploy:\n      mode: global\n'));
  assert.equal([global.mode, global.replicas], ['global', 0]);
});

test('depends_on in list and long form, with conditions', () => {
  const { stack } = parse([
    'services:',
    '  web:',
    '    image: x',
    '    depends_on:',
    '      db: {condition: service_healthy}',
    '      migrate: {condition: service_completed_successfully}',
    '      cache:',
    '  worker:',
    '    image: x',
    '    depends_on: [db]',
    '  db: {image: postgres}',
    '  cache: {image: redis}',
    '  migrate: {image: x}',
  ].join('\n'));
  assert.equal(stack.services[0]!.dependsOn, [
    { service: 'db', condition: 'service_healthy' },
    { service: 'migrate', condition: 'service_completed_successfully' },
    { service: 'cache', condition: 'service_started' },
  ]);
  assert.equal(stack.services[1]!.dependsOn, [{ service: 'db', condition: 'service_started' }]);
});

test('networks: list and map forms, declared ones, external ones, the implicit default', () => {
  const { stack } = parse([
    'services:',
    '  proxy:',
    '    image: traefik',
    '    networks: [public, default]',
    '  api:',
    '    image: x',
    '    networks:',
    '      backend:',
    '        aliases: [api-internal]',
    'networks:',
    '  public:',
    '    external: true',
    '  backend:',
    '    driver: overlay',
    '    attachable: true',
    '    labels: {tier: back}',
  ].join('\n'));
  assert.equal(stack.services.map((s) => s.networks), [['public', 'default'], ['backend']]);
  assert.equal(stack.networks, {
    public: { name: 'public', driver: 'overlay', external: true, externalName: 'public', attachable: false, labels: {} },
    backend: { name: 'backend', driver: 'overlay', external: false, externalName: undefined, attachable: true, labels: { tier: 'back' } },
    default: { name: 'default', driver: 'overlay', external: false, externalName: undefined, attachable: false, labels: {} },
  });
});

test('external networks and volumes keep their real names; ignored network options warn', () => {
  const { stack, warnings } = parse([
    'services:',
    '  web:',
    '    image: x',
    '    networks: [legacy, named, tuned]',
    '    volumes: [certs:/certs]',
    'networks:',
    '  legacy:',
    '    external:',
    '      name: real-legacy',
    '  named:',
    '    external: true',
    '    name: real-named',
    '  tuned:',
    '    driver_opts: {encrypted: "true"}',
    'volumes:',
    '  certs:',
    '    external: true',
  ].join('\n'));
  assert.equal([stack.networks['legacy']!.externalName, stack.networks['named']!.externalName, stack.networks['tuned']!.external], ['real-legacy', 'real-named', false]);
  assert.equal([stack.volumes['certs']!.external, stack.volumes['certs']!.externalName], [true, 'certs']);
  assert.equal(warnings, ['stack.yml:14:5 networks.tuned: ignoring unsupported options: driver_opts']);
});

test('image references with registry, port, path, tag and digest are accepted', () => {
  const images = ['busybox', 'nginx:1.27-alpine', 'localhost:5000/team/app:1.2-rc', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64), 'docker.io/library/redis:7'];
  for (const image of images) assert.is(only(`services:\n  web:\n    image: "${image}"\n`).image, image, image);
});

test('read_only makes the root filesystem read-only; tmpfs takes docker --tmpfs options', () => {
  const { stack, warnings } = parse(web('    read_only: true\n    tmpfs: /run:rw,noexec,nosuid,size=64m\n'));
  assert.is(stack.services[0]!.readOnlyRootfs, true);
  assert.equal(stack.services[0]!.mounts, [{ type: 'tmpfs', source: '', target: '/run', readOnly: false, tmpfsSizeBytes: 64 * 1024 ** 2 }]);
  assert.equal(warnings, ['stack.yml:5:12 services.web.tmpfs: ignoring tmpfs options noexec, nosuid']);
});

test('templates are kept in hostname, environment and mount sources', () => {
  const service = only(web('    hostname: "{{.Node.Hostname}}-{{.Task.Slot}}"\n    environment:\n      NODE: "{{.Node.ID}}"\n    volumes: ["/logs/{{.Service.Name}}:/logs"]\n'));
  assert.is(service.hostname, '{{.Node.Hostname}}-{{.Task.Slot}}');
  assert.equal(service.env, { NODE: '{{.Node.ID}}' });
  assert.is(service.mounts[0]!.source, '/logs/{{.Service.Name}}');  for (const hostname of ['web', 'web-1.example.com', 'a'.repeat(63), '{{.Node.Hostname}}-web', '{{.Service.Name}}.{{.Task.Slot}}']) {
    assert.is(only(web(`    hostname: "${hostname}"\n`)).hostname, hostname, hostname);
  }
});

test('options Swarm ignores earn one warning per service, like docker stack deploy', () => {
  const { warnings } = parse(web('    build: .\n    container_name: web1\n    restart: always\n    links: [db]\n'));
  assert.equal(warnings, ['stack.yml:3:5 services.web: ignoring unsupported options: build, container_name, restart, links']);
});

test('nested options we ignore warn once at their own mapping', () => {
  const cases: Array<[string, string]> = [
    ['name: myapp\nservices:\n  web:\n    image: x\n', 'stack.yml:1:1 ignoring unsupported options: name'],
    [web('    healthcheck: {test: "true", start_interval: 1s}\n'), 'stack.yml:4:18 services.web.healthcheck: ignoring unsupported options: start_interval'],
    ['services:\n  web:\n    image: x\n    depends_on: {db: {restart: true, required: false}}\n  db: {image: x}\n', 'stack.yml:4:22 services.web.depends_on.db: ignoring unsupported options: restart, required'],
    [web('    networks:\n      default: {aliases: [w]}\n'), 'stack.yml:5:16 services.web.networks.default: ignoring unsupported options: aliases'],
    [web('    ports: [{target: 80, name: http, app_protocol: http}]\n'), 'stack.yml:4:13 services.web.ports[0]: ignoring unsupported options: name, app_protocol'],
    [web('    volumes: [{type: bind, source: /a, target: /b, bind: {propagation: rprivate}, consistency: cached}]\n'), 'stack.yml:4:15 services.web.volumes[0]: ignoring unsupported options: bind, consistency'],
  ];
  for (const [text, warning] of cases) assert.equal(parse(text).warnings, [warning], text);
});

test('every problem is listed at once, and warnings survive in the details', () => {
  try {
    parse(web('    build: .\n    user: [root]\n    deploy: {replicas: x}\n'));
    assert.unreachable();
  } catch (err) {
    assert.ok(isSwarmError(err, 'STACK_INVALID'));
    assert.equal(err.message.split('\n').length, 2);
    assert.equal((err.details!.warnings as StackProblem[]).map(formatProblem), ['stack.yml:3:5 services.web: ignoring unsupported options: build']);
  }
});

test.run();
