import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes a test's cgroup tree (`/swarmts-test-123` and everything below it) from every
 * hierarchy: v1 controllers, named hierarchies, and the unified one. Runtimes differ in
 * which controllers they use (crun makes a cgroup in each), so tests sweep them all.
 */
export function removeCgroupTree(relativePath: string): void {
  const roots = ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((d) => join('/sys/fs/cgroup', d))];
  for (const root of roots) removeDepthFirst(join(root, relativePath));
}

function removeDepthFirst(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return;
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = join(dir, entry);
    try {
      if (statSync(child).isDirectory()) removeDepthFirst(child);
    } catch {
      // a knob file or a cgroup that went away meanwhile
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // still has processes (a leak the test itself reports) or already gone
  }
}
