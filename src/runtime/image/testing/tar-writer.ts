/**
 * A minimal ustar writer for tests: builds archives GNU tar would refuse to make, such as
 * members named `../escape` or written through a symlink, to prove they are refused.
 */

export interface TarWriterEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink' | 'chardev';
  data?: string | Buffer;
  linkname?: string;
  /** Default 0o644 for files, 0o755 for directories. */
  mode?: number;
  uid?: number;
  gid?: number;
}

const typeFlag = { file: '0', hardlink: '1', symlink: '2', chardev: '3', directory: '5' } as const;

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value.slice(0, length), offset, length, 'utf8');
}

function octalField(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** The archive of `entries`, with the two zero blocks that end it. */
export function tarArchive(entries: TarWriterEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const data = type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
    if (Buffer.byteLength(entry.name) > 100) throw new Error(`tarArchive: name over 100 bytes: ${entry.name}`);
    const header = Buffer.alloc(512);
    field(header, 0, 100, entry.name);
    octalField(header, 100, 8, entry.mode ?? (type === 'directory' ? 0o755 : 0o644));
    octalField(header, 108, 8, entry.uid ?? 0);
    octalField(header, 116, 8, entry.gid ?? 0);
    octalField(header, 124, 12, data.length);
    octalField(header, 136, 12, 0);
    field(header, 148, 8, '        ');
    field(header, 156, 1, typeFlag[type]);
    field(header, 157, 100, entry.linkname ?? '');
    field(header, 257, 6, 'ustar\0');
    field(header, 263, 2, '00');
    let sum = 0;
    for (const b of header) sum += b;
    field(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
