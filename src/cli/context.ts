import { ApiClient } from '../daemon/api-client.js';
import { defaultStateDir, socketPathFor } from '../daemon/api-socket.js';

/** Options every command shares. */
export interface GlobalOptions {
  stateDir?: string;
  socket?: string;
}

/** The daemon a command talks to: --socket, else SWARMTS_SOCKET, else the state dir's socket. */
export function clientFor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const socket = options.socket ?? env['SWARMTS_SOCKET'] ?? socketPathFor(stateDirFrom(options, env));
  return new ApiClient(socket);
}

/** --state-dir, else SWARMTS_STATE_DIR, else /var/lib/swarmts. */
export function stateDirFrom(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.stateDir ?? env['SWARMTS_STATE_DIR'] ?? defaultStateDir;
}

/** Thrown by a command to end with a given exit code after printing nothing more. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
