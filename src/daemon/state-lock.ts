import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { SwarmError } from '../core/errors.js';

/**
 * One daemon per state directory: a pid file created exclusively. A pid file whose process
 * is gone (the daemon was killed) is taken over; a live one is refused with a clear error.
 */
export class StateLock {
  private constructor(private readonly path: string) {}

  static acquire(path: string): StateLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new StateLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(readFileSync(path, 'utf8').trim());
        if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
          throw new SwarmError('CONFLICT', `another swarmts daemon (pid ${holder}) is using this state directory (${path}); stop it first, or give this one its own --state-dir`);
        }
        unlinkSync(path);
      }
    }
    throw new SwarmError('CONFLICT', `could not take the state lock ${path}`);
  }

  release(): void {
    try {
      if (Number(readFileSync(this.path, 'utf8').trim()) === process.pid) unlinkSync(this.path);
    } catch {
      // already gone: nothing to release
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
