import { join } from 'node:path';
import { SwarmError } from '../core/errors.js';
import { MemoryStorage } from '../raft/log-storage.js';
import { openWal, type FileWal } from '../raft/storage/file-wal.js';
import type { ConfState, Snapshot } from '../raft/types.js';
import { readBootstrap, writeBootstrap } from './bootstrap-file.js';

/**
 * Start-up from disk: the WAL in `<dir>/wal`, the bootstrap membership in
 * `<dir>/bootstrap.json`, rebuilt into raft's MemoryStorage. Only what was fsynced is
 * there, which is what makes a kill -9 safe.
 */

/** The WAL's directory inside the service directory. */
export function walDirOf(dir: string): string {
  return join(dir, 'wal');
}

/** What a (re)start begins from. */
export interface LoadedDisk {
  wal: FileWal;
  storage: MemoryStorage;
  /** The snapshot to restore the state machine from; undefined when it starts in its initial state. */
  snapshot: Snapshot | undefined;
  /** What the WAL repaired on open (a torn tail), for the log. */
  warnings: string[];
}

/** The index-0 snapshot: only a membership, no state. */
export function bootstrapSnapshot(confState: ConfState): Snapshot {
  return { meta: { index: 0, term: 0, confState }, data: new Uint8Array() };
}

/**
 * Opens the node's disk. `bootstrapVoters` is used only by a brand-new node (empty WAL, no
 * bootstrap file): non-empty for the first node of a new cluster, empty for a node that
 * joins (it learns the membership from the leader's snapshot). CORRUPT_DATA when the WAL
 * holds entries but nothing says which membership they start from.
 */
export function loadDisk(dir: string, bootstrapVoters: readonly string[]): LoadedDisk {
  const opened = openWal(walDirOf(dir));
  const { hardState, snapshot, entries } = opened.state;
  try {
    const storage = new MemoryStorage();
    if (snapshot !== undefined) {
      storage.applySnapshot(snapshot);
    } else {
      storage.applySnapshot(bootstrapSnapshot(startingMembership(dir, bootstrapVoters, hardState.term === 0 && entries.length === 0, entries.length)));
    }
    storage.setHardState(hardState);
    storage.append(entries);
    return { wal: opened.wal, storage, snapshot, warnings: opened.warnings };
  } catch (err) {
    opened.wal.close();
    throw err;
  }
}

function startingMembership(dir: string, bootstrapVoters: readonly string[], walEmpty: boolean, entryCount: number): ConfState {
  const saved = readBootstrap(dir);
  if (saved !== undefined) return saved;
  if (entryCount > 0) {
    throw new SwarmError('CORRUPT_DATA', `${walDirOf(dir)} holds ${entryCount} entries but neither a snapshot nor ${join(dir, 'bootstrap.json')} says which membership they start from; refusing to start`, {
      details: { file: join(dir, 'bootstrap.json') },
    });
  }
  if (walEmpty && bootstrapVoters.length > 0) {
    const confState = { voters: [...bootstrapVoters], learners: [] };
    writeBootstrap(dir, confState);
    return confState;
  }
  // A joining node: no membership until the leader's snapshot brings one.
  return { voters: [], learners: [] };
}
