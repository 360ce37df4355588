import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LogLine } from './runtime.js';

/**
 * Reads the log files swarmts-monitor writes in the CRI format
 * (`<RFC3339Nano time> <stdout|stderr> <F|P> <text>`, P for a partial line continued by the
 * next record), rotated as `log`, `log.1` … `log.K-1` (the highest number is the oldest).
 */

/** Parses one record; undefined for a line that is not a CRI record (never throws). */
export function parseCriLine(line: string): { time: string; stream: 'stdout' | 'stderr'; partial: boolean; text: string } | undefined {
  const firstSpace = line.indexOf(' ');
  const secondSpace = line.indexOf(' ', firstSpace + 1);
  const thirdSpace = line.indexOf(' ', secondSpace + 1);
  if (firstSpace <= 0 || secondSpace < 0) return undefined;
  const stream = line.slice(firstSpace + 1, secondSpace);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = thirdSpace < 0 ? line.slice(secondSpace + 1) : line.slice(secondSpace + 1, thirdSpace);
  if (tag !== 'F' && tag !== 'P') return undefined;
  return { time: line.slice(0, firstSpace), stream, partial: tag === 'P', text: thirdSpace < 0 ? '' : line.slice(thirdSpace + 1) };
}

/** Joins partial records into whole lines, per stream. */
export class CriLineAssembler {
  private readonly pending = { stdout: '', stderr: '' };

  push(record: string): LogLine | undefined {
    const parsed = parseCriLine(record);
    if (!parsed) return undefined;
    if (parsed.partial) {
      this.pending[parsed.stream] += parsed.text;
      return undefined;
    }
    const text = this.pending[parsed.stream] + parsed.text;
    this.pending[parsed.stream] = '';
    return { time: parsed.time, stream: parsed.stream, text };
  }
}

/** The log's files oldest first: `log.N` … `log.1`, then `log`. */
export async function rotatedFiles(logPath: string): Promise<string[]> {
  const name = basename(logPath);
  let entries: string[];
  try {
    entries = await readdir(dirname(logPath));
  } catch {
    return [];
  }
  const rotated = entries
    .map((e) => ({ e, n: e.startsWith(name + '.') ? Number(e.slice(name.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.n) && x.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((x) => join(dirname(logPath), x.e));
  return entries.includes(name) ? [...rotated, logPath] : rotated;
}

/** Every whole line in the log files now, oldest first. */
export async function readAllLines(logPath: string): Promise<{ lines: LogLine[]; endOffset: number; assembler: CriLineAssembler }> {
  const assembler = new CriLineAssembler();
  const lines: LogLine[] = [];
  let endOffset = 0;
  for (const file of await rotatedFiles(logPath)) {
    const { text, bytes } = await readFrom(file, 0);
    for (const record of completeRecords(text)) {
      const line = assembler.push(record);
      if (line) lines.push(line);
    }
    if (file === logPath) endOffset = bytes;
  }
  return { lines, endOffset, assembler };
}

/**
 * Follows the current log file from `offset`, yielding new whole lines until `done()` says
 * the writer has finished and nothing is left. A rotation (the file got shorter) restarts
 * at its beginning. Polls every `pollMs`: simple, and cheap for a few hundred containers.
 */
export async function* followLines(
  logPath: string, offset: number, assembler: CriLineAssembler, done: () => boolean, signal?: AbortSignal, pollMs = 100,
): AsyncGenerator<LogLine> {
  let position = offset;
  for (;;) {
    const finished = done();
    let size = 0;
    try {
      size = (await stat(logPath)).size;
    } catch {
      size = 0;
    }
    if (size < position) position = 0;
    const { text, bytes } = size > position ? await readFrom(logPath, position) : { text: '', bytes: 0 };
    if (bytes > 0) {
      position += bytes;
      for (const record of completeRecords(text)) {
        const line = assembler.push(record);
        if (line) yield line;
      }
      continue;
    }
    if (finished || signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function completeRecords(text: string): string[] {
  const cut = text.lastIndexOf('\n');
  return cut < 0 ? [] : text.slice(0, cut).split('\n');
}

async function readFrom(file: string, offset: number): Promise<{ text: string; bytes: number }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const length = Math.max(0, size - offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    // Only whole records count as read; a record still being written is read again later.
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const cut = text.lastIndexOf('\n');
    return cut < 0 ? { text: '', bytes: 0 } : { text: text.slice(0, cut + 1), bytes: Buffer.byteLength(text.slice(0, cut + 1)) };
  } finally {
    await handle.close();
  }
}
