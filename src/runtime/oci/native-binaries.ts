import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import { projectRoot } from '../../core/project-root.js';

/** Where swarmts-runtime and swarmts-monitor are: SWARMTS_RUNTIME_DIR, else the checkout's C build. */
export function nativeBinaryDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SWARMTS_RUNTIME_DIR'] ?? join(projectRoot(), 'runtime-native', 'build');
}

/** The path of a native binary, or NOT_FOUND saying how to build it. */
export function nativeBinary(name: 'swarmts-runtime' | 'swarmts-monitor', env: NodeJS.ProcessEnv = process.env): string {
  const path = join(nativeBinaryDir(env), name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new SwarmError('NOT_FOUND', `${name} is not built (looked for ${path}): run \`bash scripts/build-native.sh\``);
  }
  return path;
}
