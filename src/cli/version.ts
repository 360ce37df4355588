import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder: the nearest parent holding swarmts's package.json (src/ and dist/ alike). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !readFileSync(join(dir, 'package.json'), 'utf8').includes('"name": "swarmts"')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find swarmts's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The version the CLI and the daemon report: package.json's. */
export const cliVersion: string = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version;
