import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import { ContainerManager } from '../runtime/container-manager.js';
import { ImageStore, LocalImages } from '../runtime/image/index.js';
import { buildBundleConfig } from '../runtime/oci/bundle-config.js';
import { nativeBinary } from '../runtime/oci/native-binaries.js';
import { defaultOciRuntimeConfig, OciRuntime } from '../runtime/oci/oci-runtime.js';
import { SwarmError } from '../core/errors.js';
import { swarmtsVersion } from '../core/version.js';
import type { ApiComponents } from './api-routes.js';
import { apiVersion, type InfoResponse } from './api-types.js';
import type { DaemonOptions } from './daemon-options.js';
import type { NodePaths } from './paths.js';

/** The node's image store and container runtime, wired for the API. */
export interface NodeRuntime extends Omit<ApiComponents, 'cluster'> {
  runtime: ContainerManager;
  /** Finds the containers a previous daemon left and removes roots nobody owns. */
  recover(): Promise<void>;
}

/** Opens the image store and the container manager under the daemon's paths. */
export async function openNodeRuntime(paths: NodePaths, options: DaemonOptions, log: Logger): Promise<NodeRuntime> {
  const ociRuntime = resolveOciRuntime(options.ociRuntime);
  const store = await ImageStore.open(paths.images);
  let runtime: ContainerManager | undefined;
  const images = new LocalImages({ store, rootfsRoot: paths.rootfs, inUse: (imageId) => runtime?.usesImage(imageId) ?? true });
  runtime = new ContainerManager({
    containersDir: paths.containers,
    cgroupParent: paths.cgroupParent,
    images,
    oci: new OciRuntime(defaultOciRuntimeConfig({ runtimePath: ociRuntime, runtimeRoot: paths.runtimeRoot, monitorPath: nativeBinary('swarmts-monitor') })),
    buildBundleConfig,
    log: log.child('containers'),
  });
  const manager = runtime;
  const info = async (): Promise<InfoResponse> => {
    const containers = await manager.list();
    return {
      apiVersion, version: swarmtsVersion, nodeName: options.nodeName, stateDir: paths.stateDir, ociRuntime,
      cgroupVersion: statfsSync('/sys/fs/cgroup').type === 0x63677270 ? 2 : 1,
      containers: { total: containers.length, running: containers.filter((c) => c.state === 'running').length },
      images: (await images.list()).length,
    };
  };
  return {
    runtime: manager,
    images,
    info,
    async recover() {
      await manager.recover();
      const removed = await images.cleanLeftovers((id) => manager.owns(id));
      if (removed.length > 0) log.info('removed container roots no container owns', { count: removed.length });
    },
  };
}

/** swarmts-runtime (the default), crun, runc (found on PATH), or a path to any OCI runtime. */
function resolveOciRuntime(name: string): string {
  if (name === 'swarmts-runtime') return nativeBinary('swarmts-runtime');
  if (name.includes('/')) return name;
  try {
    return execFileSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new SwarmError('INVALID_ARGUMENT', `--runtime ${name}: not found on PATH; give swarmts-runtime, crun, runc or a path to an OCI runtime`);
  }
}
