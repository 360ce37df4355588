import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { ContainerInfo } from './runtime.js';

/**
 * Where one container's files live, and its record on disk: `<containers>/<id>/` holds
 * `container.json` (the record), `bundle/config.json`, `container.log*` and `exit.json`.
 */
export interface ContainerFiles {
  dir: string;
  record: string;
  bundle: string;
  log: string;
  exitFile: string;
}

export function containerFiles(containersDir: string, id: string): ContainerFiles {
  const dir = join(containersDir, id);
  return { dir, record: join(dir, 'container.json'), bundle: join(dir, 'bundle'), log: join(dir, 'container.log'), exitFile: join(dir, 'exit.json') };
}

/** Writes the record atomically (temp file + rename), so a crash leaves the old or the new one. */
export async function saveRecord(files: ContainerFiles, info: ContainerInfo): Promise<void> {
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  const tmp = `${files.record}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  await rename(tmp, files.record);
}

/** Every readable record under the containers directory; unreadable ones are logged and skipped. */
export async function loadRecords(containersDir: string, log: Logger): Promise<ContainerInfo[]> {
  let ids: string[];
  try {
    ids = await readdir(containersDir);
  } catch {
    return [];
  }
  const records: ContainerInfo[] = [];
  for (const id of ids) {
    const files = containerFiles(containersDir, id);
    try {
      records.push(JSON.parse(await readFile(files.record, 'utf8')) as ContainerInfo);
    } catch (err) {
      log.warn('skipping a container directory without a readable record', { dir: files.dir, error: (err as Error).message });
    }
  }
  return records;
}

export async function removeFiles(files: ContainerFiles): Promise<void> {
  await rm(files.dir, { recursive: true, force: true });
}
