import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { SwarmError } from '../../core/errors.js';
import { checkDigest, DigestCounter, digestHex, digestMismatch } from './digest.js';

/** A verified blob as stored. */
export interface StoredBlob {
  digest: string;
  sizeBytes: number;
}

/** What a write may promise about the content, checked before it is kept. */
export interface BlobExpectation {
  /** The digest the bytes must hash to; when absent the blob is stored under whatever they hash to. */
  digest?: string;
  /** The exact size, when known: more bytes than this stop the download early. */
  sizeBytes?: number;
  /** Called after each chunk with the bytes written so far. */
  onBytes?: (doneBytes: number) => void;
  /** Names the content in errors, e.g. `layer sha256:… of 127.0.0.1:5000/busybox`. */
  what?: string;
}

/**
 * Content-addressed blobs under `<root>/blobs/sha256/<hex>`. A blob is written to a temp
 * file while it is hashed and renamed into place only once its digest is verified, so a
 * blob path that exists always holds exactly the bytes its name promises; a mismatch leaves
 * nothing behind. Safe for concurrent writers of the same blob (the last rename wins, and
 * both hold the same bytes).
 */
export class BlobStore {
  readonly blobsDir: string;
  readonly tmpDir: string;

  /** `tmpDir` must be on the same filesystem as `root`, so that the final rename is atomic. */
  constructor(root: string, tmpDir = join(root, 'tmp')) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = tmpDir;
  }

  /** Creates the directories and removes temp files a crash left behind. */
  async open(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  /** The file of a blob (which may not exist). */
  path(digest: string): string {
    return join(this.blobsDir, digestHex(checkDigest(digest, 'blob digest')));
  }

  async has(digest: string): Promise<boolean> {
    return stat(this.path(digest)).then((s) => s.isFile(), () => false);
  }

  async sizeOf(digest: string): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  /** A fresh path under the store's temp dir, on the same filesystem as the blobs. */
  tempPath(prefix: string): string {
    return join(this.tmpDir, `${prefix}-${randomBytes(8).toString('hex')}`);
  }

  /** Streams `source` into the store, verifying it against `expect`. */
  async write(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, expect: BlobExpectation = {}): Promise<StoredBlob> {
    const what = expect.what ?? `blob ${expect.digest ?? ''}`.trim();
    const tmp = this.tempPath('blob');
    const counter = new DigestCounter();
    const out = createWriteStream(tmp, { mode: 0o644 });
    try {
      for await (const chunk of source) {
        counter.update(chunk);
        if (expect.sizeBytes !== undefined && counter.bytes > expect.sizeBytes) {
          throw new SwarmError('DIGEST_MISMATCH', `${what}: more than the ${expect.sizeBytes} bytes its descriptor promised; not stored`);
        }
        if (!out.write(chunk)) await once(out, 'drain');
        expect.onBytes?.(counter.bytes);
      }
      out.end();
      await once(out, 'finish');
      const digest = counter.digest();
      if (expect.digest !== undefined && digest !== expect.digest) throw digestMismatch(what, expect.digest, digest);
      if (expect.sizeBytes !== undefined && counter.bytes !== expect.sizeBytes) {
        throw new SwarmError('DIGEST_MISMATCH', `${what}: ${counter.bytes} bytes, but its descriptor promised ${expect.sizeBytes}; not stored`);
      }
      await rename(tmp, this.path(digest));
      return { digest, sizeBytes: counter.bytes };
    } catch (err) {
      // Wait for the file to be closed: an open still under way would otherwise create it after the rm.
      if (!out.closed) await new Promise<void>((resolve) => { out.once('close', () => resolve()); out.destroy(); });
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Stores bytes held in memory (manifests, configs). */
  async putBytes(bytes: Uint8Array, expect: BlobExpectation = {}): Promise<StoredBlob> {
    return this.write([bytes], expect);
  }

  /** Reads a whole blob: meant for manifests and configs, which are small. */
  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      throw new SwarmError('NOT_FOUND', `blob ${digest} is not in the image store`, { cause: err });
    }
  }

  /** Every digest in the store. */
  async list(): Promise<string[]> {
    const names = await readdir(this.blobsDir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
