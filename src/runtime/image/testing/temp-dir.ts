import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentMounts } from '../mounts.js';
import { run } from '../../../core/run-command.js';

/**
 * A unique temp directory per test that is always removed, even with mounts left inside
 * it by a failed test (they are unmounted first, deepest first).
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `swarmts-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await removeTempDir(dir);
  }
}

/** Unmounts everything under `dir` and deletes it. */
export async function removeTempDir(dir: string): Promise<void> {
  const mounted = (await currentMounts()).map((m) => m.mountPoint).filter((p) => p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const point of mounted) await run('umount', ['-l', point]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/** Mount points under `dir` right now: tests assert this is empty after cleaning up. */
export async function mountsUnder(dir: string): Promise<string[]> {
  return (await currentMounts()).map((m) => m.mountPoint).filter((p) => p === dir || p.startsWith(`${dir}/`));
}
