import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../../core/errors.js';
import { parseImageConfig } from './image-config.js';
import { parseManifest, type IndexManifest } from './manifest.js';
import { dockerManifest, dockerManifestList, ociIndex, ociManifest } from './media-types.js';
import { hostPlatform, selectManifest } from './platform.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const descriptor = (mediaType: string, n: number, extra: Record<string, unknown> = {}) => ({ mediaType, digest: d(n), size: 10, ...extra });

test('manifests, indexes and Docker lists parse; a list without mediaType is known by its content type', () => {
  const manifest = parseManifest(bytes({ schemaVersion: 2, mediaType: dockerManifest, config: descriptor('application/vnd.docker.container.image.v1+json', 1), layers: [descriptor('application/vnd.docker.image.rootfs.diff.tar.gzip', 2)] }), 'm');
  assert.is(manifest.kind, 'manifest');
  const list = parseManifest(bytes({ schemaVersion: 2, manifests: [descriptor(dockerManifest, 3, { platform: { os: 'linux', architecture: 'amd64' } })] }), 'l', `${dockerManifestList}; charset=utf-8`);
  assert.equal([list.kind, list.mediaType], ['index', dockerManifestList]);
  const index = parseManifest(bytes({ schemaVersion: 2, mediaType: ociIndex, manifests: [] }), 'i');
  assert.is(index.kind, 'index');
});

test('bad manifests are refused with the field that is wrong', () => {
  const cases: [unknown, string, RegExp][] = [
    ['not json', 'CORRUPT_DATA', /not valid JSON/],
    [[1, 2], 'CORRUPT_DATA', /expected a JSON object/],
    [{ schemaVersion: 1, mediaType: ociManifest }, 'CORRUPT_DATA', /only schemaVersion 2/],
    [{ schemaVersion: 2, mediaType: 'application/x-nope' }, 'INVALID_ARGUMENT', /unsupported manifest type application\/x-nope/],
    [{ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1) }, 'CORRUPT_DATA', /needs a "layers" array/],
    [{ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1), layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }, 'CORRUPT_DATA', /layers\[0\]\.digest/],
    [{ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1), layers: [descriptor('x', 2, { size: -1 })] }, 'CORRUPT_DATA', /non-negative integer/],
    [{ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1), layers: [descriptor('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 2)] }, 'INVALID_ARGUMENT', /unsupported layer type/],
    [{ schemaVersion: 2, mediaType: ociIndex, manifests: [descriptor(ociManifest, 1, { platform: { os: 'linux' } })] }, 'CORRUPT_DATA', /platform needs/],
  ];
  for (const [doc, code, message] of cases) {
    const input = typeof doc === 'string' ? Buffer.from(doc) : bytes(doc);
    try {
      parseManifest(input, 'the manifest');
      assert.unreachable(JSON.stringify(doc));
    } catch (err) {
      assert.ok(isSwarmError(err) && err.code === code, `${JSON.stringify(doc)}: ${String(err)}`);
      assert.match((err as Error).message, message);
    }
  }
  assert.throws(() => parseManifest(Buffer.alloc(5 * 1024 * 1024, 32), 'huge'), /exceeds the limit/);
  const layer = descriptor('application/vnd.oci.image.layer.v1.tar+gzip', 2);
  const tall = (n: number) => bytes({ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1), layers: Array.from({ length: n }, () => layer) });
  assert.is(parseManifest(tall(127), 'm').kind, 'manifest');
  assert.throws(() => parseManifest(tall(128), 'm'), (err: unknown) => isSwarmError(err, 'INVALID_ARGUMENT') && /128 layers, over the limit of 127/.test((err as Error).message));
  const bigConfig = bytes({ schemaVersion: 2, mediaType: ociManifest, config: descriptor('c', 1, { size: 9 * 1024 * 1024 }), layers: [] });
  assert.throws(() => parseManifest(bigConfig, 'm'), /over the limit of 8388608/);
});

test('image configs parse into what a container inherits, and bad fields are named', () => {
  const parsed = parseImageConfig(bytes({
    architecture: 'arm64', variant: 'v8', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Entrypoint: ['/init'], Cmd: null, Env: ['A=1'], WorkingDir: '/app', User: '65534', ExposedPorts: { '53/udp': {}, '80/tcp': {} }, Healthcheck: { Test: ['NONE'] } },
    rootfs: { type: 'layers', diff_ids: [d(1)] },
  }), 'cfg');
  assert.equal(parsed.config, { entrypoint: ['/init'], env: ['A=1'], workingDir: '/app', user: '65534', exposedPorts: ['53/udp', '80/tcp'], healthcheck: { test: ['NONE'] } });
  assert.equal([parsed.architecture, parsed.variant, parsed.diffIds], ['arm64', 'v8', [d(1)]]);
  const cases: [unknown, RegExp][] = [
    [{ config: { Cmd: 'sh' }, rootfs: { diff_ids: [] } }, /config\.Cmd: expected an array of strings/],
    [{ config: { Labels: { a: 1 } }, rootfs: { diff_ids: [] } }, /Labels: expected an object of strings/],
    [{ config: { Healthcheck: { Test: ['CMD', 'x'], Interval: -5 } }, rootfs: { diff_ids: [] } }, /Interval: expected a non-negative duration/],
    [{ config: {} }, /rootfs: expected/],
    [{ rootfs: { diff_ids: ['sha256:short'] } }, /diff_ids\[0\]/],
  ];
  for (const [doc, message] of cases) {
    assert.throws(() => parseImageConfig(bytes(doc), 'cfg'), (err: unknown) => isSwarmError(err, 'CORRUPT_DATA') && message.test((err as Error).message), JSON.stringify(doc));
  }
});

test('platform selection matches os, architecture and variant, preferring an exact variant', () => {
  const entry = (n: number, architecture: string, variant?: string, os = 'linux') => ({ mediaType: ociManifest, digest: d(n), sizeBytes: 1, annotations: {}, platform: { os, architecture, variant } });
  const index: IndexManifest = { kind: 'index', mediaType: ociIndex, manifests: [
    entry(1, 'amd64', undefined, 'windows'), entry(2, 'arm', 'v6'), entry(3, 'arm', 'v7'), entry(4, 'arm64'), entry(5, 'amd64'), entry(6, 'unknown', undefined, 'unknown'),
  ] };
  const pick = (architecture: string, variant?: string) => selectManifest(index, { os: 'linux', architecture, variant }, 'img').digest;
  assert.is(pick('amd64'), d(5));
  assert.is(pick('arm', 'v7'), d(3));
  assert.is(pick('arm', 'v6'), d(2));
  assert.is(pick('arm64', 'v8'), d(4), 'arm64 without a variant is v8');
  assert.throws(() => pick('arm', 'v5'), (err: unknown) => isSwarmError(err, 'IMAGE_NOT_FOUND') && /offers windows\/amd64, linux\/arm\/v6, linux\/arm\/v7, linux\/arm64, linux\/amd64$/.test((err as Error).message));
  assert.equal(hostPlatform('x64'), { os: 'linux', architecture: 'amd64', variant: undefined });
  assert.equal(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
});

test.run();
