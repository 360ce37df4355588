import { SwarmError } from '../../core/errors.js';

/**
 * A streaming reader of tar archives (ustar, GNU long names, PAX path/linkpath/size), for
 * checking layers before they are extracted and for reading image archives without
 * writing them to disk first. It never touches the filesystem.
 */

/** The kinds of entry swarmts distinguishes. */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'directory' | 'fifo' | 'other';

/** One entry's header. `name` is as stored (not yet normalised). */
export interface TarEntry {
  name: string;
  type: TarEntryType;
  linkname: string;
  sizeBytes: number;
  mode: number;
}

/** Largest PAX or GNU long-name record we accept: names are short, this bounds memory. */
export const tarMetaBytesMax = 1024 * 1024;

const block = 512;

const typeFlags: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'chardev', '4': 'blockdev', '5': 'directory', '6': 'fifo',
};

function corrupt(what: string, why: string): SwarmError {
  return new SwarmError('CORRUPT_DATA', `${what}: not a valid tar archive: ${why}`);
}

/** Pulls exact byte counts from an async stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private done = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.bufferedBytes < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else if (next.value.length > 0) {
        this.buffered.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        this.bufferedBytes += next.value.length;
      }
    }
    return this.bufferedBytes >= n;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return out;
  }

  /** Up to `max` bytes of what is available (at least one unless the stream ended). */
  async readSome(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill(1))) return undefined;
    const first = this.buffered[0]!;
    if (first.length <= max) {
      this.buffered.shift();
      this.bufferedBytes -= first.length;
      return first;
    }
    this.buffered[0] = first.subarray(max);
    this.bufferedBytes -= max;
    return first.subarray(0, max);
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number, what: string): number {
  const field = buf.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256 for values too large for octal: big-endian, top bit as the marker.
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw corrupt(what, 'a numeric field is too large');
    return value;
  }
  const text = cString(field, 0, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(what, `bad octal field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer, what: string): boolean {
  const stored = octal(header, 148, 8, what);
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

function parsePax(data: Buffer, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw corrupt(what, 'bad PAX record');
    const length = Number(data.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0 || pos + length > data.length) throw corrupt(what, 'bad PAX record length');
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return out;
}

const padding = (size: number) => (block - (size % block)) % block;

/**
 * Reads `source` as a tar archive. For each entry `onEntry` gets the header and the body as
 * an async iterable, which it may read or ignore (what it leaves is skipped). Resolves at the
 * end of the stream (bytes after the end-of-archive marker are read and ignored). `what` names the archive in errors.
 */
export async function readTar(
  source: AsyncIterable<Uint8Array>,
  what: string,
  onEntry: (entry: TarEntry, body: AsyncIterable<Uint8Array>) => Promise<void> | void,
): Promise<void> {
  const reader = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const header = await reader.read(block);
      if (header === undefined) return;
      if (header.every((b) => b === 0)) {
        // Read what follows the end marker too: digests over the archive cover those bytes.
        while ((await reader.readSome(block * 128)) !== undefined) { /* discard */ }
        return;
      }
      if (!checksumOk(header, what)) throw corrupt(what, 'header checksum mismatch');
      const flag = String.fromCharCode(header[156]!);
      let size = octal(header, 124, 12, what);
      if (pax['size'] !== undefined) size = Number(pax['size']);
      if (!Number.isSafeInteger(size) || size < 0) throw corrupt(what, 'bad entry size');
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > tarMetaBytesMax) throw corrupt(what, `a metadata record of ${size} bytes exceeds ${tarMetaBytesMax}`);
        const data = await reader.read(size + padding(size));
        if (data === undefined) throw corrupt(what, 'truncated metadata record');
        const body = data.subarray(0, size);
        if (flag === 'x') pax = parsePax(body, what);
        else if (flag === 'L') longName = cString(body, 0, body.length);
        else if (flag === 'K') longLink = cString(body, 0, body.length);
        continue;
      }
      const magic = header.subarray(257, 262).toString('ascii');
      const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
      const stored = cString(header, 0, 100);
      const entry: TarEntry = {
        name: pax['path'] ?? longName ?? (prefix ? `${prefix}/${stored}` : stored),
        type: typeFlags[flag] ?? 'other',
        linkname: pax['linkpath'] ?? longLink ?? cString(header, 157, 100),
        sizeBytes: flag === '1' || flag === '2' || flag === '3' || flag === '4' || flag === '5' || flag === '6' ? 0 : size,
        mode: octal(header, 100, 8, what) & 0o7777,
      };
      pax = {};
      longName = undefined;
      longLink = undefined;
      let remaining = entry.sizeBytes;
      const body: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          while (remaining > 0) {
            const chunk = await reader.readSome(remaining);
            if (chunk === undefined) throw corrupt(what, `truncated entry ${entry.name}`);
            remaining -= chunk.length;
            yield chunk;
          }
        },
      };
      await onEntry(entry, body);
      while (remaining > 0) {
        const chunk = await reader.readSome(remaining);
        if (chunk === undefined) throw corrupt(what, `truncated entry ${entry.name}`);
        remaining -= chunk.length;
      }
      if (entry.sizeBytes > 0 && (await reader.read(padding(entry.sizeBytes))) === undefined && padding(entry.sizeBytes) > 0) {
        throw corrupt(what, `truncated padding after ${entry.name}`);
      }
    }
  } finally {
    await reader.close();
  }
}

/**
 * The normalised path of an archive member relative to the archive root (`./a//b/` → `a/b`),
 * or undefined when it names the root itself. SwarmError CORRUPT_DATA when it would escape
 * the root (`..` components); leading `/` is dropped, as tar does.
 */
export function memberPath(name: string, what: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new SwarmError('CORRUPT_DATA', `${what}: member "${name}" escapes the archive root with ".."; refused`, { details: { member: name } });
    parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}
