import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import type { ImageConfig } from './image-config.js';

/** One layer of an image: the blob as stored and the diff id it unpacks to. */
export interface LayerRecord {
  /** Digest of the (possibly compressed) blob. */
  digest: string;
  mediaType: string;
  sizeBytes: number;
  /** Digest of the uncompressed tar: names the unpacked directory. */
  diffId: string;
}

/** One image in the store. Its id is the digest of its config, as in Docker. */
export interface ImageRecord {
  id: string;
  manifestDigest: string;
  manifestMediaType: string;
  layers: LayerRecord[];
  /** Normalised `registry/repository:tag` names pointing at this image. */
  references: string[];
  /** `registry/repository@sha256:…` the image was pulled as (index and manifest digests). */
  repoDigests: string[];
  config: ImageConfig;
  os: string;
  architecture: string;
  variant?: string;
  createdAt?: string;
  /** Config plus layer blobs, as stored. */
  sizeBytes: number;
}

interface IndexFile {
  version: 1;
  images: ImageRecord[];
}

/**
 * The image index: a small JSON file (`<root>/images.json`) rewritten atomically (temp
 * file, fsync, rename) on every change, so a crash leaves the old or the new index, never a
 * torn one. Callers serialise changes (ImageStore holds a mutex).
 */
export class ImageIndex {
  private readonly file: string;
  private images: ImageRecord[] = [];

  constructor(private readonly root: string) {
    this.file = join(root, 'images.json');
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new SwarmError('IO_ERROR', `reading the image index ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    let doc: IndexFile;
    try {
      doc = JSON.parse(text) as IndexFile;
    } catch (err) {
      throw new SwarmError('CORRUPT_DATA', `the image index ${this.file} is not valid JSON; move it away to start with an empty store`, { cause: err });
    }
    if (doc.version !== 1 || !Array.isArray(doc.images)) throw new SwarmError('UNSUPPORTED_VERSION', `the image index ${this.file} has version ${JSON.stringify(doc.version)}; expected 1`);
    this.images = doc.images;
  }

  all(): readonly ImageRecord[] {
    return this.images;
  }

  byId(id: string): ImageRecord | undefined {
    return this.images.find((i) => i.id === id);
  }

  /** Adds or replaces the record with the same id, moving its references off other images. */
  async put(record: ImageRecord): Promise<void> {
    const others = this.images.filter((i) => i.id !== record.id).map((i) => ({
      ...i,
      references: i.references.filter((r) => !record.references.includes(r)),
      repoDigests: i.repoDigests.filter((r) => !record.repoDigests.includes(r)),
    }));
    await this.save([...others, record]);
  }

  async delete(id: string): Promise<void> {
    await this.save(this.images.filter((i) => i.id !== id));
  }

  private async save(images: ImageRecord[]): Promise<void> {
    const tmp = join(this.root, `.images.json.${randomBytes(6).toString('hex')}`);
    const body: IndexFile = { version: 1, images: [...images].sort((a, b) => a.id.localeCompare(b.id)) };
    try {
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(body, null, 1));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new SwarmError('IO_ERROR', `writing the image index ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    this.images = body.images;
  }
}
