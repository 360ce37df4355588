import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../core/logger.js';
import { ApiServer } from './api-server.js';
import { HttpRouter } from './http-router.js';
import { MemoryOrchestrationService } from './memory-orchestration-service.js';
import { registerOrchestrationRoutes } from './orchestration-routes.js';

/** For tests: the real router and API server on a socket in a temp dir, in front of a MemoryOrchestrationService. */
export interface OrchestrationTestServer {
  /** The temp dir; `close()` removes it with everything tests wrote there. */
  dir: string;
  socket: string;
  fake: MemoryOrchestrationService;
  close(): Promise<void>;
}

export async function startOrchestrationTestServer(): Promise<OrchestrationTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmts-orchestration-'));
  const socket = join(dir, 'api', 'swarmts.sock');
  const fake = new MemoryOrchestrationService(Date.now());
  const router = registerOrchestrationRoutes(new HttpRouter(new Logger({ level: 'error', format: 'text', sink: () => undefined })), fake);
  const server = await ApiServer.listen(socket, router);
  return {
    dir, socket, fake,
    close: async () => {
      fake.endStreams();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
