import { join } from 'node:path';
import { socketPathFor } from './api-socket.js';

/**
 * Every path, socket, cgroup parent and device name one daemon creates, derived from its
 * state directory and node name, so that daemons side by side (one per network-namespace
 * "host" in scenarios) never collide.
 */
export interface NodePaths {
  stateDir: string;
  /** The local API socket (root only). */
  socket: string;
  /** Held with an exclusive lock while a daemon runs on this state directory. */
  pidFile: string;
  images: string;
  containers: string;
  /** Overlayfs upper/work/merged directories of running containers. */
  rootfs: string;
  /** State directory handed to the OCI runtime (`--root`). */
  runtimeRoot: string;
  /** cgroup parent of every container of this node, relative to each hierarchy's root. */
  cgroupParent: string;
  logFile: string;
  /** Named volumes of tasks: `<volumes>/<stack>_<name>`. */
  volumes: string;
  /** Service networking: task namespaces' records and resolver files. */
  network: string;
}

/** Paths for a daemon with this state directory and node name. */
export function nodePaths(stateDir: string, nodeName: string): NodePaths {
  return {
    stateDir,
    socket: socketPathFor(stateDir),
    pidFile: join(stateDir, 'daemon.pid'),
    images: join(stateDir, 'images'),
    containers: join(stateDir, 'containers'),
    rootfs: join(stateDir, 'rootfs'),
    runtimeRoot: join(stateDir, 'runtime'),
    cgroupParent: `/swarmts/${cgroupSafe(nodeName)}`,
    logFile: join(stateDir, 'daemon.log'),
    volumes: join(stateDir, 'volumes'),
    network: join(stateDir, 'network'),
  };
}

function cgroupSafe(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
