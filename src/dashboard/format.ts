/**
 * Compact text for the dashboard's narrow columns: ages like `42s` and `3h`, sizes in
 * binary units (`64Mi`, as reservations are written), CPUs as cores (`0.5`).
 */

/** `ms` as the largest whole unit: `0s`, `59s`, `3m`, `5h`, `2d`. */
export function compactDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

const binaryUnits = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];

/** 67108864 -> `64Mi`; one decimal below 10 of a unit (`1.5Gi`). */
export function compactBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit > 0 && value < 10 && !Number.isInteger(value) ? 1 : 0;
  return `${value.toFixed(digits)}${binaryUnits[unit]}`;
}

/** Millicores as cores: 500 -> `0.5`, 2000 -> `2`, 1250 -> `1.25`. */
export function compactCpus(millicores: number): string {
  return String(Math.round(millicores / 10) / 100);
}

/** Wall-clock time of day in UTC, `HH:MM:SS`: the event feed's first column. */
export function timeOfDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** Cuts `text` to `width` characters, ending in `…` when cut. */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : text.slice(0, width - 1) + '…';
}

/** A bar of `width` cells, `█` for `part` of `whole` and `░` for the rest; empty when whole is 0. */
export function bar(part: number, whole: number, width: number): string {
  const ratio = whole <= 0 ? 0 : Math.min(1, Math.max(0, part / whole));
  const full = Math.round(ratio * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}
