/**
 * Units people write in stack files and on the command line: durations ("1m30s"), sizes
 * ("512M", "1.5GiB") and CPU counts ("0.5"). Each parser throws an Error whose message says
 * what was expected; callers add where the value came from.
 */

const durationUnitsMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1h2m3.5s", "500ms", "10s" (Go's time.ParseDuration, as compose uses) -> milliseconds. A bare 0 is 0. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) throw new Error(`expected a duration like 30s, 1m30s or 500ms, got "${text}"`);
    total += Number(match[1]) * durationUnitsMs[match[2]!]!;
    at = part.lastIndex;
  }
  if (trimmed.length === 0) throw new Error(`expected a duration like 30s, 1m30s or 500ms, got "${text}"`);
  return Math.round(total);
}

const byteUnits: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** "512m", "1g", "1.5GiB", "128M", "1024" -> bytes (binary units, as Docker reads them). */
export function parseBytes(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isInteger(text) || text <= 0) throw new Error(`expected a positive whole number of bytes, got ${text}`);
    return text;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = byteUnits[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined) throw new Error(`expected a size like 512m, 1g or 1.5GiB, got "${text}"`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes <= 0) throw new Error(`expected a size above zero, got "${text}"`);
  return bytes;
}

/** "0.5", "2", 1.5 -> billionths of a CPU (Docker's NanoCpus). */
export function parseCpus(text: string | number): number {
  const value = typeof text === 'number' ? text : /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(value > 0) || value > 1024) throw new Error(`expected a number of CPUs like 0.5 or 2, got "${text}"`);
  return Math.round(value * 1e9);
}
