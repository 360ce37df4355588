import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SwarmError } from '../../core/errors.js';
import { ArchiveFiles } from './archive-reader.js';
import type { BlobStore } from './blob-store.js';
import { digestHex } from './digest.js';
import type { ImageRecord } from './image-index.js';
import type { ImageStore } from './image-store.js';
import { sniffCompression } from './layer-stream.js';
import { descriptorJson, parseJsonObject, parseManifest, type Descriptor, type Platform } from './manifest.js';
import { ociConfig, ociLayerGzip, ociLayerTar, ociLayerZstd, ociManifest } from './media-types.js';
import { hostPlatform, selectManifest } from './platform.js';
import { normalizeReference } from './reference.js';

/**
 * Imports image archives: OCI image layouts (a directory or a tar of one, as
 * `skopeo copy … oci-archive:` writes) and `docker save` tarballs (manifest.json and the
 * legacy `repositories` file). Every blob is verified by digest on the way in; an archive
 * that fails leaves nothing behind. Images keep the names the archive gives them, unless
 * the caller names the (single) image.
 */

export interface ImportOptions {
  /** Name for the imported image; the archive must then hold exactly one. */
  reference?: string;
  /** Platform chosen from multi-platform archives. Default: this machine's. */
  platform?: Platform;
  /** Names the archive in errors. */
  what?: string;
}

/** One image found in an archive, ready to register. */
interface FoundImage {
  manifestDigest: string;
  names: string[];
}

const gzipMagic0 = 0x1f;
const gzipMagic1 = 0x8b;

async function* prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  yield* rest;
}

/** The stream, gunzipped when it starts with the gzip magic (`docker save | gzip`). */
async function* maybeGunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const whole = prepend(first.value, { [Symbol.asyncIterator]: () => iterator });
  if (first.value[0] !== gzipMagic0 || first.value[1] !== gzipMagic1) {
    yield* whole;
    return;
  }
  // pipeline() destroys every stage on a failure, so a bad gzip stream ends the iteration with its error.
  yield* pipeline(Readable.from(whole), createGunzip(), () => undefined) as AsyncIterable<Buffer>;
}

/** Imports an archive from a byte stream (a tar, possibly gzipped). */
export async function importArchive(store: ImageStore, source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<ImageRecord[]> {
  const what = options.what ?? 'the image archive';
  const pinned: (() => void)[] = [];
  try {
    let files: ArchiveFiles;
    try {
      files = await ArchiveFiles.read(maybeGunzip(source), store.blobs, what, (d) => pinned.push(store.pin([d])));
    } catch (err) {
      if (err instanceof SwarmError) throw err;
      throw new SwarmError('CORRUPT_DATA', `${what}: cannot read the archive: ${(err as Error).message}`, { cause: err });
    }
    const found = files.has('manifest.json') ? await dockerSaveImages(files) : await ociLayoutImages(files, options.platform ?? hostPlatform());
    if (found.length === 0) throw new SwarmError('CORRUPT_DATA', `${what}: the archive lists no images`);
    if (options.reference !== undefined) {
      if (found.length > 1) throw new SwarmError('INVALID_ARGUMENT', `${what} holds ${found.length} images; import it without a name, or one image at a time`);
      found[0]!.names = [normalizeReference(options.reference)];
    }
    const records: ImageRecord[] = [];
    for (const image of found) {
      records.push(await store.register({ manifestDigest: image.manifestDigest, references: image.names, repoDigests: [], what }));
    }
    return records;
  } finally {
    for (const unpin of pinned) unpin();
    await store.gc();
  }
}

/** Imports a directory holding an OCI layout, or an archive file, by path. */
export async function importPath(store: ImageStore, path: string, options: ImportOptions = {}): Promise<ImageRecord[]> {
  const info = await stat(path).catch((err) => { throw new SwarmError('NOT_FOUND', `cannot import ${path}: ${(err as Error).message}`, { cause: err }); });
  const what = options.what ?? `archive ${basename(path)}`;
  if (!info.isDirectory()) return importArchive(store, createReadStream(path), { ...options, what });
  const child = spawn('tar', ['-c', '-f', '-', '-C', path, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const records = await importArchive(store, child.stdout, { ...options, what: options.what ?? `OCI layout ${path}` });
    if ((await exited) !== 0) throw new SwarmError('IO_ERROR', `reading ${path}: tar failed: ${stderr.trim()}`);
    return records;
  } finally {
    child.kill();
  }
}

function nameFromAnnotations(annotations: Record<string, string>): string | undefined {
  const candidates = [annotations['io.containerd.image.name'], annotations['org.opencontainers.image.ref.name']];
  for (const name of candidates) {
    // A bare tag ("latest") is not a name: it says nothing of the repository.
    if (name === undefined || !/[/:]/.test(name)) continue;
    try {
      return normalizeReference(name);
    } catch {
      continue;
    }
  }
  return undefined;
}

async function ociLayoutImages(files: ArchiveFiles, platform: Platform): Promise<FoundImage[]> {
  if (!files.has('index.json')) throw new SwarmError('CORRUPT_DATA', `${files.what}: neither an OCI layout (index.json) nor a docker save tarball (manifest.json)`);
  const layout = files.has('oci-layout') ? parseJsonObject(await files.bytes('oci-layout'), `${files.what}: oci-layout`) : undefined;
  if (layout && typeof layout['imageLayoutVersion'] === 'string' && !layout['imageLayoutVersion'].startsWith('1.')) {
    throw new SwarmError('UNSUPPORTED_VERSION', `${files.what}: OCI layout version ${layout['imageLayoutVersion']}; expected 1.x`);
  }
  const index = parseManifest(await files.bytes('index.json'), `${files.what}: index.json`);
  if (index.kind !== 'index') throw new SwarmError('CORRUPT_DATA', `${files.what}: index.json is not an image index`);
  const out: FoundImage[] = [];
  for (const entry of index.manifests) {
    const manifestDigest = await chooseImageManifest(files, entry, platform);
    const name = nameFromAnnotations(entry.annotations);
    const existing = out.find((f) => f.manifestDigest === manifestDigest);
    if (existing) {
      if (name) existing.names.push(name);
      continue;
    }
    out.push({ manifestDigest, names: name ? [name] : [] });
  }
  return out;
}

/** Follows nested indexes down to the image manifest for `platform`, checking its blobs are present. */
async function chooseImageManifest(files: ArchiveFiles, descriptor: Descriptor, platform: Platform): Promise<string> {
  let current = descriptor;
  for (let depth = 0; depth < 4; depth++) {
    const path = `blobs/sha256/${digestHex(current.digest)}`;
    if (!files.has(path)) throw files.missing(path);
    const digest = await files.blob(path);
    const parsed = parseManifest(await files.bytes(path), `${files.what}: manifest ${current.digest}`);
    if (parsed.kind === 'index') {
      current = selectManifest(parsed, platform, `${files.what}: index ${current.digest}`);
      continue;
    }
    for (const blob of [parsed.config, ...parsed.layers]) {
      const blobPath = `blobs/sha256/${digestHex(blob.digest)}`;
      if (!files.has(blobPath)) throw files.missing(blobPath);
      await files.blob(blobPath);
    }
    return digest;
  }
  throw new SwarmError('CORRUPT_DATA', `${files.what}: indexes nested more than 4 deep`);
}

interface DockerSaveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

function checkDockerSaveEntry(value: unknown, i: number, what: string): DockerSaveEntry {
  const e = value as Partial<DockerSaveEntry>;
  const ok = typeof e === 'object' && e !== null && typeof e.Config === 'string' && Array.isArray(e.Layers) && e.Layers.every((l) => typeof l === 'string')
    && (e.RepoTags === undefined || e.RepoTags === null || (Array.isArray(e.RepoTags) && e.RepoTags.every((t) => typeof t === 'string')));
  if (!ok) throw new SwarmError('CORRUPT_DATA', `${what}: manifest.json[${i}] needs "Config" (string), "Layers" (strings) and optional "RepoTags" (strings)`);
  return { Config: e.Config!, Layers: e.Layers!, RepoTags: e.RepoTags ?? null };
}

async function layerMediaType(store: BlobStore, digest: string): Promise<string> {
  const compression = await sniffCompression(store.path(digest));
  return compression === 'gzip' ? ociLayerGzip : compression === 'zstd' ? ociLayerZstd : ociLayerTar;
}

async function dockerSaveImages(files: ArchiveFiles): Promise<FoundImage[]> {
  let list: unknown;
  try {
    list = JSON.parse((await files.bytes('manifest.json')).toString('utf8'));
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `${files.what}: manifest.json is not valid JSON`, { cause: err });
  }
  if (!Array.isArray(list)) throw new SwarmError('CORRUPT_DATA', `${files.what}: manifest.json must be an array`);
  const repositories = files.has('repositories') ? parseJsonObject(await files.bytes('repositories'), `${files.what}: repositories`) : {};
  const out: FoundImage[] = [];
  for (const [i, raw] of list.entries()) {
    const entry = checkDockerSaveEntry(raw, i, files.what);
    const configDigest = await files.blob(entry.Config);
    const named = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(entry.Config);
    if (named && named[1] !== digestHex(configDigest)) {
      throw new SwarmError('DIGEST_MISMATCH', `${files.what}: config ${entry.Config} hashes to ${configDigest}; the archive is corrupt or tampered with`);
    }
    const configBytes = await files.bytes(entry.Config);
    const layers: Descriptor[] = [];
    for (const layerPath of entry.Layers) {
      const digest = await files.blob(layerPath);
      layers.push({ mediaType: await layerMediaType(files.blobStore, digest), digest, sizeBytes: await files.blobStore.sizeOf(digest), annotations: {}, platform: undefined });
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifest,
      config: descriptorJson({ mediaType: ociConfig, digest: configDigest, sizeBytes: configBytes.length }),
      layers: layers.map((l) => descriptorJson(l)),
    }));
    const manifestDigest = await files.storeBytes(manifest);
    const names = new Set((entry.RepoTags ?? []).map((t) => normalizeReference(t)));
    // The legacy `repositories` file names an image by its config or top layer id; newer Docker writes RepoTags.
    const topLayerId = entry.Layers.at(-1)?.split('/').at(-2);
    for (const [repo, tags] of names.size > 0 ? [] : Object.entries(repositories)) {
      for (const [tag, id] of Object.entries((tags ?? {}) as Record<string, unknown>)) {
        if (id === digestHex(configDigest) || id === topLayerId) names.add(normalizeReference(`${repo}:${tag}`));
      }
    }
    out.push({ manifestDigest, names: [...names] });
  }
  return out;
}
