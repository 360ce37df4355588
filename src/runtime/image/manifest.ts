import { SwarmError } from '../../core/errors.js';
import { checkDigest } from './digest.js';
import { imageManifestTypes, indexTypes, layerTypes } from './media-types.js';

/**
 * OCI / Docker v2 manifests and indexes, parsed from untrusted bytes: every field we use is
 * checked, so later code can rely on the types. Unknown fields are ignored, as the specs ask.
 */

/** A pointer to a blob: its type, digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  sizeBytes: number;
  annotations: Record<string, string>;
  platform: Platform | undefined;
}

/** The platform of one entry of an index. */
export interface Platform {
  os: string;
  architecture: string;
  variant: string | undefined;
}

/** An image manifest: a config blob and the layers, bottom first. */
export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** An index or manifest list: one manifest per platform. */
export interface IndexManifest {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

/** Largest manifest we accept: the distribution registry's own limit is 4 MiB. */
export const manifestBytesMax = 4 * 1024 * 1024;

/** Largest config blob we accept: configs are read whole into memory; real ones are a few KiB. */
export const configBytesMax = 8 * 1024 * 1024;

/** Most layers an image may have: Docker's limit, and what one overlay mount can stack. */
export const layersMax = 127;

function bad(what: string, why: string): SwarmError {
  return new SwarmError('CORRUPT_DATA', `${what}: ${why}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON bytes into an object; CORRUPT_DATA naming `what` otherwise. */
export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', `${what}: not valid JSON`, { cause: err });
  }
  if (!isObject(value)) throw bad(what, 'expected a JSON object');
  return value;
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) throw bad(what, 'expected an object of strings');
  return value as Record<string, string>;
}

function parsePlatform(value: unknown, what: string): Platform | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value['os'] !== 'string' || typeof value['architecture'] !== 'string') {
    throw bad(what, 'platform needs string "os" and "architecture"');
  }
  return { os: value['os'], architecture: value['architecture'], variant: typeof value['variant'] === 'string' ? value['variant'] : undefined };
}

/** Parses one descriptor object. */
export function parseDescriptor(value: unknown, what: string): Descriptor {
  if (!isObject(value)) throw bad(what, 'expected a descriptor object');
  if (typeof value['mediaType'] !== 'string') throw bad(what, 'descriptor has no string "mediaType"');
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw bad(what, `descriptor "size" must be a non-negative integer, got ${JSON.stringify(size)}`);
  let digest: string;
  try {
    digest = checkDigest(value['digest'], `${what}.digest`);
  } catch (err) {
    throw new SwarmError('CORRUPT_DATA', (err as Error).message);
  }
  return {
    mediaType: value['mediaType'],
    digest,
    sizeBytes: size,
    annotations: stringRecord(value['annotations'], `${what}.annotations`),
    platform: parsePlatform(value['platform'], what),
  };
}

/**
 * Parses a manifest or an index. `contentType` (from the registry) decides when the body
 * has no `mediaType` field, as old Docker manifest lists sometimes do.
 */
export function parseManifest(bytes: Uint8Array, what: string, contentType?: string): ImageManifest | IndexManifest {
  if (bytes.length > manifestBytesMax) throw bad(what, `manifest of ${bytes.length} bytes exceeds the limit of ${manifestBytesMax} bytes`);
  const doc = parseJsonObject(bytes, what);
  const declared = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined;
  const mediaType = declared ?? contentType?.split(';')[0]?.trim() ?? (Array.isArray(doc['manifests']) ? indexTypes[0]! : imageManifestTypes[0]!);
  if (doc['schemaVersion'] !== 2) throw bad(what, `only schemaVersion 2 manifests are supported, got ${JSON.stringify(doc['schemaVersion'])}`);
  if (indexTypes.includes(mediaType) || (declared === undefined && Array.isArray(doc['manifests']))) {
    if (!Array.isArray(doc['manifests'])) throw bad(what, 'an index needs a "manifests" array');
    return { kind: 'index', mediaType, manifests: doc['manifests'].map((m, i) => parseDescriptor(m, `${what}.manifests[${i}]`)) };
  }
  if (!imageManifestTypes.includes(mediaType)) {
    throw new SwarmError('INVALID_ARGUMENT', `${what}: unsupported manifest type ${mediaType}; expected one of ${[...imageManifestTypes, ...indexTypes].join(', ')}`);
  }
  if (!Array.isArray(doc['layers'])) throw bad(what, 'an image manifest needs a "layers" array');
  if (doc['layers'].length > layersMax) throw new SwarmError('INVALID_ARGUMENT', `${what}: ${doc['layers'].length} layers, over the limit of ${layersMax}`);
  const layers = doc['layers'].map((l, i) => parseDescriptor(l, `${what}.layers[${i}]`));
  for (const [i, layer] of layers.entries()) {
    if (!layerTypes.includes(layer.mediaType)) throw new SwarmError('INVALID_ARGUMENT', `${what}.layers[${i}]: unsupported layer type ${layer.mediaType}`);
  }
  const config = parseDescriptor(doc['config'], `${what}.config`);
  if (config.sizeBytes > configBytesMax) throw new SwarmError('INVALID_ARGUMENT', `${what}: a config of ${config.sizeBytes} bytes, over the limit of ${configBytesMax}`);
  return { kind: 'manifest', mediaType, config, layers };
}

/** A descriptor as JSON, for manifests we write ourselves. */
export function descriptorJson(d: { mediaType: string; digest: string; sizeBytes: number; annotations?: Record<string, string>; platform?: Platform | undefined }): Record<string, unknown> {
  const out: Record<string, unknown> = { mediaType: d.mediaType, digest: d.digest, size: d.sizeBytes };
  if (d.platform) out['platform'] = { architecture: d.platform.architecture, os: d.platform.os, ...(d.platform.variant ? { variant: d.platform.variant } : {}) };
  if (d.annotations && Object.keys(d.annotations).length > 0) out['annotations'] = d.annotations;
  return out;
}
