import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import { run } from '../../core/run-command.js';
import type { LayerStore } from './layer-store.js';
import { currentMounts } from './mounts.js';

/**
 * Overlayfs roots of containers: `<rootfsRoot>/<containerId>/{upper,work,merged}`, with the
 * image's unpacked layers as read-only lowerdirs. Mounts are made by the `mount` command
 * from inside the layer store's `l/` directory, so each lower is a short relative name.
 */

/** Mount option strings longer than this are refused by the kernel (one page, less the NUL). */
export const mountOptionBytesMax = 4095;

const containerIdPattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** The directories of one container's root. */
export interface RootfsPaths {
  dir: string;
  upper: string;
  work: string;
  merged: string;
  /** An empty lowerdir for images without layers: overlayfs needs at least one. */
  empty: string;
}

/** Creates, finds and removes container roots under one directory. */
export class RootfsManager {
  private readonly mounting = new Map<string, Promise<string>>();

  constructor(readonly rootfsRoot: string, private readonly layers: LayerStore) {}

  paths(containerId: string): RootfsPaths {
    if (!containerIdPattern.test(containerId)) {
      throw new SwarmError('INVALID_ARGUMENT', `container id ${JSON.stringify(containerId)}: expected 1-128 of [a-zA-Z0-9_.-], starting with a letter or digit`);
    }
    const dir = join(this.rootfsRoot, containerId);
    return { dir, upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged'), empty: join(dir, 'empty') };
  }

  async isMounted(containerId: string): Promise<boolean> {
    const merged = this.paths(containerId).merged;
    return (await currentMounts()).some((m) => m.mountPoint === merged);
  }

  /**
   * Mounts the container's root over the layers `diffIds` (bottom first), keeping an upper
   * layer from an earlier mount. Returns the merged path; a root already mounted is returned
   * as it is, and concurrent calls for one container share one mount.
   */
  async mount(containerId: string, diffIds: readonly string[]): Promise<string> {
    const pending = this.mounting.get(containerId);
    if (pending) return pending;
    const mounted = this.mountOnce(containerId, diffIds).finally(() => this.mounting.delete(containerId));
    this.mounting.set(containerId, mounted);
    return mounted;
  }

  private async mountOnce(containerId: string, diffIds: readonly string[]): Promise<string> {
    const p = this.paths(containerId);
    if (await this.isMounted(containerId)) return p.merged;
    for (const d of [p.upper, p.work, p.merged]) await mkdir(d, { recursive: true, mode: 0o755 });
    const lowers: string[] = [];
    for (const diffId of [...diffIds].reverse()) lowers.push(await this.layers.shortName(diffId));
    if (lowers.length === 0) {
      await mkdir(p.empty, { recursive: true });
      lowers.push(p.empty);
    }
    const options = `lowerdir=${lowers.join(':')},upperdir=${p.upper},workdir=${p.work}`;
    if (options.length > mountOptionBytesMax) {
      throw new SwarmError('INVALID_ARGUMENT', `the overlay mount options for ${diffIds.length} layers take ${options.length} bytes, over the kernel's ${mountOptionBytesMax}; use a shorter state directory path`);
    }
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, p.merged], {
      cwd: this.layers.linksDir, code: 'RUNTIME_ERROR', what: `mounting the root of container ${containerId}`,
    });
    return p.merged;
  }

  /** Unmounts the root and keeps its upper layer. Not mounted is fine. */
  async unmount(containerId: string): Promise<void> {
    const merged = this.paths(containerId).merged;
    if (!(await this.isMounted(containerId))) return;
    try {
      await run('umount', [merged], { code: 'RUNTIME_ERROR', what: `unmounting the root of container ${containerId}` });
    } catch (err) {
      // Busy (a process still holds a file): detach it now; the kernel frees it when released.
      await run('umount', ['-l', merged], { code: 'RUNTIME_ERROR', what: `detaching the root of container ${containerId}` }).catch(() => { throw err; });
    }
  }

  /** Unmounts the root and deletes its upper, work and merged directories. */
  async remove(containerId: string): Promise<void> {
    await this.unmount(containerId);
    await rm(this.paths(containerId).dir, { recursive: true, force: true });
  }

  /** Ids of every container with a directory here. */
  async list(): Promise<string[]> {
    const names = await readdir(this.rootfsRoot).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names) {
      if (containerIdPattern.test(name) && (await stat(join(this.rootfsRoot, name)).then((s) => s.isDirectory(), () => false))) out.push(name);
    }
    return out;
  }

  /**
   * After a crash: unmounts and deletes every root here that no container owns, including
   * overlay mounts whose directories are otherwise gone. Returns the ids removed.
   */
  async cleanLeftovers(isOwned: (containerId: string) => boolean): Promise<string[]> {
    const prefix = this.rootfsRoot.endsWith('/') ? this.rootfsRoot : `${this.rootfsRoot}/`;
    const ids = new Set(await this.list());
    for (const m of await currentMounts()) {
      if (!m.mountPoint.startsWith(prefix)) continue;
      const id = m.mountPoint.slice(prefix.length).split('/')[0]!;
      if (containerIdPattern.test(id)) ids.add(id);
    }
    const removed: string[] = [];
    for (const id of [...ids].sort()) {
      if (isOwned(id)) continue;
      await this.remove(id);
      removed.push(id);
    }
    return removed;
  }
}
