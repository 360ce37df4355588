import { SwarmError } from '../core/errors.js';
import { dnsLabelError, isImageReference } from '../spec/names.js';
import type { ServiceSpec } from '../spec/service-spec.js';
import type { DeployStackRequest, NodeUpdateRequest, ScaleRequest, UpdateServiceRequest } from './api-orchestration.js';

/**
 * Checks the orchestration requests that arrive over the local API from any client. Every
 * problem is listed in one INVALID_ARGUMENT error, each with its key path, what was found
 * and what is allowed: `services[1].replicas: expected a whole number >= 0, got "x"`.
 */

/** A check appends problems for `value` at `path`; shapes are built from these. */
type Check = (value: unknown, path: string, problems: string[]) => void;

/** The most services one deploy may carry; a real stack has tens. */
export const deployServicesMax = 1000;

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));
const at = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
const where = (path: string): string => (path === '' ? 'request body' : path);

function expect(what: string, ok: (value: unknown) => boolean): Check {
  return (value, path, problems) => {
    if (!ok(value)) problems.push(`${where(path)}: expected ${what}, got ${shown(value)}`);
  };
}

const text = expect('a string', (v) => typeof v === 'string');
const nonEmpty = expect('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
const bool = expect('true or false', (v) => typeof v === 'boolean');
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  expect(max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`, (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max);
const ratio = expect('a number from 0 to 1', (v) => typeof v === 'number' && v >= 0 && v <= 1);
const oneOf = (...allowed: string[]): Check => expect(`one of ${allowed.map((a) => `"${a}"`).join(', ')}`, (v) => typeof v === 'string' && allowed.includes(v));
const port = int(1, 65535);

/** An absent (or undefined) value is fine; anything else must pass `check`. */
const optional = (check: Check): Check => (value, path, problems) => {
  if (value !== undefined) check(value, path, problems);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(item: Check): Check {
  return (value, path, problems) => {
    if (!Array.isArray(value)) return void problems.push(`${where(path)}: expected a list, got ${shown(value)}`);
    value.forEach((v, i) => item(v, `${path}[${i}]`, problems));
  };
}

const strings = list(text);
const stringMap: Check = (value, path, problems) => {
  if (!isObject(value)) return void problems.push(`${where(path)}: expected an object of string values, got ${shown(value)}`);
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') problems.push(`${at(path, k)}: expected a string, got ${shown(v)}`);
};

/** An object with exactly these fields (those wrapped in `optional` may be missing). */
function shape(fields: Record<string, Check>): Check {
  return (value, path, problems) => {
    if (!isObject(value)) return void problems.push(`${where(path)}: expected an object, got ${shown(value)}`);
    for (const key of Object.keys(value)) {
      if (!(key in fields)) problems.push(`${at(path, key)}: unknown field; allowed: ${Object.keys(fields).join(', ')}`);
    }
    for (const [key, check] of Object.entries(fields)) check(value[key], at(path, key), problems);
  };
}

const updateConfig = shape({
  parallelism: int(0), delayMs: int(0), order: oneOf('stop-first', 'start-first'),
  monitorMs: int(0), maxFailureRatio: ratio, failureAction: oneOf('pause', 'continue', 'rollback'),
});

const serviceShape = shape({
  name: nonEmpty, stack: nonEmpty,
  image: expect('an image reference such as nginx:1.25 or registry:5000/app@sha256:…', (v) => typeof v === 'string' && isImageReference(v)),
  command: optional(strings), entrypoint: optional(strings),
  env: stringMap, user: optional(text), workingDir: optional(text), hostname: optional(text),
  readOnlyRootfs: bool, containerLabels: stringMap, labels: stringMap,
  stopGracePeriodMs: int(0), stopSignal: optional(nonEmpty),
  healthcheck: optional(shape({ test: list(text), intervalMs: int(0), timeoutMs: int(0), retries: int(0), startPeriodMs: int(0) })),
  ports: list(shape({ target: port, published: optional(port), protocol: oneOf('tcp', 'udp'), mode: oneOf('ingress', 'host') })),
  mounts: list(shape({ type: oneOf('bind', 'volume', 'tmpfs'), source: text, target: expect('an absolute path', (v) => typeof v === 'string' && v.startsWith('/')), readOnly: bool, tmpfsSizeBytes: optional(int(1)) })),
  networks: strings,
  dependsOn: list(shape({ service: nonEmpty, condition: oneOf('service_started', 'service_healthy', 'service_completed_successfully') })),
  mode: oneOf('replicated', 'global'),
  replicas: int(0),
  resources: shape({
    limits: shape({ nanoCpus: optional(int(1)), memoryBytes: optional(int(1)), pids: optional(int(1)) }),
    reservations: shape({ nanoCpus: optional(int(1)), memoryBytes: optional(int(1)) }),
  }),
  restartPolicy: shape({ condition: oneOf('none', 'on-failure', 'any'), delayMs: int(0), maxAttempts: optional(int(0)), windowMs: optional(int(0)) }),
  updateConfig, rollbackConfig: updateConfig,
  placement: shape({
    constraints: list(shape({ key: nonEmpty, op: oneOf('==', '!='), value: text })),
    preferences: list(shape({ spread: nonEmpty })),
    maxReplicasPerNode: optional(int(1)),
  }),
  endpointMode: oneOf('vip', 'dnsrr'),
});

/** Shape first; then what a shape cannot say: names, the stack and duplicates. */
function checkService(value: unknown, path: string, stack: string | undefined, problems: string[]): void {
  const before = problems.length;
  serviceShape(value, path, problems);
  if (problems.length > before) return;
  const spec = value as ServiceSpec;
  const nameProblem = dnsLabelError(spec.name);
  if (nameProblem !== undefined) problems.push(`${path}.name: ${nameProblem}`);
  if (stack !== undefined && spec.stack !== stack) problems.push(`${path}.stack: expected "${stack}" (the stack being deployed), got ${shown(spec.stack)}`);
  if (spec.mode === 'global' && spec.replicas !== 0) problems.push(`${path}.replicas: a global service takes no replica count: expected 0, got ${spec.replicas}`);
}

function fail(what: string, problems: string[]): never {
  throw new SwarmError('INVALID_ARGUMENT', `invalid ${what}:\n  ${problems.join('\n  ')}`, { details: { problems } });
}

/** POST /v1/stacks/:name/deploy. */
export function validateDeployRequest(stack: string, body: unknown): DeployStackRequest {
  const problems: string[] = [];
  const stackProblem = dnsLabelError(stack);
  if (stackProblem !== undefined) problems.push(`stack name: ${stackProblem}`);
  shape({ services: list(() => undefined), prune: optional(bool), networks: optional(list(shape({ key: nonEmpty, name: nonEmpty, external: bool }))) })(body, '', problems);
  const services = isObject(body) && Array.isArray(body['services']) ? body['services'] : [];
  if (services.length === 0 && problems.length === 0) problems.push('services: expected at least one service, got none');
  if (services.length > deployServicesMax) problems.push(`services: expected at most ${deployServicesMax} services, got ${services.length}`);
  services.slice(0, deployServicesMax).forEach((s, i) => checkService(s, `services[${i}]`, stack, problems));
  const names = services.map((s) => (isObject(s) ? s['name'] : undefined));
  names.forEach((name, i) => {
    if (typeof name === 'string' && names.indexOf(name) !== i) problems.push(`services[${i}].name: "${name}" is already the name of services[${names.indexOf(name)}]`);
  });
  if (problems.length > 0) fail('deploy request', problems);
  const networks = (body as Record<string, unknown>)['networks'] as DeployStackRequest['networks'];
  return { services: services as ServiceSpec[], prune: (body as Record<string, unknown>)['prune'] === true, ...(networks === undefined ? {} : { networks }) };
}

/** POST /v1/services/:ref/update. */
export function validateUpdateServiceRequest(body: unknown): UpdateServiceRequest {
  const problems: string[] = [];
  shape({ spec: (value, path, p) => checkService(value, path, undefined, p) })(body, '', problems);
  if (problems.length > 0) fail('service update', problems);
  return body as UpdateServiceRequest;
}

/** POST /v1/services/:ref/scale. */
export function validateScaleRequest(body: unknown): ScaleRequest {
  const problems: string[] = [];
  shape({ replicas: int(0) })(body, '', problems);
  if (problems.length > 0) fail('scale request', problems);
  return body as ScaleRequest;
}

/** POST /v1/nodes/:ref/update: at least one change. */
export function validateNodeUpdateRequest(body: unknown): NodeUpdateRequest {
  const problems: string[] = [];
  shape({ availability: optional(oneOf('active', 'pause', 'drain')), labelsAdd: optional(stringMap), labelsRemove: optional(list(nonEmpty)) })(body, '', problems);
  if (problems.length === 0 && Object.values(body as object).every((v) => v === undefined)) problems.push('nothing to change: give availability, labelsAdd or labelsRemove');
  if (problems.length > 0) fail('node update', problems);
  return body as NodeUpdateRequest;
}
