import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { SwarmError } from '../core/errors.js';
import type { TaskRecord } from '../cluster/records.js';
import type { MountSpec } from '../runtime/runtime.js';
import type { TemplateContext } from '../spec/template.js';
import { expandTaskTemplate } from './container-spec.js';
import type { LocalVolumes } from './volumes.js';

/**
 * Turns a task's mounts into the runtime's: templates in sources expanded, bind sources
 * checked to exist (Swarm rejects the task rather than create the path), named volumes
 * made as directories (`${stack}_${name}`) and bound, anonymous volumes made per task,
 * tmpfs passed through. Throws a SwarmError saying which mount is wrong.
 */
export async function resolveTaskMounts(task: TaskRecord, ctx: TemplateContext, volumes: LocalVolumes): Promise<MountSpec[]> {
  const resolved: MountSpec[] = [];
  for (const [index, mount] of task.spec.mounts.entries()) {
    const where = `mounts[${index}] (target ${mount.target})`;
    switch (mount.type) {
      case 'bind': {
        const source = expandTaskTemplate(mount.source, `${where} source`, ctx);
        await checkBindSource(source, where);
        resolved.push({ type: 'bind', source, target: mount.target, readOnly: mount.readOnly });
        break;
      }
      case 'volume': {
        const name = expandTaskTemplate(mount.source, `${where} source`, ctx);
        const source = name === '' ? await volumes.anonymous(task.id, index) : await volumes.named(`${task.spec.stack}_${name}`);
        resolved.push({ type: 'bind', source, target: mount.target, readOnly: mount.readOnly });
        break;
      }
      case 'tmpfs':
        resolved.push({
          type: 'tmpfs', source: '', target: mount.target, readOnly: mount.readOnly,
          ...(mount.tmpfsSizeBytes !== undefined ? { tmpfsSizeBytes: mount.tmpfsSizeBytes } : {}),
        });
        break;
    }
  }
  return resolved;
}

async function checkBindSource(source: string, where: string): Promise<void> {
  if (!isAbsolute(source)) throw new SwarmError('INVALID_ARGUMENT', `${where}: bind source "${source}" is not an absolute path`);
  try {
    await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SwarmError('NOT_FOUND', `${where}: bind source path does not exist: ${source}`);
    throw new SwarmError('IO_ERROR', `${where}: checking bind source ${source}: ${(err as Error).message}`, { cause: err });
  }
}
