import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';
import { isObjectName } from '../spec/names.js';

/** Folder under the volumes directory for anonymous volumes, apart from named ones (a named volume cannot start with `_`). */
const anonymousFolder = '_anonymous';

/**
 * A node's local volumes: plain directories under one folder. A named volume
 * (`${stack}_${name}`) is made at its first use and kept, so the next task of the same slot
 * finds the data its predecessor wrote. An anonymous volume belongs to one task and goes
 * with its container.
 */
export class LocalVolumes {
  constructor(readonly dir: string) {}

  /** The directory of the named volume `name`, made if missing. INVALID_ARGUMENT for a name that is not a volume name. */
  async named(name: string): Promise<string> {
    if (!isObjectName(name)) {
      throw new SwarmError('INVALID_ARGUMENT', `volume name "${name}": expected letters, digits, "_", "." and "-", starting with a letter or digit`);
    }
    const path = join(this.dir, name);
    await this.make(path);
    return path;
  }

  /** The directory of a task's `index`th anonymous volume, made if missing. */
  async anonymous(taskId: string, index: number): Promise<string> {
    const path = join(this.dir, anonymousFolder, taskId, String(index));
    await this.make(path);
    return path;
  }

  /** Deletes a task's anonymous volumes (none is fine). */
  async removeAnonymous(taskId: string): Promise<void> {
    if (taskId.includes('/') || taskId === '' || taskId === '.' || taskId === '..') return;
    await rm(join(this.dir, anonymousFolder, taskId), { recursive: true, force: true });
  }

  private async make(path: string): Promise<void> {
    try {
      await mkdir(path, { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new SwarmError('IO_ERROR', `creating volume directory ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
}
