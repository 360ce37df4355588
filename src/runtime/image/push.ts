import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SwarmError } from '../../core/errors.js';
import { digestHex } from './digest.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { normalizeReference, parseReference, type ImageReference } from './reference.js';
import { RegistryClient, registryErrorText } from './registry-client.js';
import { defaultRegistryConfig, validateRegistryConfig, type RegistryConfig } from './registry-config.js';

/**
 * Pushes an image from an OCI layout directory to a registry (distribution v2 API):
 * blobs the registry lacks are uploaded in one PUT each, then manifests, children of an
 * index before the index. Enough for tests and the quick-start to fill a local registry
 * without skopeo.
 */

export interface PushOptions {
  config?: RegistryConfig;
  /** Which image of the layout: its name in index.json. Default: the layout's only entry. */
  source?: string;
  signal?: AbortSignal;
}

/** What was pushed. */
export interface PushResult {
  /** Digest of the top manifest (or index) pushed under the tag. */
  digest: string;
  blobsUploaded: number;
  blobsSkipped: number;
}

function pickEntry(entries: Descriptor[], source: string | undefined, layoutDir: string): Descriptor {
  if (source === undefined) {
    if (entries.length !== 1) throw new SwarmError('INVALID_ARGUMENT', `OCI layout ${layoutDir} holds ${entries.length} images; say which to push`);
    return entries[0]!;
  }
  const wanted = normalizeReference(source);
  const found = entries.find((e) => {
    const name = e.annotations['io.containerd.image.name'] ?? e.annotations['org.opencontainers.image.ref.name'];
    if (name === undefined) return false;
    try {
      return normalizeReference(name) === wanted;
    } catch {
      return false;
    }
  });
  if (!found) throw new SwarmError('IMAGE_NOT_FOUND', `OCI layout ${layoutDir} has no image named ${source}`);
  return found;
}

class LayoutPusher {
  uploaded = 0;
  skipped = 0;

  constructor(private readonly client: RegistryClient, private readonly ref: ImageReference, private readonly layoutDir: string, private readonly signal: AbortSignal | undefined) {}

  private blobPath(digest: string): string {
    return join(this.layoutDir, 'blobs', 'sha256', digestHex(digest));
  }

  private fail(response: Response, what: string): Promise<never> {
    return registryErrorText(response).then((text) => {
      throw new SwarmError('REGISTRY_ERROR', `registry ${this.ref.registry} answered ${response.status} to ${what}: ${text}`, { details: { registry: this.ref.registry } });
    });
  }

  private signalled(): { signal?: AbortSignal } {
    return this.signal ? { signal: this.signal } : {};
  }

  async pushBlob(digest: string): Promise<void> {
    const repository = this.ref.repository;
    const head = await this.client.send({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, repository, actions: 'pull,push', ...this.signalled() });
    if (head.ok) {
      this.skipped++;
      return;
    }
    const path = this.blobPath(digest);
    const sizeBytes = (await stat(path).catch((err) => { throw new SwarmError('CORRUPT_DATA', `OCI layout ${this.layoutDir}: blob ${digest} is missing`, { cause: err }); })).size;
    const start = await this.client.send({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, repository, actions: 'pull,push', ...this.signalled() });
    if (start.status !== 202) return this.fail(start, `starting the upload of ${digest}`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) throw new SwarmError('REGISTRY_ERROR', `registry ${this.ref.registry} gave no upload location for ${digest}`);
    const url = new URL(location, this.client.baseUrl);
    url.searchParams.set('digest', digest);
    const put = await this.client.send({
      method: 'PUT', path: url.toString(), repository, actions: 'pull,push',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(sizeBytes) },
      body: createReadStream(path), ...this.signalled(),
    });
    if (put.status !== 201) return this.fail(put, `uploading blob ${digest}`);
    await put.body?.cancel();
    this.uploaded++;
  }

  /** Pushes a manifest (and everything it points at) under `tagOrDigest`. */
  async pushManifest(descriptor: Descriptor, tagOrDigest: string): Promise<void> {
    const bytes = await readFile(this.blobPath(descriptor.digest)).catch((err) => {
      throw new SwarmError('CORRUPT_DATA', `OCI layout ${this.layoutDir}: manifest ${descriptor.digest} is missing`, { cause: err });
    });
    const parsed = parseManifest(bytes, `manifest ${descriptor.digest} in ${this.layoutDir}`, descriptor.mediaType);
    if (parsed.kind === 'index') {
      for (const child of parsed.manifests) await this.pushManifest(child, child.digest);
    } else {
      for (const blob of [parsed.config, ...parsed.layers]) await this.pushBlob(blob.digest);
    }
    const repository = this.ref.repository;
    const put = await this.client.send({
      method: 'PUT', path: `/v2/${repository}/manifests/${tagOrDigest}`, repository, actions: 'pull,push',
      headers: { 'content-type': parsed.mediaType }, body: bytes, ...this.signalled(),
    });
    if (put.status !== 201) return this.fail(put, `putting manifest ${descriptor.digest} as ${tagOrDigest}`);
    await put.body?.cancel();
  }
}

/** Pushes one image of the OCI layout at `layoutDir` to `target` (`host/repo:tag`). */
export async function pushLayout(layoutDir: string, target: string, options: PushOptions = {}): Promise<PushResult> {
  const config = validateRegistryConfig(options.config ?? defaultRegistryConfig());
  const ref = parseReference(target);
  const indexBytes = await readFile(join(layoutDir, 'index.json')).catch((err) => {
    throw new SwarmError('NOT_FOUND', `${layoutDir} is not an OCI layout: no index.json`, { cause: err });
  });
  const index = parseManifest(indexBytes, `${layoutDir}/index.json`);
  if (index.kind !== 'index') throw new SwarmError('CORRUPT_DATA', `${layoutDir}/index.json is not an image index`);
  const entry = pickEntry(index.manifests, options.source, layoutDir);
  const client = new RegistryClient(ref.registry, config);
  await client.authorize(ref.repository, 'pull,push', options.signal);
  const pusher = new LayoutPusher(client, ref, layoutDir, options.signal);
  await pusher.pushManifest(entry, ref.digest ?? ref.tag!);
  return { digest: entry.digest, blobsUploaded: pusher.uploaded, blobsSkipped: pusher.skipped };
}
