import type { ServiceSpec } from './service-spec.js';
import { readDependsOn } from './depends-on.js';
import { defaultDeploySpec, readDeploy } from './parse-deploy.js';
import { isImageReference } from './names.js';
import { readEnvironment } from './parse-environment.js';
import { readHealthcheck } from './parse-healthcheck.js';
import { readTmpfsMounts, readVolumeMounts } from './parse-mounts.js';
import { readPorts } from './parse-ports.js';
import { child, describe, readBool, readDurationMs, readFields, readLabels, readString, readStringList, type Fields, type KeySchema } from './read-values.js';
import type { ServiceContext } from './service-context.js';
import { splitShellWords } from './shell-words.js';
import { didYouMean } from './suggest.js';
import { templateError } from './template.js';
import type { YNode } from './yaml-tree.js';

/** Compose's default time between the stop signal and SIGKILL. */
export const stopGracePeriodMsDefault = 10_000;

/** Service keys: what we read, what Swarm ignores too (warned), what we refuse. */
export const serviceKeys: KeySchema = {
  known: [
    'image', 'command', 'entrypoint', 'environment', 'env_file', 'user', 'working_dir', 'hostname', 'labels', 'read_only',
    'stop_grace_period', 'stop_signal', 'healthcheck', 'ports', 'volumes', 'tmpfs', 'networks', 'depends_on', 'deploy',
  ],
  ignored: [
    'build', 'container_name', 'restart', 'links', 'external_links', 'cgroup_parent', 'expose', 'logging', 'tty',
    'stdin_open', 'init', 'dns', 'dns_search', 'domainname', 'extra_hosts', 'mac_address', 'shm_size', 'ulimits',
    'sysctls', 'platform', 'profiles', 'pull_policy', 'isolation', 'oom_score_adj',
  ],
  refused: {
    privileged: 'swarmts never runs privileged containers; remove it',
    cap_add: 'swarmts runs containers with the default capability set; remove it',
    cap_drop: 'swarmts runs containers with the default capability set; remove it',
    devices: 'swarmts does not pass host devices into containers',
    network_mode: 'services join overlay networks; use networks instead',
    pid: 'containers always get their own PID namespace',
    ipc: 'containers always get their own IPC namespace',
    userns_mode: 'user namespaces are not configurable',
    security_opt: 'the default seccomp profile always applies',
    secrets: 'swarmts has no secret store yet; use environment or a read-only bind mount',
    configs: 'swarmts has no config store yet; use a read-only bind mount',
  },
};

/** Reads one service; undefined when it is too broken to build (problems already reported). */
export function readService(node: YNode, ctx: ServiceContext): ServiceSpec | undefined {
  const fields = readFields(node, ctx.path, ctx.r, serviceKeys);
  if (fields === undefined) return undefined;
  const imageNode = fields.required('image', ctx.r);
  const image = imageNode && readImage(imageNode, fields.at('image'), ctx);
  const deployNode = fields.present('deploy');
  const deploy = deployNode === undefined ? defaultDeploySpec() : readDeploy(deployNode, fields.at('deploy'), ctx.r);
  const optional = <T>(key: string, read: (n: YNode, path: string) => T | undefined): T | undefined => {
    const value = fields.present(key);
    return value === undefined ? undefined : read(value, fields.at(key));
  };
  const volumeMounts = optional('volumes', (n, p) => readVolumeMounts(n, p, ctx)) ?? [];
  const tmpfsMounts = optional('tmpfs', (n, p) => readTmpfsMounts(n, p, ctx)) ?? [];
  const spec: ServiceSpec = {
    name: ctx.service,
    stack: ctx.stack,
    image: image ?? '',
    command: optional('command', (n, p) => readCommand(n, p, ctx)),
    entrypoint: optional('entrypoint', (n, p) => readCommand(n, p, ctx)),
    env: readEnvironment(fields, ctx),
    user: optional('user', (n, p) => readString(n, p, ctx.r)),
    workingDir: optional('working_dir', (n, p) => readAbsolutePath(n, p, ctx)),
    hostname: optional('hostname', (n, p) => readHostname(n, p, ctx)),
    readOnlyRootfs: optional('read_only', (n, p) => readBool(n, p, ctx.r)) ?? false,
    containerLabels: optional('labels', (n, p) => readLabels(n, p, ctx.r)) ?? {},
    labels: deploy.labels,
    stopGracePeriodMs: optional('stop_grace_period', (n, p) => readDurationMs(n, p, ctx.r)) ?? stopGracePeriodMsDefault,
    stopSignal: optional('stop_signal', (n, p) => readSignal(n, p, ctx)),
    healthcheck: optional('healthcheck', (n, p) => readHealthcheck(n, p, ctx.r)),
    ports: optional('ports', (n, p) => readPorts(n, p, ctx.r)) ?? [],
    mounts: [...volumeMounts, ...tmpfsMounts],
    networks: readServiceNetworks(fields, ctx),
    dependsOn: optional('depends_on', (n, p) => readDependsOn(n, p, ctx)) ?? [],
    mode: deploy.mode,
    replicas: deploy.replicas,
    resources: deploy.resources,
    restartPolicy: deploy.restartPolicy,
    updateConfig: deploy.updateConfig,
    rollbackConfig: deploy.rollbackConfig,
    placement: deploy.placement,
    endpointMode: deploy.endpointMode,
  };
  checkEndpointMode(spec, fields, ctx);
  checkMountTargets(volumeMounts.length, spec, fields, ctx);
  return image === undefined ? undefined : spec;
}

function readImage(node: YNode, path: string, ctx: ServiceContext): string | undefined {
  const image = readString(node, path, ctx.r);
  if (image === undefined) return undefined;
  if (isImageReference(image)) return image;
  ctx.r.error(node.pos, path, `expected an image reference like busybox:1.36 or ghcr.io/org/app@sha256:..., got "${image}"`);
  return undefined;
}

/** A string is split into words like a shell would; a list is taken as it is. */
function readCommand(node: YNode, path: string, ctx: ServiceContext): string[] | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    try {
      return splitShellWords(node.value);
    } catch (err) {
      ctx.r.error(node.pos, path, (err as Error).message);
      return undefined;
    }
  }
  if (node.kind === 'seq') return readStringList(node, path, ctx.r);
  ctx.r.error(node.pos, path, `expected a command string or a list of strings, got ${describe(node)}`);
  return undefined;
}

function readAbsolutePath(node: YNode, path: string, ctx: ServiceContext): string | undefined {
  const text = readString(node, path, ctx.r);
  if (text === undefined || text.startsWith('/')) return text;
  ctx.r.error(node.pos, path, `expected an absolute path, got "${text}"`);
  return undefined;
}

const hostnamePattern = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function readHostname(node: YNode, path: string, ctx: ServiceContext): string | undefined {
  const text = readString(node, path, ctx.r);
  if (text === undefined) return undefined;
  // Templates are checked on their own; each stands in as one letter for the hostname rules.
  const plain = text.replace(/\{\{.*?\}\}/g, 'x');
  const problem = templateError(text) ?? (hostnamePattern.test(plain) ? undefined : `expected a hostname (letters, digits, hyphens and dots, templates allowed), got "${text}"`);
  if (problem !== undefined) ctx.r.error(node.pos, path, problem);
  return problem === undefined ? text : undefined;
}

function readSignal(node: YNode, path: string, ctx: ServiceContext): string | undefined {
  const text = readString(node, path, ctx.r);
  if (text === undefined || /^(SIG[A-Z0-9+-]+|\d+)$/.test(text)) return text;
  ctx.r.error(node.pos, path, `expected a signal name like SIGTERM or SIGQUIT, got "${text}"`);
  return undefined;
}

/** Service `networks`: a list of names or a mapping of name to options; none means `default`. */
function readServiceNetworks(fields: Fields, ctx: ServiceContext): string[] {
  const node = fields.present('networks');
  if (node === undefined) return ['default'];
  const path = fields.at('networks');
  const names: string[] = [];
  const add = (name: string, pos: YNode['pos'], at: string) => {
    if (name === 'default' || ctx.networks.has(name)) names.push(name);
    else ctx.r.error(pos, at, `network "${name}" is not declared under the top-level networks key${didYouMean(name, ctx.networks)}`);
  };
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const name = readString(item, child(path, i), ctx.r);
      if (name !== undefined) add(name, item.pos, child(path, i));
    });
  } else if (node.kind === 'map') {
    for (const entry of node.entries) {
      const isNull = entry.value.kind === 'scalar' && entry.value.value === null;
      if (!isNull) readFields(entry.value, child(path, entry.key), ctx.r, { known: [], ignored: ['aliases', 'ipv4_address', 'ipv6_address', 'priority'] });
      add(entry.key, entry.keyPos, child(path, entry.key));
    }
  } else {
    ctx.r.error(node.pos, path, `expected a list of network names or a mapping, got ${describe(node)}`);
  }
  return names;
}

/** DNS round robin gives no virtual IP for the routing mesh to balance to. */
function checkEndpointMode(spec: ServiceSpec, fields: Fields, ctx: ServiceContext): void {
  if (spec.endpointMode !== 'dnsrr' || !spec.ports.some((p) => p.mode === 'ingress')) return;
  ctx.r.error(fields.keyPos('ports'), fields.at('ports'), 'expected mode: host ports with endpoint_mode: dnsrr, got ingress ports (the routing mesh needs a virtual IP)');
}

/** Two mounts on one target would hide each other, so Docker refuses them too. */
function checkMountTargets(volumeCount: number, spec: ServiceSpec, fields: Fields, ctx: ServiceContext): void {
  const seen = new Set<string>();
  spec.mounts.forEach((mount, i) => {
    const key = i < volumeCount ? 'volumes' : 'tmpfs';
    if (seen.has(mount.target)) ctx.r.error(fields.keyPos(key), fields.at(key), `expected each mount target once, got "${mount.target}" more than once`);
    seen.add(mount.target);
  });
}
