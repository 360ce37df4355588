import { InvalidArgumentError } from 'commander';
import type { ServiceSpec } from '../spec/service-spec.js';
import { keyValue } from './options.js';

/** The flags of `service update`, as commander collected them. */
export interface ServiceEditFlags {
  image?: string;
  replicas?: number;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
}

/** Whether the flags ask for any change at all. */
export function hasServiceEdits(flags: ServiceEditFlags): boolean {
  return [flags.image, flags.replicas, flags.envAdd, flags.envRm, flags.labelAdd, flags.labelRm].some((f) => f !== undefined);
}

/**
 * The service's spec with the flags applied (removals before additions, as docker does);
 * throws InvalidArgumentError, a usage error, when the service cannot take them.
 */
export function editServiceSpec(spec: ServiceSpec, flags: ServiceEditFlags): ServiceSpec {
  if (flags.replicas !== undefined && spec.mode === 'global') throw new InvalidArgumentError(`--replicas: ${spec.stack}_${spec.name} is a global service (one task per node); it has no replica count`);
  const env = { ...spec.env };
  for (const key of flags.envRm ?? []) delete env[key];
  for (const [key, value] of (flags.envAdd ?? []).map((e) => keyValue(e, '--env-add'))) env[key] = value;
  const labels = { ...spec.labels };
  for (const key of flags.labelRm ?? []) delete labels[key];
  for (const [key, value] of (flags.labelAdd ?? []).map((l) => keyValue(l, '--label-add'))) labels[key] = value;
  return { ...spec, image: flags.image ?? spec.image, replicas: flags.replicas ?? spec.replicas, env, labels };
}
