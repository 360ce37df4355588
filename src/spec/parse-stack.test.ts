import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { parseStack, type ParseStackInput } from './parse-stack.js';
import type { StackProblem } from './reporter.js';

const envFiles: Record<string, string> = { '/srv/demo/bad.env': 'OK=1\nnot valid\n' };
const base: ParseStackInput = { fileName: 'stack.yml', text: '', stackName: 'demo', env: {}, readFile: (path) => envFiles[path], baseDir: '/srv/demo' };

/** The lines of the STACK_INVALID message, or [] when the file is valid. */
function problemsOf(text: string, input: Partial<ParseStackInput> = {}): string[] {
  try {
    parseStack({ ...base, ...input, text });
    return [];
  } catch (err) {
    if (isSwarmError(err, 'STACK_INVALID')) return err.message.split('\n');
    throw err;
  }
}

const parse = (text: string, input: Partial<ParseStackInput> = {}) => parseStack({ ...base, ...input, text });
const web = (lines: string) => `services:\n  web:\n    image: nginx\n${lines}`;

test('each bad input is reported with file:line:column, key path, what was found and what is allowed', () => {
  const cases: Array<[string, string]> = [
    [web('    deploy:\n      replicas: three\n'), 'stack.yml:5:17 services.web.deploy.replicas: expected a non-negative integer, got "three"'],
    [web('    deploy:\n      replicas: -1\n'), 'stack.yml:5:17 services.web.deploy.replicas: expected a non-negative integer, got -1'],
    [web('    deploy:\n      replicas: 1.5\n'), 'stack.yml:5:17 services.web.deploy.replicas: expected a non-negative integer, got 1.5'],
    [web('    frobnicate: 1\n'), 'stack.yml:4:5 services.web.frobnicate: unknown key "frobnicate", expected one of command, depends_on, deploy, entrypoint, env_file, environment, healthcheck, hostname, image, labels, networks, ports, read_only, stop_grace_period, stop_signal, tmpfs, user, volumes, working_dir'],
    [web('    deploy:\n      replica: 2\n'), 'stack.yml:5:7 services.web.deploy.replica: unknown key "replica", did you mean "replicas"?'],
    [web('    privileged: true\n'), 'stack.yml:4:5 services.web.privileged: not supported: swarmts never runs privileged containers; remove it'],
    [web('    cap_add: [NET_ADMIN]\n'), 'stack.yml:4:5 services.web.cap_add: not supported: swarmts runs containers with the default capability set; remove it'],
    [web('    devices: ["/dev/fuse"]\n'), 'stack.yml:4:5 services.web.devices: not supported: swarmts does not pass host devices into containers'],
    [web('    network_mode: host\n'), 'stack.yml:4:5 services.web.network_mode: not supported: services join overlay networks; use networks instead'],
    [web('    pid: host\n'), 'stack.yml:4:5 services.web.pid: not supported: containers always get their own PID namespace'],
    [web('    ipc: host\n'), 'stack.yml:4:5 services.web.ipc: not supported: containers always get their own IPC namespace'],
    [web('    ports: ["127.0.0.1:8080:80"]\n'), 'stack.yml:4:13 services.web.ports[0]: binding to a host IP is not supported in swarm mode; published ports listen on every node, got "127.0.0.1:8080:80"; write "8080:80"'],
    [web('    ports: ["8080:80/sctp"]\n'), 'stack.yml:4:13 services.web.ports[0]: expected protocol tcp or udp, got "8080:80/sctp"'],
    [web('    ports: ["70000:80"]\n'), 'stack.yml:4:13 services.web.ports[0]: expected a port like "8080:80", "8080:80/udp", "80" or "8000-8002:80-82" with ports from 1 to 65535, got "70000:80"'],
    [web('    ports: ["0:80"]\n'), 'stack.yml:4:13 services.web.ports[0]: expected a port like "8080:80", "8080:80/udp", "80" or "8000-8002:80-82" with ports from 1 to 65535, got "0:80"'],
    [web('    ports: ["8000-8002:80-81"]\n'), 'stack.yml:4:13 services.web.ports[0]: expected published and target ranges of the same length, got "8000-8002:80-81"'],
    [web('    ports:\n      - published: 8080\n'), 'stack.yml:5:9 services.web.ports[0]: missing required key "target"'],
    [web('    ports:\n      - target: 80\n        mode: mesh\n'), 'stack.yml:6:15 services.web.ports[0].mode: expected one of ingress, host, got "mesh"'],
    [web('    networks: [front]\n'), 'stack.yml:4:16 services.web.networks[0]: network "front" is not declared under the top-level networks key'],
    [web('    volumes: ["data:/var/lib/data"]\n'), 'stack.yml:4:15 services.web.volumes[0]: volume "data" is not declared under the top-level volumes key'],
    [web('    volumes: ["/host:relative"]\n'), 'stack.yml:4:15 services.web.volumes[0]: expected an absolute container path as the mount target, got "relative"'],
    [web('    volumes: ["~/cache:/cache"]\n'), 'stack.yml:4:15 services.web.volumes[0]: expected an absolute or ./relative host path, got "~/cache" (~ is not expanded)'],
    [web('    volumes: ["/a:/b:z"]\n'), 'stack.yml:4:15 services.web.volumes[0]: expected mode ro or rw after the target, got "z"'],
    [web('    volumes:\n      - type: npipe\n        target: /x\n'), 'stack.yml:5:15 services.web.volumes[0].type: expected one of bind, volume, tmpfs, got "npipe"'],
    [web('    volumes:\n      - type: bind\n        target: /x\n'), 'stack.yml:5:9 services.web.volumes[0]: missing required key "source" for a bind mount'],
    [web('    deploy:\n      mode: global\n      replicas: 2\n'), 'stack.yml:6:17 services.web.deploy.replicas: expected no replicas with mode: global, which runs one task per node'],
    [web('    deploy:\n      mode: replicated-job\n'), 'stack.yml:5:13 services.web.deploy.mode: expected one of replicated, global, got "replicated-job"'],
    [web('    deploy:\n      resources:\n        limits: {cpus: "0.5"}\n        reservations: {cpus: "1"}\n'), 'stack.yml:7:30 services.web.deploy.resources.reservations.cpus: expected at most the limit "0.5", got "1"'],
    [web('    deploy:\n      resources:\n        limits: {memory: 128M}\n        reservations: {memory: 1G}\n'), 'stack.yml:7:32 services.web.deploy.resources.reservations.memory: expected at most the limit "128M", got "1G"'],
    [web('    deploy:\n      resources:\n        limits: {memory: lots}\n'), 'stack.yml:6:26 services.web.deploy.resources.limits.memory: expected a size like 512m, 1g or 1.5GiB, got "lots"'],
    [web('    deploy:\n      resources:\n        limits: {cpus: 0}\n'), 'stack.yml:6:24 services.web.deploy.resources.limits.cpus: expected a number of CPUs like 0.5 or 2, got "0"'],
    [web('    deploy:\n      restart_policy:\n        condition: always\n'), 'stack.yml:6:20 services.web.deploy.restart_policy.condition: expected one of none, on-failure, any, got "always"'],
    [web('    deploy:\n      update_config:\n        max_failure_ratio: 2\n'), 'stack.yml:6:28 services.web.deploy.update_config.max_failure_ratio: expected a number from 0 to 1, got 2'],
    [web('    deploy:\n      rollback_config:\n        failure_action: rollback\n'), 'stack.yml:6:25 services.web.deploy.rollback_config.failure_action: expected one of pause, continue, got "rollback"'],
    [web('    deploy:\n      endpoint_mode: dns\n'), 'stack.yml:5:22 services.web.deploy.endpoint_mode: expected one of vip, dnsrr, got "dns"'],
    [web('    deploy:\n      placement:\n        constraints: ["node.role == boss"]\n'), 'stack.yml:6:23 services.web.deploy.placement.constraints[0]: expected node.role to be compared with manager or worker, got "node.role == boss"'],
    [web('    deploy:\n      placement:\n        constraints: ["node.labels.zone = a"]\n'), 'stack.yml:6:23 services.web.deploy.placement.constraints[0]: expected a constraint like "node.role == manager" or "node.labels.zone != east", got "node.labels.zone = a"'],
    [web('    deploy:\n      placement:\n        constraints: ["engine.labels.os == linux"]\n'), 'stack.yml:6:23 services.web.deploy.placement.constraints[0]: engine labels are not supported; label the node and use node.labels.os instead, got "engine.labels.os == linux"'],
    [web('    deploy:\n      placement:\n        constraints: ["node.name == a"]\n'), 'stack.yml:6:23 services.web.deploy.placement.constraints[0]: expected node.id, node.hostname, node.role, node.platform.os, node.platform.arch or node.labels.<name>, got "node.name == a"'],
    [web('    deploy:\n      placement:\n        preferences: [{spread: zone}]\n'), 'stack.yml:6:32 services.web.deploy.placement.preferences[0].spread: expected node.id, node.hostname, node.role, node.platform.os, node.platform.arch or node.labels.<name>, got "zone"'],
    [web('    environment:\n      SLOT: "{{.Task.Number}}"\n'), 'stack.yml:5:7 services.web.environment.SLOT: unknown template "{{.Task.Number}}", expected one of {{.Node.ID}}, {{.Node.Hostname}}, {{.Service.ID}}, {{.Service.Name}}, {{.Task.ID}}, {{.Task.Name}}, {{.Task.Slot}}'],
    [web('    hostname: "{{.Task.Slot"\n'), 'stack.yml:4:15 services.web.hostname: unclosed "{{" in template "{{.Task.Slot"'],
    [web('    healthcheck:\n      test: ["CMDX", "true"]\n'), 'stack.yml:5:13 services.web.healthcheck.test: expected a string, ["CMD", "exe", ...], ["CMD-SHELL", "script"] or ["NONE"], got ["CMDX","true"]'],
    [web('    healthcheck:\n      interval: soon\n'), 'stack.yml:5:17 services.web.healthcheck.interval: expected a duration like 30s, 1m30s or 500ms, got "soon"'],
    [web('    healthcheck:\n      disable: true\n      retries: 3\n'), 'stack.yml:5:16 services.web.healthcheck.disable: expected no other healthcheck options with disable: true, got retries'],
    [web('    stop_grace_period: 10\n'), 'stack.yml:4:24 services.web.stop_grace_period: expected a duration like 30s, 1m30s or 500ms, got "10"'],
    [web('    stop_signal: term\n'), 'stack.yml:4:18 services.web.stop_signal: expected a signal name like SIGTERM or SIGQUIT, got "term"'],
    [web('    working_dir: app\n'), 'stack.yml:4:18 services.web.working_dir: expected an absolute path, got "app"'],
    [web('    command: "sh -c \'oops"\n'), 'stack.yml:4:14 services.web.command: unterminated \' quote in "sh -c \'oops"'],
    [web('    command: {run: x}\n'), 'stack.yml:4:14 services.web.command: expected a command string or a list of strings, got a mapping'],
    [web('    labels: 5\n'), 'stack.yml:4:13 services.web.labels: expected a list of KEY=value strings or a mapping, got 5'],
    [web('    env_file: ./web.env\n'), 'stack.yml:4:15 services.web.env_file: cannot read env file "./web.env" (looked for /srv/demo/web.env)'],
    ['services:\n  web:\n    imgae: nginx\n', 'stack.yml:3:5 services.web.imgae: unknown key "imgae", did you mean "image"?'],
    ['services:\n  web:\n    ports: ["80"]\n', 'stack.yml:3:5 services.web: missing required key "image"'],
    [web('    ports:\n      - targte: 80\n'), 'stack.yml:5:9 services.web.ports[0].targte: unknown key "targte", did you mean "target"?'],
    ['services:\n  web:\n    image: [nginx]\n', 'stack.yml:3:12 services.web.image: expected a string, got a list'],
    ['services:\n  Web_1:\n    image: nginx\n', 'stack.yml:2:3 services.Web_1: service name expected a DNS label (lowercase letters, digits and hyphens, at most 63, starting and ending with a letter or digit), got "Web_1"'],
    ['version: "2.4"\nservices:\n  web:\n    image: nginx\n', 'stack.yml:1:10 version: expected a compose file version 3.x such as "3.8" (or no version), got "2.4"'],
    ['services: []\n', 'stack.yml:1:11 services: expected a mapping of service names to services, got a list'],
    ['', 'stack.yml:1:1 expected a mapping with a services key, got an empty file'],
    ['- a\n', 'stack.yml:1:1 expected a mapping with a services key, got a list'],
    ['secrets:\n  pw: {file: ./pw}\nservices:\n  web:\n    image: nginx\n', 'stack.yml:1:1 secrets: not supported: swarmts has no secret store yet; use environment or a read-only bind mount'],
    ['services:\n  web:\n    image: nginx\n  web:\n    image: x\n', 'stack.yml:4:3 invalid YAML: Map keys must be unique'],
    ['services:\n  web: [\n', 'stack.yml:3:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['networks:\n  front:\n    driver: bridge\nservices:\n  web:\n    image: nginx\n', 'stack.yml:3:13 networks.front.driver: expected one of overlay, got "bridge"'],
    ['volumes:\n  data:\n    driver: rexray\nservices:\n  web:\n    image: nginx\n', 'stack.yml:3:13 volumes.data.driver: expected one of local, got "rexray"'],
    ['networks:\n  front:\n    name: my-front\nservices:\n  web:\n    image: nginx\n', 'stack.yml:3:11 networks.front.name: expected name only with external: true; stack networks and volumes are named <stack>_<key>'],
    ['networks:\n  "bad name":\nservices:\n  web:\n    image: nginx\n', 'stack.yml:2:3 networks.bad name: expected a name of letters, digits, "_", "." and "-", got "bad name"'],
    ['networks: [a, b]\nservices:\n  web:\n    image: nginx\n', 'stack.yml:1:11 networks: expected a mapping of names to options, got a list'],
    ['volumes:\n  data:\n    driver_opts: {type: nfs}\nservices:\n  web:\n    image: nginx\n', 'stack.yml:3:5 volumes.data.driver_opts: not supported: only plain local volumes are supported'],
    [web('    labels: [a=1, "=x"]\n'), 'stack.yml:4:19 services.web.labels[1]: expected KEY=value or KEY, got "=x"'],
    [`services:\n  a${'b'.repeat(58)}:\n    image: nginx\n`, `stack.yml:2:3 services.a${'b'.repeat(58)}: expected stack and service names of at most 63 characters together, got "demo_a${'b'.repeat(58)}"`],
    [web('    tmpfs: ["/run:size=64m", "tmp"]\n'), 'stack.yml:4:30 services.web.tmpfs[1]: expected an absolute container path as the mount target, got "tmp"'],
    [web('    volumes:\n      - type: tmpfs\n        source: x\n        target: /t\n'), 'stack.yml:6:17 services.web.volumes[0].source: expected no source for a tmpfs mount'],
    [web('    volumes:\n      - type: bind\n        source: ./x\n        target: /t\n        tmpfs: {size: 1m}\n'), 'stack.yml:8:16 services.web.volumes[0].tmpfs: expected tmpfs options only with type: tmpfs, got type: bind'],
    [web('    env_file: ./bad.env\n'), 'stack.yml:4:15 services.web.env_file: ./bad.env:2: expected KEY=value, got "not valid"'],
    [web('    environment: {A: [1]}\n'), 'stack.yml:4:22 services.web.environment.A: expected a string, got a list'],
    ['services:\n  web:\n    image: Nginx\n', 'stack.yml:3:12 services.web.image: expected an image reference like busybox:1.36 or ghcr.io/org/app@sha256:..., got "Nginx"'],
    ['services:\n  web:\n    image: "nginx:"\n', 'stack.yml:3:12 services.web.image: expected an image reference like busybox:1.36 or ghcr.io/org/app@sha256:..., got "nginx:"'],
    [web('    tmpfs: /run:bogus\n'), 'stack.yml:4:12 services.web.tmpfs: expected "/target" or "/target:size=64m" (options size=, ro, rw, noexec, exec, nosuid, suid, nodev, dev, mode=), got "/run:bogus"'],
    [web('    deploy:\n      mode: global\n      placement: {max_replicas_per_node: 2}\n'), 'stack.yml:6:19 services.web.deploy.placement.max_replicas_per_node: expected max_replicas_per_node only with mode: replicated; global runs one task per node'],
    [web('    deploy:\n      resources: {limits: {memory: 1m}}\n'), 'stack.yml:5:36 services.web.deploy.resources.limits.memory: expected at least 6m (the smallest memory limit a container starts with), got "1m"'],
    [web('    read_only: yes\n'), 'stack.yml:4:16 services.web.read_only: expected true or false, got "yes"'],
    ['networks:\n  n:\n    external: true\n    driver: overlay\nservices:\n  web:\n    image: nginx\n', 'stack.yml:4:5 networks.n.driver: expected no driver with external: true (an external network is used as it is)'],
    ['networks:\n  back:\n    internal: true\nservices:\n  web:\n    image: nginx\n', 'stack.yml:3:5 networks.back.internal: not supported: internal networks are not supported yet, and ignoring it would silently let the services reach outside'],
    [web('    volumes: ["/a:/data", "/b:/data"]\n'), 'stack.yml:4:5 services.web.volumes: expected each mount target once, got "/data" more than once'],
    ['services:\n  x-template: {image: x}\n', 'stack.yml:2:3 services: expected a mapping of service names to services, got no services'],
    ['services: {}\n', 'stack.yml:1:11 services: expected a mapping of service names to services, got no services'],
    [web('    hostname: "my host"\n'), 'stack.yml:4:15 services.web.hostname: expected a hostname (letters, digits, hyphens and dots, templates allowed), got "my host"'],
    [web('    hostname: "-web"\n'), 'stack.yml:4:15 services.web.hostname: expected a hostname (letters, digits, hyphens and dots, templates allowed), got "-web"'],
    [web('    hostname: "web-"\n'), 'stack.yml:4:15 services.web.hostname: expected a hostname (letters, digits, hyphens and dots, templates allowed), got "web-"'],
    [web('    hostname: "a..b"\n'), 'stack.yml:4:15 services.web.hostname: expected a hostname (letters, digits, hyphens and dots, templates allowed), got "a..b"'],
    [web('    hostname: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"\n'), 'stack.yml:4:15 services.web.hostname: expected a hostname (letters, digits, hyphens and dots, templates allowed), got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'],
    ['networks:\n  frontend:\nservices:\n  web:\n    image: nginx\n    networks: [fronted]\n', 'stack.yml:6:16 services.web.networks[0]: network "fronted" is not declared under the top-level networks key, did you mean "frontend"?'],
  ];
  for (const [text, line] of cases) assert.equal(problemsOf(text), [line], text);
});

test('depends_on names unknown services and reports cycles with their path', () => {
  const cases: Array<[string, string[]]> = [
    [
      'services:\n  web:\n    image: x\n    depends_on: [dbb]\n  db:\n    image: postgres\n',
      ['stack.yml:4:18 services.web.depends_on[0]: unknown service "dbb", did you mean "db"?'],
    ],
    [
      'services:\n  web:\n    image: x\n    depends_on:\n      cache: {condition: service_healthy}\n  db:\n    image: postgres\n',
      ['stack.yml:5:7 services.web.depends_on.cache: unknown service "cache", expected one of db'],
    ],
    [
      'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n',
      ['stack.yml:4:5 services.a.depends_on: dependency cycle: a -> b -> c -> a'],
    ],
    [
      'services:\n  web:\n    image: x\n    depends_on: [web]\n',
      ['stack.yml:4:5 services.web.depends_on: dependency cycle: web -> web'],
    ],
    [
      'services:\n  web:\n    image: x\n    depends_on: [cache]\n',
      ['stack.yml:4:18 services.web.depends_on[0]: unknown service "cache"; the stack has no other services'],
    ],
    [
      'services:\n  a:\n    image: x\n    depends_on:\n      b: {condition: service_started_ok}\n  b:\n    image: x\n',
      ['stack.yml:5:22 services.a.depends_on.b.condition: expected one of service_started, service_healthy, service_completed_successfully, got "service_started_ok"'],
    ],
  ];
  for (const [text, lines] of cases) assert.equal(problemsOf(text), lines, text);
});

test('a published port used by two services is refused', () => {
  assert.equal(problemsOf('services:\n  web:\n    image: x\n    ports: ["80:80"]\n  api:\n    image: x\n    ports: ["80:8080", "81:81/udp"]\n'), [
    'stack.yml:7:5 services.api.ports: published port 80/tcp is already published by service "web"',
  ]);
  assert.equal(problemsOf('services:\n  dns:\n    image: x\n    ports: ["53:53/udp", "53:53/tcp"]\n'), []);
});

test('a file with five mistakes yields five lines, in file order, and structured details', () => {
  const text = [
    'services:', //                      1
    '  web:', //                         2
    '    image: nginx', //               3
    '    ports: ["8080:eighty"]', //     4
    '    deploy:', //                    5
    '      replicas: three', //          6
    '      placement:', //               7
    '        constraints: [node.rol == manager]', // 8
    '  db:', //                          9
    '    imag: postgres', //             10
    '    stop_grace_period: soon', //    11
  ].join('\n');
  let problems: StackProblem[] = [];
  let message = '';
  try {
    parse(text);
  } catch (err) {
    assert.ok(isSwarmError(err, 'STACK_INVALID'));
    message = err.message;
    problems = err.details!.problems as StackProblem[];
  }
  assert.equal(message.split('\n'), [
    'stack.yml:4:13 services.web.ports[0]: expected a port like "8080:80", "8080:80/udp", "80" or "8000-8002:80-82" with ports from 1 to 65535, got "8080:eighty"',
    'stack.yml:6:17 services.web.deploy.replicas: expected a non-negative integer, got "three"',
    'stack.yml:8:23 services.web.deploy.placement.constraints[0]: expected node.id, node.hostname, node.role, node.platform.os, node.platform.arch or node.labels.<name>, got "node.rol == manager"',
    'stack.yml:10:5 services.db.imag: unknown key "imag", did you mean "image"?',
    'stack.yml:11:24 services.db.stop_grace_period: expected a duration like 30s, 1m30s or 500ms, got "soon"',
  ]);
  assert.equal(problems[1], { file: 'stack.yml', line: 6, column: 17, path: 'services.web.deploy.replicas', message: 'expected a non-negative integer, got "three"' });
});

test('.env problems come first, against the .env file, then the stack file in line order', () => {
  assert.equal(problemsOf(web('    user: [x]\n'), { dotEnv: 'A=1\nnot a line\n' }), [
    '.env:2:1 expected KEY=value, got "not a line"',
    'stack.yml:4:11 services.web.user: expected a string, got a list',
  ]);
});

test('a bad stack name is an invalid argument, not a stack problem', () => {
  for (const name of ['My_Stack', '', '-web', 'a'.repeat(64)]) {
    assert.throws(() => parse(web(''), { stackName: name }), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT'), name);
  }
});

test.run();
