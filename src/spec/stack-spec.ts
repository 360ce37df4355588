import type { ServiceSpec } from './service-spec.js';

/**
 * A network of a stack. Unless `external`, the cluster creates it as `${stack}_${name}`;
 * an external one must already exist under `externalName`.
 */
export interface NetworkSpec {
  name: string;
  driver: string;
  external: boolean;
  externalName: string | undefined;
  attachable: boolean;
  labels: Record<string, string>;
}

/** A named volume of a stack; created per node as `${stack}_${name}` unless `external`. */
export interface VolumeSpec {
  name: string;
  driver: string;
  external: boolean;
  externalName: string | undefined;
  labels: Record<string, string>;
}

/** A parsed, validated stack file: services in file order, networks and volumes by name. */
export interface StackSpec {
  name: string;
  services: ServiceSpec[];
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
}
