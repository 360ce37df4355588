import * as fs from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';

/**
 * Durable file-system steps. A file's data is durable after fsync, but its name (creation,
 * rename, unlink) only after an fsync of the directory that holds it.
 */

/** fsyncs a directory so entries created, renamed or removed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `dir/name` atomically: tmp file, fsync, rename, fsync dir. */
export function writeFileAtomic(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, data, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}

/** writeSync until every byte is written (a short write is legal), at `position`. */
export function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position + done);
  }
}

/** Wraps a node file-system error as IO_ERROR naming what was being done. */
export function ioError(what: string, err: unknown): SwarmError {
  return new SwarmError('IO_ERROR', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
