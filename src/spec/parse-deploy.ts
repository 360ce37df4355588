import type { ResourcesSpec, RestartPolicySpec, ServiceSpec, UpdateConfigSpec } from './service-spec.js';
import { readPlacement } from './parse-placement.js';
import {
  describe, readBytes, readChoice, readDurationMs, readFields, readInt, readLabels, readNanoCpus, readNumber, type Fields,
} from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/** Everything under a service's `deploy` key: the service fields it sets. */
export type DeploySpec = Pick<ServiceSpec,
  'mode' | 'replicas' | 'labels' | 'resources' | 'restartPolicy' | 'updateConfig' | 'rollbackConfig' | 'placement' | 'endpointMode'>;

/** Docker's defaults: one replica, restart on any exit after 5s, one task at a time on update. */
export function defaultDeploySpec(): DeploySpec {
  const update: UpdateConfigSpec = { parallelism: 1, delayMs: 0, order: 'stop-first', monitorMs: 5000, maxFailureRatio: 0, failureAction: 'pause' };
  return {
    mode: 'replicated',
    replicas: 1,
    labels: {},
    resources: { limits: {}, reservations: {} },
    restartPolicy: { condition: 'any', delayMs: 5000 },
    updateConfig: update,
    rollbackConfig: { ...update },
    placement: { constraints: [], preferences: [] },
    endpointMode: 'vip',
  };
}

/** Reads `deploy`, starting from the defaults; problems are reported, defaults kept. */
export function readDeploy(node: YNode, path: string, r: Reporter): DeploySpec {
  const deploy = defaultDeploySpec();
  const fields = readFields(node, path, r, {
    known: ['mode', 'replicas', 'labels', 'resources', 'restart_policy', 'update_config', 'rollback_config', 'placement', 'endpoint_mode'],
  });
  if (fields === undefined) return deploy;
  const mode = fields.present('mode');
  deploy.mode = (mode && readChoice(mode, fields.at('mode'), r, ['replicated', 'global'])) ?? 'replicated';
  const replicas = fields.present('replicas');
  if (replicas !== undefined && deploy.mode === 'global') r.error(replicas.pos, fields.at('replicas'), 'expected no replicas with mode: global, which runs one task per node');
  else deploy.replicas = (replicas && readInt(replicas, fields.at('replicas'), r)) ?? 1;
  if (deploy.mode === 'global') deploy.replicas = 0;
  const labels = fields.present('labels');
  if (labels !== undefined) deploy.labels = readLabels(labels, fields.at('labels'), r);
  const resources = fields.present('resources');
  if (resources !== undefined) deploy.resources = readResources(resources, fields.at('resources'), r);
  const restart = fields.present('restart_policy');
  if (restart !== undefined) deploy.restartPolicy = readRestartPolicy(restart, fields.at('restart_policy'), r);
  const update = fields.present('update_config');
  if (update !== undefined) deploy.updateConfig = readUpdateConfig(update, fields.at('update_config'), r, ['pause', 'continue', 'rollback']);
  const rollback = fields.present('rollback_config');
  if (rollback !== undefined) deploy.rollbackConfig = readUpdateConfig(rollback, fields.at('rollback_config'), r, ['pause', 'continue']);
  const placement = fields.present('placement');
  if (placement !== undefined) deploy.placement = readPlacement(placement, fields.at('placement'), r);
  const perNode = placement?.kind === 'map' ? placement.entries.find((e) => e.key === 'max_replicas_per_node') : undefined;
  if (perNode !== undefined && deploy.mode === 'global') {
    r.error(perNode.keyPos, `${fields.at('placement')}.max_replicas_per_node`, 'expected max_replicas_per_node only with mode: replicated; global runs one task per node');
  }
  const endpoint = fields.present('endpoint_mode');
  deploy.endpointMode = (endpoint && readChoice(endpoint, fields.at('endpoint_mode'), r, ['vip', 'dnsrr'])) ?? 'vip';
  return deploy;
}

function readResources(node: YNode, path: string, r: Reporter): ResourcesSpec {
  const resources: ResourcesSpec = { limits: {}, reservations: {} };
  const fields = readFields(node, path, r, { known: ['limits', 'reservations'] });
  const limitsNode = fields?.present('limits');
  const limits = limitsNode && readFields(limitsNode, fields!.at('limits'), r, { known: ['cpus', 'memory', 'pids'] });
  if (limits !== undefined) {
    setIfRead(resources.limits, 'nanoCpus', limits, 'cpus', readNanoCpus, r);
    setIfRead(resources.limits, 'memoryBytes', limits, 'memory', readMemoryLimit, r);
    setIfRead(resources.limits, 'pids', limits, 'pids', (n, p, rr) => readInt(n, p, rr, 1), r);
  }
  const reservationsNode = fields?.present('reservations');
  const reservations = reservationsNode && readFields(reservationsNode, fields!.at('reservations'), r, {
    known: ['cpus', 'memory'],
    refused: { devices: 'swarmts does not pass devices into containers', generic_resources: 'swarmts schedules on CPU and memory only' },
  });
  if (reservations !== undefined) {
    setIfRead(resources.reservations, 'nanoCpus', reservations, 'cpus', readNanoCpus, r);
    setIfRead(resources.reservations, 'memoryBytes', reservations, 'memory', readBytes, r);
    checkNotAboveLimit(resources.reservations.nanoCpus, resources.limits.nanoCpus, reservations, limits, 'cpus', r);
    checkNotAboveLimit(resources.reservations.memoryBytes, resources.limits.memoryBytes, reservations, limits, 'memory', r);
  }
  return resources;
}

/** Docker's smallest memory limit: below it a container cannot even start its runtime. */
export const memoryLimitBytesMin = 6 * 1024 ** 2;

function readMemoryLimit(node: YNode, path: string, r: Reporter): number | undefined {
  const bytes = readBytes(node, path, r);
  if (bytes === undefined || bytes >= memoryLimitBytesMin) return bytes;
  r.error(node.pos, path, `expected at least 6m (the smallest memory limit a container starts with), got ${describe(node)}`);
  return undefined;
}

function setIfRead<T extends object, K extends keyof T>(
  target: T, field: K, fields: Fields, key: string, read: (n: YNode, p: string, r: Reporter) => T[K] | undefined, r: Reporter,
): void {
  const node = fields.present(key);
  const value = node && read(node, fields.at(key), r);
  if (value !== undefined) target[field] = value;
}

function checkNotAboveLimit(reserved: number | undefined, limit: number | undefined, reservations: Fields, limits: Fields | undefined, key: string, r: Reporter): void {
  if (reserved === undefined || limit === undefined || reserved <= limit) return;
  const node = reservations.present(key)!;
  r.error(node.pos, reservations.at(key), `expected at most the limit ${describe(limits!.present(key)!)}, got ${describe(node)}`);
}

function readRestartPolicy(node: YNode, path: string, r: Reporter): RestartPolicySpec {
  const policy: RestartPolicySpec = defaultDeploySpec().restartPolicy;
  const fields = readFields(node, path, r, { known: ['condition', 'delay', 'max_attempts', 'window'] });
  if (fields === undefined) return policy;
  const condition = fields.present('condition');
  policy.condition = (condition && readChoice(condition, fields.at('condition'), r, ['none', 'on-failure', 'any'])) ?? 'any';
  setIfRead(policy, 'delayMs', fields, 'delay', readDurationMs, r);
  setIfRead(policy, 'maxAttempts', fields, 'max_attempts', readInt, r);
  if (policy.maxAttempts === 0) delete policy.maxAttempts;
  setIfRead(policy, 'windowMs', fields, 'window', readDurationMs, r);
  return policy;
}

function readUpdateConfig(node: YNode, path: string, r: Reporter, actions: Array<UpdateConfigSpec['failureAction']>): UpdateConfigSpec {
  const config = defaultDeploySpec().updateConfig;
  const fields = readFields(node, path, r, { known: ['parallelism', 'delay', 'failure_action', 'monitor', 'max_failure_ratio', 'order'] });
  if (fields === undefined) return config;
  setIfRead(config, 'parallelism', fields, 'parallelism', readInt, r);
  setIfRead(config, 'delayMs', fields, 'delay', readDurationMs, r);
  setIfRead(config, 'monitorMs', fields, 'monitor', readDurationMs, r);
  setIfRead(config, 'maxFailureRatio', fields, 'max_failure_ratio', (n, p, rr) => readNumber(n, p, rr, 0, 1), r);
  setIfRead(config, 'failureAction', fields, 'failure_action', (n, p, rr) => readChoice(n, p, rr, actions), r);
  setIfRead(config, 'order', fields, 'order', (n, p, rr) => readChoice(n, p, rr, ['stop-first', 'start-first'] as const), r);
  return config;
}
