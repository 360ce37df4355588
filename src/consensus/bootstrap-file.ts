import * as fs from 'node:fs';
import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';
import { writeFileAtomic, ioError } from '../raft/storage/fs-sync.js';
import type { ConfState } from '../raft/types.js';

/**
 * The membership a cluster began with: raft's index-0 snapshot, which carries only a
 * configuration and which the WAL cannot hold (its snapshots start at index 1). It is
 * written once, durably, before raft may act on it: by the first node of a new cluster
 * before it starts, and by a joining node when the leader sends it. Until the node takes
 * a real snapshot, every restart begins from it.
 */

/** The file's name in the service directory. */
export const bootstrapFileName = 'bootstrap.json';

/** Reads the bootstrap membership, undefined when the file does not exist. CORRUPT_DATA when it is damaged. */
export function readBootstrap(dir: string): ConfState | undefined {
  const path = join(dir, bootstrapFileName);
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`reading ${path}`, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `${path}: not JSON; it was written atomically, so the disk is damaged`, { cause: err, details: { file: path } });
  }
  const v = value as { voters?: unknown; learners?: unknown } | null;
  const ids = (x: unknown): x is string[] => Array.isArray(x) && x.every((id) => typeof id === 'string' && id !== '');
  if (v === null || typeof v !== 'object' || !ids(v.voters) || !ids(v.learners) || v.voters.length === 0) {
    throw new SwarmError('CORRUPT_DATA', `${path}: expected {"voters": [at least one id], "learners": [ids]}, got ${text.slice(0, 200)}`, { details: { file: path } });
  }
  return { voters: v.voters, learners: v.learners };
}

/** Writes the bootstrap membership durably (temporary file, fsync, rename, directory fsync). */
export function writeBootstrap(dir: string, confState: ConfState): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(dir, bootstrapFileName, new TextEncoder().encode(JSON.stringify({ voters: confState.voters, learners: confState.learners }) + '\n'));
  } catch (err) {
    throw ioError(`writing ${join(dir, bootstrapFileName)}`, err);
  }
}
