import { posix } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import type { BlobStore } from './blob-store.js';
import { memberPath, readTar } from './tar-reader.js';

/**
 * The files of an image archive (OCI layout tar or `docker save` tarball) read in one pass
 * from a stream: files under `blobs/sha256/` go straight into the blob store, verified
 * against their names; other large files (docker-save layer tars) are stored under their
 * computed digest; small files (JSON) stay in memory. Symlinks and hardlinks, which
 * `docker save` uses to share layers, are followed within the archive only.
 */

/** Files up to this size are kept in memory: manifests and configs, never layers. */
export const smallFileBytesMax = 1024 * 1024;

/** Bound on the memory held by small files of one archive. */
export const smallFilesBytesMax = 64 * 1024 * 1024;

/** Links followed in a row before a path is declared a loop. */
const linkHopsMax = 16;

const blobPathPattern = /^blobs\/sha256\/([a-f0-9]{64})$/;

export class ArchiveFiles {
  private readonly small = new Map<string, Buffer>();
  private readonly stored = new Map<string, string>();
  private readonly links = new Map<string, string>();
  /** Digests this archive put into the blob store, for pinning and clean-up. */
  readonly storedDigests = new Set<string>();

  private constructor(readonly blobStore: BlobStore, readonly what: string, private readonly onStored: (digest: string) => void) {}

  /** Reads the whole archive. `onStored` is told each blob digest as it lands, to pin it. */
  static async read(source: AsyncIterable<Uint8Array>, blobs: BlobStore, what: string, onStored: (digest: string) => void): Promise<ArchiveFiles> {
    const files = new ArchiveFiles(blobs, what, onStored);
    let smallBytes = 0;
    await readTar(source, what, async (entry, body) => {
      const path = memberPath(entry.name, what);
      if (path === undefined) return;
      if (entry.type === 'symlink') {
        files.links.set(path, posix.join(posix.dirname(path), entry.linkname));
      } else if (entry.type === 'hardlink') {
        files.links.set(path, entry.linkname);
      } else if (entry.type === 'file') {
        const blobName = blobPathPattern.exec(path);
        if (blobName || entry.sizeBytes > smallFileBytesMax) {
          const expected = blobName ? `sha256:${blobName[1]}` : undefined;
          const stored = await blobs.write(body, { ...(expected ? { digest: expected } : {}), what: `${path} in ${what}` });
          files.storedDigests.add(stored.digest);
          onStored(stored.digest);
          files.stored.set(path, stored.digest);
        } else {
          smallBytes += entry.sizeBytes;
          if (smallBytes > smallFilesBytesMax) throw new SwarmError('CORRUPT_DATA', `${what}: more than ${smallFilesBytesMax} bytes of small files; not an image archive`);
          const chunks: Buffer[] = [];
          for await (const chunk of body) chunks.push(Buffer.from(chunk));
          files.small.set(path, Buffer.concat(chunks));
        }
      }
    });
    return files;
  }

  /** The archive path `path` finally names after following links; CORRUPT_DATA if it escapes. */
  private resolve(path: string): string {
    let at = memberPath(path, this.what);
    for (let hop = 0; at !== undefined && hop < linkHopsMax; hop++) {
      const target = this.links.get(at);
      if (target === undefined) return at;
      at = memberPath(target, this.what);
    }
    throw new SwarmError('CORRUPT_DATA', `${this.what}: "${path}" is a link loop or points outside the archive`);
  }

  has(path: string): boolean {
    try {
      const at = this.resolve(path);
      return this.small.has(at) || this.stored.has(at);
    } catch {
      return false;
    }
  }

  /** The bytes of a small file. CORRUPT_DATA when missing. */
  async bytes(path: string): Promise<Buffer> {
    const at = this.resolve(path);
    const inMemory = this.small.get(at);
    if (inMemory) return inMemory;
    const digest = this.stored.get(at);
    if (digest !== undefined) return this.blobStore.read(digest);
    throw this.missing(path);
  }

  /** Puts the file into the blob store (if it is not yet) and returns its digest. */
  async blob(path: string): Promise<string> {
    const at = this.resolve(path);
    const digest = this.stored.get(at);
    if (digest !== undefined) return digest;
    const inMemory = this.small.get(at);
    if (!inMemory) throw this.missing(path);
    const blobName = blobPathPattern.exec(at);
    const stored = await this.blobStore.putBytes(inMemory, { ...(blobName ? { digest: `sha256:${blobName[1]}` } : {}), what: `${at} in ${this.what}` });
    this.storedDigests.add(stored.digest);
    this.onStored(stored.digest);
    this.stored.set(at, stored.digest);
    return stored.digest;
  }

  /** Stores bytes made while importing (a manifest synthesised for a docker save image). */
  async storeBytes(bytes: Buffer): Promise<string> {
    const stored = await this.blobStore.putBytes(bytes, { what: `a manifest for ${this.what}` });
    this.storedDigests.add(stored.digest);
    this.onStored(stored.digest);
    return stored.digest;
  }

  missing(path: string): SwarmError {
    return new SwarmError('CORRUPT_DATA', `${this.what}: "${path}" is missing from the archive`, { details: { path } });
  }
}
