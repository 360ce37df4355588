import { mkdirSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { ClusterControl } from './cluster/cluster-control.js';
import { ApiServer } from './api-server.js';
import type { DaemonOptions } from './daemon-options.js';
import { registerRoutes } from './api-routes.js';
import { HttpRouter } from './http-router.js';
import { openNodeRuntime } from './node-runtime.js';
import { nodePaths } from './paths.js';
import { StateLock } from './state-lock.js';

/** A started daemon. Stopping it leaves containers running under their monitors. */
export interface RunningDaemon {
  stop(): Promise<void>;
}

/**
 * Starts one node's daemon: takes the state directory's lock, opens the image store and
 * the container runtime, finds the containers a previous daemon left, and serves the API.
 */
export async function startDaemon(options: DaemonOptions, log: Logger): Promise<RunningDaemon> {
  const paths = nodePaths(options.stateDir, options.nodeName);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const lock = StateLock.acquire(paths.pidFile);
  try {
    const node = await openNodeRuntime(paths, options, log);
    await node.recover();
    const cluster = new ClusterControl(paths.stateDir, options.nodeName, log, {
      runtime: node.runtime, images: node.images, volumesDir: paths.volumes, network: options.network === 'overlay' ? { dir: paths.network, loadBalancer: options.loadBalancer } : undefined,
    });
    // A node that cannot rejoin still serves its API, so that `leave --force` and the containers stay reachable.
    await cluster.boot().catch((err: unknown) => log.error(`could not rejoin the cluster: ${errorMessage(err)}`));
    const router = registerRoutes(new HttpRouter(log.child('api')), { ...node, cluster });
    const server = await ApiServer.listen(paths.socket, router);
    log.info('daemon ready', { node: options.nodeName, socket: paths.socket, runtime: options.ociRuntime, stateDir: paths.stateDir });
    return {
      async stop() {
        await server.close();
        await cluster.close();
        node.runtime.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
