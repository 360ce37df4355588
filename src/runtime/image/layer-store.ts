import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import { checkDigest, digestHex, digestMismatch } from './digest.js';
import { extractLayer, scanLayer } from './layer-unpack.js';

/**
 * Unpacked layers, one directory per layer under `<root>/layers/<diff-id hex>`, shared by
 * every image that has the layer. A directory appears (by rename) only once fully unpacked.
 * `<root>/l/<short>` are short symlinks to them, so that a mount's lowerdir list of a
 * 127-layer image stays far under the page-size limit of mount options (Docker's overlay2
 * does the same).
 */
export class LayerStore {
  readonly layersDir: string;
  readonly linksDir: string;
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(root: string) {
    this.layersDir = join(root, 'layers');
    this.linksDir = join(root, 'l');
  }

  /** Creates the directories and removes half-unpacked layers a crash left behind. */
  async open(): Promise<void> {
    await mkdir(this.layersDir, { recursive: true });
    await mkdir(this.linksDir, { recursive: true });
    for (const name of await readdir(this.layersDir)) {
      if (name.startsWith('.tmp-')) await rm(join(this.layersDir, name), { recursive: true, force: true });
    }
  }

  /** The directory of an unpacked layer (which may not exist yet). */
  dir(diffId: string): string {
    return join(this.layersDir, digestHex(checkDigest(diffId, 'layer diff id')));
  }

  async has(diffId: string): Promise<boolean> {
    return stat(this.dir(diffId)).then((s) => s.isDirectory(), () => false);
  }

  /**
   * Unpacks the layer blob at `blobPath` unless a layer with this diff id already is; its
   * uncompressed content must hash to `diffId` (DIGEST_MISMATCH otherwise). Concurrent calls
   * for one layer share a single unpacking.
   */
  async ensure(diffId: string, blobPath: string, what: string): Promise<string> {
    const dir = this.dir(diffId);
    if (await this.has(diffId)) return dir;
    let pending = this.unpacking.get(diffId);
    if (!pending) {
      pending = this.unpack(diffId, blobPath, what).finally(() => this.unpacking.delete(diffId));
      this.unpacking.set(diffId, pending);
    }
    return pending;
  }

  private async unpack(diffId: string, blobPath: string, what: string): Promise<string> {
    const dir = this.dir(diffId);
    const scan = await scanLayer(blobPath, what);
    if (scan.diffId !== diffId) throw digestMismatch(`${what} (uncompressed, the config's diff id)`, diffId, scan.diffId);
    const tmp = join(this.layersDir, `.tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(tmp, { mode: 0o755 });
    try {
      await extractLayer(blobPath, tmp, scan, what);
      await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    await this.shortName(diffId);
    return dir;
  }

  /**
   * The layer's short name under `l/`, creating the link if needed: the first 12 hex digits,
   * lengthened in the unlikely case another layer holds that prefix.
   */
  async shortName(diffId: string): Promise<string> {
    const hex = digestHex(checkDigest(diffId, 'layer diff id'));
    const target = join('..', 'layers', hex);
    for (let length = 12; length <= hex.length; length += 4) {
      const name = hex.slice(0, length);
      const link = join(this.linksDir, name);
      const existing = await readlink(link).catch(() => undefined);
      if (existing === target) return name;
      if (existing !== undefined) continue;
      try {
        await symlink(target, link);
        return name;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if ((await readlink(link)) === target) return name;
      }
    }
    throw new SwarmError('INTERNAL', `no free short name for layer ${diffId}`);
  }

  /** Diff ids of every unpacked layer. */
  async list(): Promise<string[]> {
    const names = await readdir(this.layersDir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Deletes an unpacked layer and its short link. The caller makes sure no mount uses it. */
  async remove(diffId: string): Promise<void> {
    const hex = digestHex(diffId);
    for (const name of await readdir(this.linksDir).catch(() => [] as string[])) {
      if (hex.startsWith(name)) {
        const existing = await readlink(join(this.linksDir, name)).catch(() => undefined);
        if (existing === join('..', 'layers', hex)) await rm(join(this.linksDir, name), { force: true });
      }
    }
    await rm(this.dir(diffId), { recursive: true, force: true });
  }
}
