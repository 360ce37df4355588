import { SwarmError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import type { ContainerSpec, MountSpec, NetworkAttachment } from '../runtime/runtime.js';

/**
 * Checks a container spec that arrived over the API and returns a clean copy. Every
 * problem is listed in one INVALID_ARGUMENT error, each naming the field and what it takes.
 */
export function validateContainerSpec(input: unknown): ContainerSpec {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null) throw new SwarmError('INVALID_ARGUMENT', 'spec: expected an object');
  const s = input as Record<string, unknown>;
  const str = (key: string, required = false): string | undefined => {
    const v = s[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.length === 0) problems.push(`spec.${key}: expected a non-empty string, got ${JSON.stringify(v)}`);
    return typeof v === 'string' ? v : undefined;
  };
  const strList = (key: string, value: unknown = s[key]): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) {
      problems.push(`spec.${key}: expected a list of strings, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  };
  const positive = (key: string, value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) problems.push(`spec.${key}: expected a positive number, got ${JSON.stringify(value)}`);
    return typeof value === 'number' ? value : undefined;
  };

  const image = str('image', true);
  const name = str('name');
  if (name !== undefined && !isValidName(name)) problems.push(`spec.name: "${name}" is not a valid name: use letters, digits, '_', '.', '-', starting with a letter or digit, at most 63 characters`);
  const env = strList('env') ?? [];
  for (const e of env) if (!/^[^=]+=/.test(e)) problems.push(`spec.env: "${e}" is not KEY=value`);
  const labels = (s['labels'] ?? {}) as Record<string, unknown>;
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) problems.push('spec.labels: expected an object of string values');
  const r = (s['resources'] ?? {}) as Record<string, unknown>;
  const resources = {
    memoryBytes: positive('resources.memoryBytes', r['memoryBytes']),
    nanoCpus: positive('resources.nanoCpus', r['nanoCpus']),
    pidsLimit: positive('resources.pidsLimit', r['pidsLimit']),
  };
  const network = validateNetwork(s['network'], problems);
  const mounts = validateMounts(s['mounts'], problems);
  const stopTimeoutMs = s['stopTimeoutMs'] === undefined ? undefined : positive('stopTimeoutMs', s['stopTimeoutMs']);
  const command = strList('command');
  const entrypoint = strList('entrypoint');
  if (problems.length > 0) throw new SwarmError('INVALID_ARGUMENT', `invalid container spec:\n  ${problems.join('\n  ')}`, { details: { problems } });

  const spec: ContainerSpec = {
    image: image!, env, labels: labels as Record<string, string>, network, mounts,
    readOnlyRootfs: s['readOnlyRootfs'] === true, resources: Object.fromEntries(Object.entries(resources).filter(([, v]) => v !== undefined)),
  };
  const optional = { name, command, entrypoint, workingDir: str('workingDir'), user: str('user'), hostname: str('hostname'), stopSignal: str('stopSignal'), stopTimeoutMs };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (spec as unknown as Record<string, unknown>)[key] = value;
  return spec;
}

function validateNetwork(value: unknown, problems: string[]): NetworkAttachment {
  if (value === undefined) return { mode: 'none' };
  const v = value as Record<string, unknown>;
  if (v?.['mode'] === 'none' || v?.['mode'] === 'host') return { mode: v['mode'] };
  if (v?.['mode'] === 'netns' && typeof v['path'] === 'string' && v['path'].startsWith('/')) return { mode: 'netns', path: v['path'] };
  problems.push(`spec.network: expected {mode: "none"}, {mode: "host"} or {mode: "netns", path: "/abs/path"}, got ${JSON.stringify(value)}`);
  return { mode: 'none' };
}

function validateMounts(value: unknown, problems: string[]): MountSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('spec.mounts: expected a list');
    return [];
  }
  return value.flatMap((m: Record<string, unknown>, i) => {
    const type = m?.['type'];
    const target = m?.['target'];
    if ((type !== 'bind' && type !== 'tmpfs') || typeof target !== 'string' || !target.startsWith('/')) {
      problems.push(`spec.mounts[${i}]: expected {type: "bind"|"tmpfs", target: "/abs/path", ...}, got ${JSON.stringify(m)}`);
      return [];
    }
    const source = typeof m['source'] === 'string' ? m['source'] : '';
    if (type === 'bind' && !source.startsWith('/')) {
      problems.push(`spec.mounts[${i}].source: a bind mount needs an absolute host path, got ${JSON.stringify(m['source'])}`);
      return [];
    }
    const mount: MountSpec = { type, source, target, readOnly: m['readOnly'] === true };
    if (typeof m['tmpfsSizeBytes'] === 'number') mount.tmpfsSizeBytes = m['tmpfsSizeBytes'];
    return [mount];
  });
}
