import { mkdir } from 'node:fs/promises';
import { SwarmError } from '../../core/errors.js';
import { BlobStore } from './blob-store.js';
import type { ImageConfig } from './image-config.js';
import { parseImageConfig, type ParsedImageConfig } from './image-config.js';
import { ImageIndex, type ImageRecord, type LayerRecord } from './image-index.js';
import { LayerStore } from './layer-store.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { currentMounts } from './mounts.js';
import { forEachLimited, Mutex } from './concurrency.js';
import { formatReference, parseReference, repositoryName } from './reference.js';
import { RootfsManager } from './rootfs.js';

/** What registering an image needs: its manifest blob (already stored) and its names. */
export interface RegisterImage {
  manifestDigest: string;
  /** Names for the image; normalised here. */
  references: string[];
  repoDigests: string[];
  /** Names the image in errors: `127.0.0.1:5000/busybox:latest`, `archive busybox.tar`. */
  what: string;
}

/** What `remove` did. */
export interface RemoveResult {
  untagged: string[];
  /** False when only a name was removed, or the image was kept dangling for a container. */
  deleted: boolean;
}

/** A mounted container root from `prepareRootfs`. */
export interface PreparedRootfs {
  rootfsPath: string;
  imageId: string;
  imageConfig: ImageConfig;
  /** Unmounts the root and deletes its upper and work directories. */
  release(): Promise<void>;
}

/** Whether a container uses the image with this id (config digest). */
export type ImageInUse = (imageId: string) => boolean;

/** Layers unpacked at once when registering an image: tar and gzip take a core each. */
export const layerUnpacksMax = 2;

/**
 * The content-addressed image store under one root directory:
 *   blobs/sha256/<hex>   manifests, configs and layer blobs, verified before they land
 *   layers/<hex>         each layer unpacked once, by diff id, shared by every image
 *   l/<short>            short links to layers/ for overlay mount options
 *   images.json          the index: names → image records with their parsed config
 * Changes to the index and garbage collection run under one mutex; blobs being fetched
 * are pinned so that a collection running meanwhile leaves them alone.
 */
export class ImageStore {
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  private readonly index: ImageIndex;
  private readonly mutex = new Mutex();
  private readonly pins = new Map<string, number>();
  private readonly roots = new Map<string, RootfsManager>();

  private constructor(readonly root: string) {
    this.blobs = new BlobStore(root);
    this.layers = new LayerStore(root);
    this.index = new ImageIndex(root);
  }

  /** Opens (creating if needed) the store at `root` and clears what a crash left half done. */
  static async open(root: string): Promise<ImageStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const store = new ImageStore(root);
    await store.blobs.open();
    await store.layers.open();
    await store.index.load();
    return store;
  }

  /** Protects blobs, or unpacked layers by diff id, from garbage collection until the returned function is called. */
  pin(digests: Iterable<string>): () => void {
    const list = [...digests];
    for (const d of list) this.pins.set(d, (this.pins.get(d) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const d of list) {
        const n = (this.pins.get(d) ?? 1) - 1;
        if (n <= 0) this.pins.delete(d);
        else this.pins.set(d, n);
      }
    };
  }

  /**
   * Records an image whose manifest, config and layer blobs are all in the blob store:
   * checks them against each other, unpacks its layers and names it. Returns the record.
   */
  async register(input: RegisterImage): Promise<ImageRecord> {
    const manifestBytes = await this.blobs.read(input.manifestDigest);
    const manifest = parseManifest(manifestBytes, `manifest of ${input.what}`);
    if (manifest.kind !== 'manifest') throw new SwarmError('INTERNAL', `register(${input.what}): got an index, expected an image manifest`);
    const configBytes = await this.blobs.read(manifest.config.digest).catch((err) => {
      throw new SwarmError('CORRUPT_DATA', `${input.what}: config blob ${manifest.config.digest} is missing`, { cause: err });
    });
    const parsed = parseImageConfig(configBytes, `config of ${input.what}`);
    if (parsed.diffIds.length !== manifest.layers.length) {
      throw new SwarmError('CORRUPT_DATA', `${input.what}: the manifest has ${manifest.layers.length} layers but the config lists ${parsed.diffIds.length} diff ids`);
    }
    const layers: LayerRecord[] = manifest.layers.map((l, i) => ({ digest: l.digest, mediaType: l.mediaType, sizeBytes: l.sizeBytes, diffId: parsed.diffIds[i]! }));
    const unpin = this.pin(layers.map((l) => l.diffId));
    try {
      return await this.unpackAndRecord(input, manifest.mediaType, manifest.config, layers, parsed);
    } finally {
      unpin();
    }
  }

  private async unpackAndRecord(input: RegisterImage, mediaType: string, config: Descriptor, layers: LayerRecord[], parsed: ParsedImageConfig): Promise<ImageRecord> {
    await forEachLimited(layers, layerUnpacksMax, async (layer, i) => {
      if (await this.layers.has(layer.diffId)) return;
      if (!(await this.blobs.has(layer.digest))) throw new SwarmError('CORRUPT_DATA', `${input.what}: layer ${i} blob ${layer.digest} is missing`);
      await this.layers.ensure(layer.diffId, this.blobs.path(layer.digest), `layer ${layer.digest} of ${input.what}`);
    });
    const record: ImageRecord = {
      id: config.digest,
      manifestDigest: input.manifestDigest,
      manifestMediaType: mediaType,
      layers,
      references: [...new Set(input.references.map((r) => formatReference(parseReference(r))))],
      repoDigests: [...new Set(input.repoDigests)],
      config: parsed.config,
      os: parsed.os,
      architecture: parsed.architecture,
      ...(parsed.variant ? { variant: parsed.variant } : {}),
      ...(parsed.createdAt ? { createdAt: parsed.createdAt } : {}),
      sizeBytes: config.sizeBytes + layers.reduce((n, l) => n + l.sizeBytes, 0),
    };
    return this.mutex.run(async () => {
      const existing = this.index.byId(record.id);
      if (existing) {
        record.references = [...new Set([...existing.references, ...record.references])];
        record.repoDigests = [...new Set([...existing.repoDigests, ...record.repoDigests])];
      }
      await this.index.put(record);
      return record;
    });
  }

  /** Every image, ordered by id. */
  list(): ImageRecord[] {
    return [...this.index.all()];
  }

  /**
   * The image `ref` names: an id (`sha256:<hex>`, `<hex>`, or a unique prefix of 4+ hex
   * digits), `name[:tag]`, or `name@sha256:…`. Undefined when there is none.
   */
  find(ref: string): ImageRecord | undefined {
    const images = this.index.all();
    const full = /^(?:sha256:)?([a-f0-9]{64})$/.exec(ref);
    if (full) return images.find((i) => i.id === `sha256:${full[1]}`);
    const name = nameOf(ref);
    const parsed = name === undefined ? undefined : parseReference(ref);
    if (parsed?.digest !== undefined) {
      const exact = `${repositoryName(parsed)}@${parsed.digest}`;
      const repo = repositoryName(parsed);
      return images.find((i) => i.repoDigests.includes(exact))
        ?? images.find((i) => i.manifestDigest === parsed.digest && [...i.references, ...i.repoDigests].some((r) => r.startsWith(`${repo}:`) || r.startsWith(`${repo}@`)));
    }
    if (name !== undefined) {
      const named = images.find((i) => i.references.includes(name));
      if (named) return named;
    }
    const prefix = /^(?:sha256:)?([a-f0-9]{4,63})$/.exec(ref);
    if (prefix) {
      const matches = images.filter((i) => i.id.startsWith(`sha256:${prefix[1]}`));
      if (matches.length > 1) throw new SwarmError('CONFLICT', `image id prefix ${ref} is ambiguous: it matches ${matches.length} images; give more digits`);
      return matches[0];
    }
    return undefined;
  }

  has(ref: string): boolean {
    return this.find(ref) !== undefined;
  }

  /** The image `ref` names; IMAGE_NOT_FOUND otherwise. */
  inspect(ref: string): ImageRecord {
    const found = this.find(ref);
    if (!found) throw new SwarmError('IMAGE_NOT_FOUND', `image ${ref} is not in the image store; pull or import it first`, { details: { reference: ref } });
    return found;
  }

  /** Gives an image another name, moving the name off any image that had it. */
  async tag(ref: string, newReference: string): Promise<ImageRecord> {
    const name = formatReference(parseReference(newReference));
    return this.mutex.run(async () => {
      const image = this.inspect(ref);
      const updated = { ...image, references: [...new Set([...image.references, name])] };
      await this.index.put(updated);
      return updated;
    });
  }

  /**
   * Removes a name, or the image when `ref` is its id or its last name. An image a container
   * uses is refused with CONFLICT, unless `force`, which removes its names but keeps the
   * image (dangling) until the container is gone. Unreferenced blobs and layers are then
   * collected.
   */
  async remove(ref: string, options: { force?: boolean; inUse?: ImageInUse } = {}): Promise<RemoveResult> {
    const result = await this.mutex.run(async (): Promise<RemoveResult> => {
      const image = this.inspect(ref);
      const name = nameOf(ref);
      const byName = name !== undefined && image.references.includes(name);
      if (byName && image.references.length > 1) {
        await this.index.put({ ...image, references: image.references.filter((r) => r !== name) });
        return { untagged: [name], deleted: false };
      }
      if (!byName && image.references.length > 1 && !options.force) {
        throw new SwarmError('CONFLICT', `image ${ref} has ${image.references.length} names (${image.references.join(', ')}); remove them one by one or force`);
      }
      if (options.inUse?.(image.id)) {
        if (!options.force) throw new SwarmError('CONFLICT', `image ${ref} (${image.id.slice(7, 19)}) is used by a container; remove the container first, or force to untag it`);
        await this.index.put({ ...image, references: [], repoDigests: [] });
        return { untagged: image.references, deleted: false };
      }
      await this.index.delete(image.id);
      return { untagged: image.references, deleted: true };
    });
    if (result.deleted) await this.gc();
    return result;
  }

  /**
   * Deletes blobs and unpacked layers no image references, except pinned ones (fetches and
   * registrations in flight) and layers an overlay mount still uses. Returns what it deleted.
   */
  async gc(): Promise<{ blobs: string[]; layers: string[] }> {
    return this.mutex.run(async () => {
      const blobsKept = new Set<string>();
      const layersKept = new Set<string>();
      for (const image of this.index.all()) {
        blobsKept.add(image.id);
        blobsKept.add(image.manifestDigest);
        for (const l of image.layers) {
          blobsKept.add(l.digest);
          layersKept.add(l.diffId);
        }
      }
      const mountedShortNames = await this.mountedLayerNames();
      const blobs: string[] = [];
      for (const d of await this.blobs.list()) {
        // Pins are checked just before each removal: a fetch may have landed and pinned a blob since the listing.
        if (blobsKept.has(d) || this.pins.has(d)) continue;
        await this.blobs.remove(d);
        blobs.push(d);
      }
      const layers: string[] = [];
      for (const diffId of await this.layers.list()) {
        if (layersKept.has(diffId) || this.pins.has(diffId)) continue;
        const hex = diffId.slice(7);
        if ([...mountedShortNames].some((n) => hex.startsWith(n))) continue;
        await this.layers.remove(diffId);
        layers.push(diffId);
      }
      return { blobs, layers };
    });
  }

  private async mountedLayerNames(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const m of await currentMounts()) {
      if (m.fsType !== 'overlay') continue;
      const lower = /(?:^|,)lowerdir=([^,]*)/.exec(m.superOptions)?.[1] ?? '';
      for (const part of lower.split(':')) {
        const base = part.split('/').pop() ?? '';
        if (/^[a-f0-9]{12,64}$/.test(base)) names.add(base);
      }
    }
    return names;
  }

  /** Makes sure every layer of the image is unpacked (they may have been removed by hand). */
  async ensureLayers(image: ImageRecord): Promise<void> {
    for (const layer of image.layers) {
      if (await this.layers.has(layer.diffId)) continue;
      await this.layers.ensure(layer.diffId, this.blobs.path(layer.digest), `layer ${layer.digest} of image ${image.id}`);
    }
  }

  /** The manager of container roots under `rootfsRoot`. */
  rootfs(rootfsRoot: string): RootfsManager {
    let manager = this.roots.get(rootfsRoot);
    if (!manager) {
      manager = new RootfsManager(rootfsRoot, this.layers);
      this.roots.set(rootfsRoot, manager);
    }
    return manager;
  }

  /**
   * Mounts an overlayfs root for `containerId` from the image `imageRef` at
   * `<rootfsRoot>/<containerId>/merged`. `release()` unmounts it and deletes its layer.
   */
  async prepareRootfs(imageRef: string, containerId: string, rootfsRoot: string): Promise<PreparedRootfs> {
    const image = this.inspect(imageRef);
    await this.ensureLayers(image);
    const manager = this.rootfs(rootfsRoot);
    const rootfsPath = await manager.mount(containerId, image.layers.map((l) => l.diffId));
    return { rootfsPath, imageId: image.id, imageConfig: image.config, release: () => manager.remove(containerId) };
  }
}

function nameOf(ref: string): string | undefined {
  try {
    return formatReference(parseReference(ref));
  } catch {
    return undefined;
  }
}
