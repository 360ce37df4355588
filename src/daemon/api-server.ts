import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { SwarmError } from '../core/errors.js';
import type { HttpRouter } from './http-router.js';

/**
 * The local API's listener: HTTP on a Unix socket that only root may open (mode 0600 in
 * a 0700 directory), since whoever talks to it can run anything on the machine.
 */
export class ApiServer {
  private constructor(private readonly server: Server, private readonly socketPath: string) {}

  static async listen(socketPath: string, router: HttpRouter): Promise<ApiServer> {
    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
    try {
      unlinkSync(socketPath); // a stale socket from a daemon that died; the state lock says none runs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const server = createServer(router.handle);
    // Streams (log follow, wait) may be idle for a long time.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new SwarmError('UNAVAILABLE', `cannot listen on ${socketPath}: ${err.message}`)));
      const oldMask = process.umask(0o177);
      server.listen(socketPath, () => {
        process.umask(oldMask);
        resolve();
      });
    });
    chmodSync(socketPath, 0o600);
    return new ApiServer(server, socketPath);
  }

  /** Stops accepting, ends open streams, and removes the socket. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already removed
    }
  }
}
