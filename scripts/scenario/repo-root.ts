/**
 * The repository's root, found from this file whether it runs as TypeScript
 * (scripts/scenario/) or compiled (dist/scripts/scenario/).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scenarios'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root (package.json beside scenarios/) above ${start}`);
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The compiled `swarmts` entry point the scenarios run. */
export const swarmtsMain = join(repoRoot, 'dist', 'src', 'main.js');
