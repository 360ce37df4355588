import { lstat, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import { DigestCounter } from './digest.js';
import { run } from '../../core/run-command.js';
import { openLayerTar } from './layer-stream.js';
import { memberPath, readTar } from './tar-reader.js';

/**
 * Unpacks one layer into a directory overlayfs can use as a lowerdir: GNU tar does the
 * extraction (hardlinks, devices, ownership, modes, xattrs), after our own pass has checked
 * every member, and OCI whiteouts are then turned into overlayfs ones.
 */

/** What the checking pass learned of a layer. */
export interface LayerScan {
  /** sha256 of the uncompressed tar: the layer's diff id. */
  diffId: string;
  /** `dir/.wh.NAME` members: NAME is deleted by this layer. Paths relative to the layer root. */
  whiteouts: string[];
  /** Directories (relative, '' for the root) made opaque by a `.wh..wh..opq` member. */
  opaqueDirs: string[];
}

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

function escapes(what: string, member: string, why: string): SwarmError {
  return new SwarmError('CORRUPT_DATA', `${what}: member "${member}" ${why}; refused`, { details: { member } });
}

/** True when `path` or one of its parents is in `links`. */
function throughSymlink(path: string, links: Set<string>): boolean {
  let at = path;
  for (;;) {
    const slash = at.lastIndexOf('/');
    if (slash < 0) return false;
    at = at.slice(0, slash);
    if (links.has(at)) return true;
  }
}

/**
 * Reads the layer once without writing anything: computes its diff id, lists whiteouts, and
 * refuses members that would land outside the layer directory (`..`, or a path through a
 * symlink the layer itself creates, which tar would follow), and hardlinks to such paths.
 */
export async function scanLayer(blobPath: string, what: string): Promise<LayerScan> {
  const counter = new DigestCounter();
  const source = await openLayerTar(blobPath, what);
  const hashed = (async function* () {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      counter.update(chunk);
      yield chunk;
    }
  })();
  const symlinks = new Set<string>();
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  try {
    await readTar(hashed, what, (entry) => {
      const path = memberPath(entry.name, what);
      if (path === undefined) return;
      if (throughSymlink(path, symlinks)) throw escapes(what, entry.name, 'is under a symlink the layer creates, so it could be written outside the layer');
      if (entry.type === 'symlink') symlinks.add(path);
      else symlinks.delete(path);
      if (entry.type === 'hardlink') {
        const target = memberPath(entry.linkname, what);
        if (target === undefined || throughSymlink(target, symlinks)) throw escapes(what, entry.name, `hardlinks to "${entry.linkname}", outside the layer`);
      }
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      const parent = slash < 0 ? '' : path.slice(0, slash);
      if (base === opaqueMarker) opaqueDirs.push(parent);
      else if (base.startsWith(whiteoutPrefix)) whiteouts.push(path);
    });
  } catch (err) {
    if (err instanceof SwarmError) throw err;
    throw new SwarmError('CORRUPT_DATA', `${what}: cannot read the layer: ${(err as Error).message}`, { cause: err });
  } finally {
    source.destroy();
  }
  return { diffId: counter.digest(), whiteouts, opaqueDirs };
}

/** Extracts the layer into `dir` (which must exist and be empty) and converts its whiteouts. */
export async function extractLayer(blobPath: string, dir: string, scan: LayerScan, what: string): Promise<void> {
  const source = await openLayerTar(blobPath, what);
  // trusted.overlay.* from an image would steer overlayfs itself (opaque dirs, redirects): only whiteouts may make those.
  await run('tar', ['-x', '-f', '-', '-C', dir, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '--xattrs-exclude=trusted.overlay.*'], {
    stdin: source, what: `unpacking ${what}`, code: 'CORRUPT_DATA',
  });
  for (const whiteout of scan.whiteouts) {
    const slash = whiteout.lastIndexOf('/');
    const name = whiteout.slice(slash + 1 + whiteoutPrefix.length);
    await rm(join(dir, whiteout), { force: true });
    // `.wh..wh.*` other than the opaque marker are aufs bookkeeping, meaningless to overlayfs.
    if (name.startsWith(whiteoutPrefix) || name === '') continue;
    const target = join(dir, dirname(whiteout), name);
    // A whiteout hides only lower layers' files: one this layer adds under the same name stays, and hides them itself.
    if (await lstat(target).then(() => true, () => false)) continue;
    await run('mknod', ['-m', '000', target, 'c', '0', '0'], { what: `whiteout in ${what}` });
  }
  for (const parent of scan.opaqueDirs) {
    const target = join(dir, parent);
    await rm(join(target, opaqueMarker), { force: true });
    await mkdir(target, { recursive: true });
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', target], { what: `opaque directory in ${what} (needs the attr package)` });
  }
}
