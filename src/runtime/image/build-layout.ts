import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { SwarmError } from '../../core/errors.js';
import { BlobStore } from './blob-store.js';
import { DigestCounter } from './digest.js';
import { descriptorJson, parseJsonObject, type Platform } from './manifest.js';
import { dockerManifestList, ociConfig, ociIndex, ociLayerGzip, ociLayerTar, ociManifest } from './media-types.js';
import { normalizeReference } from './reference.js';

/**
 * Builds images as OCI image layouts (the directory form of the OCI image spec) from plain
 * directories, without Docker: each directory becomes one layer, tarred by GNU tar with
 * numeric owners, sorted names and PAX headers for xattrs, so the same tree gives the same
 * digests. Used by the busybox image script and by tests.
 */

/** One layer: a directory to tar, or an already-made uncompressed tar. */
export type LayerSource = { dir: string } | { tarPath: string };

/** The OCI config's `config` object, in its own field names. */
export interface ContainerDefaults {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
}

export interface BuildImageOptions {
  /** The OCI layout directory; created if missing, added to if it exists. */
  outDir: string;
  /** Layers, bottom first. */
  layers: LayerSource[];
  config?: ContainerDefaults;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Recorded in index.json (`io.containerd.image.name`, tag in `org.opencontainers.image.ref.name`). */
  reference?: string;
  /** Layer compression. Default gzip. */
  compression?: 'gzip' | 'none';
  /** The config's `created` time. Default the epoch, so builds are reproducible. */
  created?: string;
  /** 'epoch' sets every file's mtime to 0 in the layer, so rebuilding a fresh tree gives the same digests. Default 'keep'. */
  mtime?: 'keep' | 'epoch';
}

/** What was built. */
export interface BuiltImage {
  manifestDigest: string;
  manifestSizeBytes: number;
  configDigest: string;
  layers: { digest: string; diffId: string; sizeBytes: number }[];
}

const tarCreateArgs = ['--format=posix', '--pax-option=delete=atime,delete=ctime', '--sort=name', '--numeric-owner', '--xattrs', '--xattrs-include=*'];

async function* tarStream(source: LayerSource, mtime: 'keep' | 'epoch'): AsyncGenerator<Buffer> {
  if ('tarPath' in source) {
    yield* createReadStream(source.tarPath) as AsyncIterable<Buffer>;
    return;
  }
  const child = spawn('tar', ['-c', '-f', '-', '-C', source.dir, ...tarCreateArgs, ...(mtime === 'epoch' ? ['--mtime=@0'] : []), '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  yield* child.stdout as AsyncIterable<Buffer>;
  const code = await exited;
  if (code !== 0) throw new SwarmError('IO_ERROR', `tar of layer directory ${source.dir} failed (exit ${code}): ${stderr.trim()}`);
}

async function addLayer(blobs: BlobStore, source: LayerSource, compression: 'gzip' | 'none', mtime: 'keep' | 'epoch') {
  const diff = new DigestCounter();
  const tapped = (async function* () {
    for await (const chunk of tarStream(source, mtime)) {
      diff.update(chunk);
      yield chunk;
    }
  })();
  const stored = await blobs.write(compression === 'none' ? tapped : pipeline(Readable.from(tapped), createGzip(), () => undefined));
  return { ...stored, diffId: diff.digest() };
}

/** Builds one image into the OCI layout `options.outDir` and returns its digests. */
export async function buildImageLayout(options: BuildImageOptions): Promise<BuiltImage> {
  const compression = options.compression ?? 'gzip';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64', variant: undefined };
  const tmp = join(options.outDir, '.tmp-build');
  const blobs = new BlobStore(options.outDir, tmp);
  await blobs.open();
  try {
    const layers = [];
    for (const source of options.layers) layers.push(await addLayer(blobs, source, compression, options.mtime ?? 'keep'));
    const config = {
      created: options.created ?? '1970-01-01T00:00:00Z',
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      config: options.config ?? {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: options.created ?? '1970-01-01T00:00:00Z', created_by: 'swarmts buildImageLayout' })),
    };
    const configBlob = await blobs.putBytes(Buffer.from(JSON.stringify(config)));
    const manifest = {
      schemaVersion: 2,
      mediaType: ociManifest,
      config: descriptorJson({ mediaType: ociConfig, digest: configBlob.digest, sizeBytes: configBlob.sizeBytes }),
      layers: layers.map((l) => descriptorJson({ mediaType: compression === 'gzip' ? ociLayerGzip : ociLayerTar, digest: l.digest, sizeBytes: l.sizeBytes })),
    };
    const manifestBlob = await blobs.putBytes(Buffer.from(JSON.stringify(manifest)));
    const annotations: Record<string, string> = {};
    if (options.reference !== undefined) {
      const name = normalizeReference(options.reference);
      annotations['io.containerd.image.name'] = name;
      annotations['org.opencontainers.image.ref.name'] = name.slice(name.lastIndexOf(':') + 1);
    }
    await addToIndex(options.outDir, descriptorJson({ mediaType: ociManifest, digest: manifestBlob.digest, sizeBytes: manifestBlob.sizeBytes, annotations, platform }), options.reference);
    return {
      manifestDigest: manifestBlob.digest,
      manifestSizeBytes: manifestBlob.sizeBytes,
      configDigest: configBlob.digest,
      layers: layers.map((l) => ({ digest: l.digest, diffId: l.diffId, sizeBytes: l.sizeBytes })),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One platform's image for `buildIndexLayout`. */
export interface IndexEntry {
  manifestDigest: string;
  manifestSizeBytes: number;
  platform: Platform;
}

/**
 * Writes a multi-platform index (OCI index, or a Docker manifest list) over images already
 * in the layout `outDir`, and names it `reference` in index.json. Returns its digest.
 */
export async function buildIndexLayout(outDir: string, entries: IndexEntry[], reference: string, mediaType: typeof ociIndex | typeof dockerManifestList = ociIndex): Promise<string> {
  const blobs = new BlobStore(outDir, join(outDir, '.tmp-build'));
  await blobs.open();
  try {
    const body = {
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((e) => descriptorJson({ mediaType: ociManifest, digest: e.manifestDigest, sizeBytes: e.manifestSizeBytes, platform: e.platform })),
    };
    const stored = await blobs.putBytes(Buffer.from(JSON.stringify(body)));
    const name = normalizeReference(reference);
    await addToIndex(outDir, descriptorJson({
      mediaType, digest: stored.digest, sizeBytes: stored.sizeBytes,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) },
    }), reference);
    return stored.digest;
  } finally {
    await rm(join(outDir, '.tmp-build'), { recursive: true, force: true });
  }
}

/** Adds a manifest descriptor to the layout's index.json, replacing one of the same name. */
async function addToIndex(outDir: string, descriptor: Record<string, unknown>, reference: string | undefined): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const indexPath = join(outDir, 'index.json');
  const existing = await readFile(indexPath).then((b) => parseJsonObject(b, indexPath), () => undefined);
  const name = reference === undefined ? undefined : normalizeReference(reference);
  const manifests = ((existing?.['manifests'] ?? []) as Record<string, unknown>[]).filter((m) => {
    const annotations = (m['annotations'] ?? {}) as Record<string, string>;
    return name === undefined || annotations['io.containerd.image.name'] !== name;
  });
  manifests.push(descriptor);
  await writeFile(indexPath, JSON.stringify({ schemaVersion: 2, mediaType: ociIndex, manifests }, null, 1));
}
