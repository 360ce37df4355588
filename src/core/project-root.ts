import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root folder: the nearest parent holding swarmts's package.json. Works
 * from src/ (tsx) and from dist/ (compiled) alike; finds the C build, scripts and examples.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'swarmts') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find swarmts's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
