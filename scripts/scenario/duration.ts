/** Durations as scenario files write them: `500ms`, `30s`, `2m`, `1.5s`. */

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const msPerUnit = { ms: 1, s: 1000, m: 60_000 } as const;

/** Milliseconds in `text`, or undefined when it is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * msPerUnit[match[2] as keyof typeof msPerUnit]);
}

/** `1234` -> `1.2 s`: how step timings are printed. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
