/**
 * How the CLI shows things: aligned tables, human sizes and ages, and the machine-readable
 * alternatives (`--format json`, `-q`) that scripts rely on.
 */

/** Columns aligned with at least three spaces between them, like docker's tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const sizeUnits = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 -> "1.23MB" (decimal units, as docker prints image sizes). */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < sizeUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)}${sizeUnits[unit]}`;
}

/** The time since `fromMs`, as docker says it: "Less than a second", "3 minutes", "2 hours". */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.floor(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  const d = Math.floor(h / 24);
  if (d < 14) return `${d} days`;
  if (d < 60) return `${Math.floor(d / 7)} weeks`;
  return d < 730 ? `${Math.floor(d / 30)} months` : `${Math.floor(d / 365)} years`;
}

/** Cuts a string to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

/** When something happened, as docker says it: "3 minutes ago". */
export function humanAge(atMs: number, nowMs: number): string {
  return `${humanDuration(Math.max(0, nowMs - atMs))} ago`;
}
