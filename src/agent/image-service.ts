import { SwarmError } from '../core/errors.js';

/**
 * Where the agent gets images: `ensureImage` returns once the reference can be used by
 * `Runtime.create`, pulling it when it is missing. A failure rejects the task with the
 * error's message, so it should say what went wrong (registry, name, network).
 */
export interface ImageService {
  ensureImage(reference: string): Promise<void>;
}

/** The part of the runtime's LocalImages the pulling service needs. */
export interface PullableImages {
  has(reference: string): Promise<boolean>;
  pull(reference: string, signal: AbortSignal): AsyncIterable<unknown>;
}

/**
 * The daemon's image service: uses the local image when there is one, else pulls it. Two
 * tasks asking for the same missing image share one pull.
 */
export class PullingImageService implements ImageService {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly images: PullableImages, private readonly signal: AbortSignal = new AbortController().signal) {}

  ensureImage(reference: string): Promise<void> {
    const running = this.inFlight.get(reference);
    if (running !== undefined) return running;
    const pulling = this.pullIfMissing(reference).finally(() => this.inFlight.delete(reference));
    this.inFlight.set(reference, pulling);
    return pulling;
  }

  private async pullIfMissing(reference: string): Promise<void> {
    if (await this.images.has(reference)) return;
    for await (const _event of this.images.pull(reference, this.signal)) {
      // progress events are for the CLI; the agent only needs the pull finished
    }
  }
}

/**
 * An image service over a fixed set of references, for tests and simulations: known
 * references are "present", others fail as a pull from a registry that lacks them would.
 */
export class MemoryImageService implements ImageService {
  /** Every reference asked for, in order. */
  readonly requests: string[] = [];

  constructor(private readonly available: ReadonlySet<string> = new Set(['busybox'])) {}

  async ensureImage(reference: string): Promise<void> {
    this.requests.push(reference);
    if (!this.available.has(reference)) {
      throw new SwarmError('IMAGE_NOT_FOUND', `pull ${reference}: manifest unknown (the registry has no such image)`);
    }
  }
}
