import { join } from 'node:path';

/**
 * Where a daemon's API socket is, shared by the daemon and its clients: both derive it
 * from the state directory, so `--state-dir` alone picks which daemon a CLI talks to.
 */

/** The default state directory of a machine's one daemon. */
export const defaultStateDir = '/var/lib/swarmts';

/** The default API socket, for the default state directory. */
export const defaultSocketPath = '/run/swarmts/swarmts.sock';

/** The API socket of the daemon with this state directory. */
export function socketPathFor(stateDir: string): string {
  return stateDir === defaultStateDir ? defaultSocketPath : join(stateDir, 'swarmts.sock');
}
