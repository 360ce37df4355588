import type { Readable } from 'node:stream';
import type { ImageConfig } from './image-config.js';
import type { ImageRecord } from './image-index.js';
import type { ImageInUse, ImageStore } from './image-store.js';
import { importArchive } from './import-archive.js';
import { pullImage } from './pull.js';
import { familiarReference, parseReference } from './reference.js';
import { defaultRegistryConfig, type RegistryConfig } from './registry-config.js';

/**
 * The node's images as the daemon's API and the container manager use them: the shapes of
 * `ImageService` (daemon/api-routes.ts) and `ImageProvider` (runtime/container-manager.ts)
 * over one ImageStore, its registry settings and a directory of container roots.
 */

/** One image as listed (the API's ImageSummary). */
export interface ImageSummary {
  id: string;
  references: string[];
  sizeBytes: number;
  createdAt?: string;
}

/** A pull's progress stream (the API's PullEvent). */
export type PullEvent =
  | { type: 'progress'; layer: string; doneBytes: number; totalBytes: number }
  | { type: 'done'; image: ImageSummary };

export interface LocalImagesComponents {
  store: ImageStore;
  /** Where container roots are mounted, e.g. `<state-dir>/rootfs`. */
  rootfsRoot: string;
  registry?: RegistryConfig;
  /** Whether a container uses the image: such images are not removed without force. */
  inUse: ImageInUse;
}

/** Progress is passed on when a layer has this many more bytes, or is complete: bounds the event rate. */
export const progressStepBytes = 512 * 1024;

/** Progress events buffered for a slow consumer; past this the oldest are dropped (later ones supersede them). */
const pullEventsQueuedMax = 256;

function summary(record: ImageRecord): ImageSummary {
  const references = record.references.map((r) => familiarReference(parseReference(r)));
  return { id: record.id, references, sizeBytes: record.sizeBytes, ...(record.createdAt ? { createdAt: record.createdAt } : {}) };
}

export class LocalImages {
  constructor(private readonly c: LocalImagesComponents) {}

  async list(): Promise<ImageSummary[]> {
    return this.c.store.list().map(summary);
  }

  async has(reference: string): Promise<boolean> {
    return this.c.store.has(reference);
  }

  async inspect(reference: string): Promise<ImageRecord> {
    return this.c.store.inspect(reference);
  }

  /** Pulls, yielding throttled per-layer progress, then `done` with the image. */
  async *pull(reference: string, signal: AbortSignal): AsyncGenerator<PullEvent> {
    const queue: PullEvent[] = [];
    let wake: (() => void) | undefined;
    const lastSent = new Map<string, number>();
    const pulling = pullImage(this.c.store, reference, {
      config: this.c.registry ?? defaultRegistryConfig(),
      signal,
      onProgress: (p) => {
        const last = lastSent.get(p.layer) ?? -1;
        if (p.doneBytes !== p.totalBytes && p.doneBytes - last < progressStepBytes) return;
        if (queue.length >= pullEventsQueuedMax) queue.shift();
        lastSent.set(p.layer, p.doneBytes);
        queue.push({ type: 'progress', ...p });
        wake?.();
      },
    });
    let finished = false;
    const done = pulling.then(
      (record) => { finished = true; wake?.(); return record; },
      (err: unknown) => { finished = true; wake?.(); throw err; },
    );
    // A consumer that stops listening early must not turn a later failure into an unhandled rejection.
    done.catch(() => undefined);
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    yield { type: 'done', image: summary(await done) };
  }

  async importArchive(archive: Readable, reference: string | undefined): Promise<ImageSummary[]> {
    const records = await importArchive(this.c.store, archive, { ...(reference !== undefined ? { reference } : {}), what: 'the uploaded archive' });
    return records.map(summary);
  }

  async remove(reference: string, force: boolean): Promise<void> {
    await this.c.store.remove(reference, { force, inUse: this.c.inUse });
  }

  /** The image's id and the config a container inherits; IMAGE_NOT_FOUND otherwise. */
  async resolve(reference: string): Promise<{ id: string; config: ImageConfig }> {
    const record = this.c.store.inspect(reference);
    return { id: record.id, config: record.config };
  }

  async mountRootfs(imageId: string, containerId: string): Promise<string> {
    return (await this.c.store.prepareRootfs(imageId, containerId, this.c.rootfsRoot)).rootfsPath;
  }

  async unmountRootfs(containerId: string): Promise<void> {
    await this.c.store.rootfs(this.c.rootfsRoot).unmount(containerId);
  }

  async removeRootfs(containerId: string): Promise<void> {
    await this.c.store.rootfs(this.c.rootfsRoot).remove(containerId);
  }

  /** After a crash: removes roots no container owns. Returns their ids. */
  async cleanLeftovers(isOwned: (containerId: string) => boolean): Promise<string[]> {
    return this.c.store.rootfs(this.c.rootfsRoot).cleanLeftovers(isOwned);
  }
}
