import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SwarmError } from '../../core/errors.js';

/** How a layer blob is compressed, sniffed from its first bytes (media types lie too often). */
export type LayerCompression = 'gzip' | 'zstd' | 'none';

const gzipMagic = [0x1f, 0x8b];
const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

/** The compression of the file at `path`. */
export async function sniffCompression(path: string): Promise<LayerCompression> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    const starts = (magic: number[]) => bytesRead >= magic.length && magic.every((b, i) => head[i] === b);
    if (starts(gzipMagic)) return 'gzip';
    if (starts(zstdMagic)) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

/**
 * The uncompressed tar stream of a layer blob. zstd goes through the system's `zstd`
 * (Node 20 has no zstd); a missing binary is an error that says so.
 */
export async function openLayerTar(path: string, what: string): Promise<Readable> {
  const compression = await sniffCompression(path);
  if (compression === 'none') return createReadStream(path);
  if (compression === 'gzip') {
    const file = createReadStream(path);
    const gunzip = createGunzip();
    file.on('error', (err) => gunzip.destroy(err));
    return file.pipe(gunzip);
  }
  const out = new PassThrough();
  const child = spawn('zstd', ['-d', '-c', '-q', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('error', (err) => out.destroy(new SwarmError('IO_ERROR', `${what}: zstd layers need the zstd command (apt package zstd): ${err.message}`, { cause: err })));
  child.on('close', (code) => { if (code !== 0) out.destroy(new SwarmError('CORRUPT_DATA', `${what}: zstd failed: ${stderr.trim()}`)); });
  child.stdout.pipe(out);
  return out;
}
