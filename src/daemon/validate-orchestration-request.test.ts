import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { parseStack } from '../spec/parse-stack.js';
import { validateDeployRequest, validateNodeUpdateRequest, validateScaleRequest, validateUpdateServiceRequest } from './validate-orchestration-request.js';

const stackText = `services:
  web:
    image: nginx:1.25
    ports: ["8080:80"]
    healthcheck: {test: ["CMD", "true"], interval: 5s}
    deploy: {replicas: 2, resources: {limits: {memory: 64M}}, placement: {constraints: [node.role == worker]}}
  agent:
    image: busybox
    deploy: {mode: global}
`;
/** Real specs, as the CLI sends them: parsed, then through JSON. */
const services = () => JSON.parse(JSON.stringify(parseStack({ fileName: 's.yml', text: stackText, stackName: 'demo', env: {}, readFile: () => undefined }).stack.services));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (isSwarmError(err, 'INVALID_ARGUMENT')) return (err.details?.['problems'] as string[] | undefined) ?? [err.message];
    throw err;
  }
  return [];
}

test('a deploy of parsed services passes and keeps every field', () => {
  const body = { services: services(), prune: true };
  assert.equal(validateDeployRequest('demo', body), body);
  assert.is(validateDeployRequest('demo', { services: services() }).prune, false);
});

test('every problem of every service is reported with its key path', () => {
  const [web, agent] = services();
  web.replicas = 'x';
  web.ports[0].protocol = 'sctp';
  web.env = { A: 1 };
  web.colour = 'blue';
  delete web.image;
  agent.resources.limits.memoryBytes = -5;
  agent.stack = 'other';
  assert.equal(problemsOf(() => validateDeployRequest('demo', { services: [web, agent] })), [
    'services[0].colour: unknown field; allowed: name, stack, image, command, entrypoint, env, user, workingDir, hostname, readOnlyRootfs, containerLabels, labels, stopGracePeriodMs, stopSignal, healthcheck, ports, mounts, networks, dependsOn, mode, replicas, resources, restartPolicy, updateConfig, rollbackConfig, placement, endpointMode',
    'services[0].image: expected an image reference such as nginx:1.25 or registry:5000/app@sha256:…, got nothing',
    'services[0].env.A: expected a string, got 1',
    'services[0].ports[0].protocol: expected one of "tcp", "udp", got "sctp"',
    'services[0].replicas: expected a whole number >= 0, got "x"',
    'services[1].resources.limits.memoryBytes: expected a whole number >= 1, got -5',
  ]);
  agent.resources.limits.memoryBytes = 1;
  assert.equal(problemsOf(() => validateDeployRequest('demo', { services: [agent] })), ['services[0].stack: expected "demo" (the stack being deployed), got "other"']);
});

test('bad deploy bodies: not an object, no services, duplicates, bad names, a global service with replicas', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['demo', 'nope', ['request body: expected an object, got "nope"']],
    ['demo', {}, ['services: expected a list, got nothing']],
    ['demo', { services: [] }, ['services: expected at least one service, got none']],
    ['demo', { services: services(), prune: 'yes' }, ['prune: expected true or false, got "yes"']],
    ['Bad_Stack', { services: [] }, ['stack name: expected a DNS label (lowercase letters, digits and hyphens, at most 63, starting and ending with a letter or digit), got "Bad_Stack"']],
    ['demo', { services: [services()[0], services()[0]] }, ['services[1].name: "web" is already the name of services[0]']],
    ['demo', { services: [{ ...services()[1], replicas: 3 }] }, ['services[0].replicas: a global service takes no replica count: expected 0, got 3']],
    ['demo', { services: [null] }, ['services[0]: expected an object, got null']],
  ];
  for (const [stack, body, expected] of cases) assert.equal(problemsOf(() => validateDeployRequest(stack, body)), expected, JSON.stringify(body).slice(0, 80));
});

test('scale, service update and node update bodies', () => {
  assert.equal(validateScaleRequest({ replicas: 3 }), { replicas: 3 });
  assert.equal(problemsOf(() => validateScaleRequest({ replicas: 1.5 })), ['replicas: expected a whole number >= 0, got 1.5']);
  assert.equal(problemsOf(() => validateScaleRequest(undefined)), ['request body: expected an object, got nothing']);
  const spec = services()[0];
  assert.equal(validateUpdateServiceRequest({ spec }), { spec });
  assert.equal(problemsOf(() => validateUpdateServiceRequest({ spec: { ...spec, mode: 'both' } })), ['spec.mode: expected one of "replicated", "global", got "both"']);
  assert.equal(validateNodeUpdateRequest({ availability: 'drain', labelsAdd: { zone: 'a' } }), { availability: 'drain', labelsAdd: { zone: 'a' } });
  assert.equal(problemsOf(() => validateNodeUpdateRequest({ availability: 'off', labelsRemove: [''] })), [
    'availability: expected one of "active", "pause", "drain", got "off"',
    'labelsRemove[0]: expected a non-empty string, got ""',
  ]);
  assert.equal(problemsOf(() => validateNodeUpdateRequest({})), ['nothing to change: give availability, labelsAdd or labelsRemove']);
});

test.run();
