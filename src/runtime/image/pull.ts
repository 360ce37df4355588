import { SwarmError } from '../../core/errors.js';
import { digestMismatch, sha256Of } from './digest.js';
import type { ImageRecord } from './image-index.js';
import type { ImageStore } from './image-store.js';
import { manifestBytesMax, parseManifest, type Descriptor, type ImageManifest } from './manifest.js';
import { manifestAccept } from './media-types.js';
import { forEachLimited } from './concurrency.js';
import { selectManifest } from './platform.js';
import { formatReference, parseReference, repositoryName, type ImageReference } from './reference.js';
import { RegistryClient, registryErrorText } from './registry-client.js';
import { defaultRegistryConfig, validateRegistryConfig, type RegistryConfig } from './registry-config.js';

/**
 * Pulls an image from a registry into the store: the manifest (choosing this platform from
 * a manifest list), then the config and the layers, a few at a time, each streamed to disk
 * while its sha256 is checked, then unpacked. Blobs already in the store are not fetched.
 */

/** Progress of one layer, reported as its bytes arrive. */
export interface LayerProgress {
  layer: string;
  doneBytes: number;
  totalBytes: number;
}

export interface PullOptions {
  config?: RegistryConfig;
  onProgress?: (progress: LayerProgress) => void;
  signal?: AbortSignal;
  /** The fetch to use (tests pass one that counts requests). Default the global fetch. */
  fetch?: typeof fetch;
}

interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  contentType: string | undefined;
}

/** Reads at most `limit` bytes of a response body; CORRUPT_DATA past it. */
async function readLimited(response: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.length;
    if (total > limit) {
      throw new SwarmError('CORRUPT_DATA', `${what} is larger than ${limit} bytes; refused`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function fetchManifest(client: RegistryClient, ref: ImageReference, tagOrDigest: string, signal: AbortSignal | undefined): Promise<FetchedManifest> {
  const name = formatReference(ref);
  const response = await client.send({
    method: 'GET', path: `/v2/${ref.repository}/manifests/${tagOrDigest}`, repository: ref.repository, actions: 'pull',
    headers: { accept: manifestAccept }, ...(signal ? { signal } : {}),
  });
  if (response.status === 404) {
    throw new SwarmError('IMAGE_NOT_FOUND', `image ${name} not found in registry ${ref.registry}: ${await registryErrorText(response)}; check the name and tag`, {
      details: { reference: name, registry: ref.registry },
    });
  }
  if (!response.ok) {
    throw new SwarmError('REGISTRY_ERROR', `registry ${ref.registry} answered ${response.status} for the manifest of ${name}: ${await registryErrorText(response)}`, { details: { registry: ref.registry } });
  }
  const bytes = await readLimited(response, manifestBytesMax, `the manifest of ${name}`);
  const digest = sha256Of(bytes);
  const expected = tagOrDigest.startsWith('sha256:') ? tagOrDigest : response.headers.get('docker-content-digest') ?? undefined;
  if (expected !== undefined && expected.startsWith('sha256:') && expected !== digest) throw digestMismatch(`manifest of ${name} from ${ref.registry}`, expected, digest);
  return { bytes, digest, contentType: response.headers.get('content-type') ?? undefined };
}

async function fetchBlob(store: ImageStore, client: RegistryClient, ref: ImageReference, blob: Descriptor, what: string, options: PullOptions): Promise<void> {
  if (await store.blobs.has(blob.digest)) {
    options.onProgress?.({ layer: blob.digest, doneBytes: blob.sizeBytes, totalBytes: blob.sizeBytes });
    return;
  }
  const response = await client.send({
    method: 'GET', path: `/v2/${ref.repository}/blobs/${blob.digest}`, repository: ref.repository, actions: 'pull',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) {
    const code = response.status === 404 ? 'IMAGE_NOT_FOUND' : 'REGISTRY_ERROR';
    throw new SwarmError(code, `registry ${ref.registry} answered ${response.status} for ${what} ${blob.digest}: ${await registryErrorText(response)}`, { details: { registry: ref.registry } });
  }
  try {
    await store.blobs.write(response.body, {
      digest: blob.digest, sizeBytes: blob.sizeBytes, what: `${what} ${blob.digest} of ${formatReference(ref)} from ${ref.registry}`,
      onBytes: (doneBytes) => options.onProgress?.({ layer: blob.digest, doneBytes, totalBytes: blob.sizeBytes }),
    });
  } catch (err) {
    if (err instanceof SwarmError) throw err;
    if (options.signal?.aborted) throw new SwarmError('UNAVAILABLE', `the pull of ${formatReference(ref)} was cancelled`, { cause: err });
    throw new SwarmError('REGISTRY_ERROR', `downloading ${what} ${blob.digest} from ${ref.registry} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Pulls `reference` (e.g. `127.0.0.1:5000/busybox:latest`, `busybox@sha256:…`) into `store`. */
export async function pullImage(store: ImageStore, reference: string, options: PullOptions = {}): Promise<ImageRecord> {
  const config = validateRegistryConfig(options.config ?? defaultRegistryConfig());
  const ref = parseReference(reference);
  const name = formatReference(ref);
  const client = new RegistryClient(ref.registry, config, options.fetch);
  const top = await fetchManifest(client, ref, ref.digest ?? ref.tag!, options.signal);
  if (ref.digest !== undefined && top.digest !== ref.digest) throw digestMismatch(`manifest of ${name}`, ref.digest, top.digest);
  let chosen = top;
  let parsed = parseManifest(top.bytes, `the manifest of ${name}`, top.contentType);
  if (parsed.kind === 'index') {
    const entry = selectManifest(parsed, config.platform, `image ${name}`);
    chosen = await fetchManifest(client, ref, entry.digest, options.signal);
    if (chosen.digest !== entry.digest) throw digestMismatch(`manifest of ${name} for ${config.platform.architecture}`, entry.digest, chosen.digest);
    parsed = parseManifest(chosen.bytes, `the ${config.platform.architecture} manifest of ${name}`, chosen.contentType);
    if (parsed.kind !== 'manifest') throw new SwarmError('CORRUPT_DATA', `image ${name}: the manifest list points at another list`);
  }
  const manifest: ImageManifest = parsed;
  const unpin = store.pin([chosen.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  try {
    await store.blobs.putBytes(chosen.bytes, { digest: chosen.digest, what: `manifest of ${name}` });
    await fetchBlob(store, client, ref, manifest.config, 'config', {});
    await forEachLimited(manifest.layers, config.layerDownloadsMax, (layer) => fetchBlob(store, client, ref, layer, 'layer', options));
    const repoDigests = [...new Set([top.digest, chosen.digest])].map((d) => `${repositoryName(ref)}@${d}`);
    const references = ref.tag !== undefined && ref.digest === undefined ? [name] : [];
    return await store.register({ manifestDigest: chosen.digest, references, repoDigests, what: name });
  } finally {
    unpin();
  }
}
