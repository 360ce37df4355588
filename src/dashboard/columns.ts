import { clip } from './format.js';
import type { Tone } from './tone.js';

/** A column of a pane's table. */
export interface Column<R> {
  header: string;
  /** Narrowest useful width, in characters. */
  minWidth: number;
  /** Widest it grows to when there is room; defaults to minWidth (fixed). */
  maxWidth?: number;
  /** Higher is kept longer: when the pane is narrow, the lowest-priority columns go first. */
  priority: number;
  alignRight?: boolean;
  /** Spare room goes to columns by this, lowest first (default 0), then in column order. */
  growOrder?: number;
  text(row: R): string;
  tone?(row: R): Tone;
}

/** A column with the width it got. */
export interface FittedColumn<R> {
  column: Column<R>;
  width: number;
}

/** Characters between columns. */
export const columnGap = 2;

/**
 * The columns that fit `width` (lowest priority dropped first, order kept), widened up to
 * their maxWidth with the room left, by growOrder.
 */
export function fitColumns<R>(columns: Column<R>[], width: number): FittedColumn<R>[] {
  let kept = [...columns];
  const needed = (cols: Column<R>[]) => cols.reduce((sum, c) => sum + c.minWidth, 0) + columnGap * Math.max(0, cols.length - 1);
  while (kept.length > 1 && needed(kept) > width) {
    const lowest = kept.reduce((a, b) => (b.priority < a.priority ? b : a));
    kept = kept.filter((c) => c !== lowest);
  }
  let spare = Math.max(0, width - needed(kept));
  const widths = new Map(kept.map((c) => [c, c.minWidth]));
  for (const column of [...kept].sort((a, b) => (a.growOrder ?? 0) - (b.growOrder ?? 0))) {
    const extra = Math.min(spare, (column.maxWidth ?? column.minWidth) - column.minWidth);
    spare -= extra;
    widths.set(column, column.minWidth + extra);
  }
  return kept.map((column) => ({ column, width: widths.get(column)! }));
}

/** The first row to show so that `selected` is inside a window of `height` rows. */
export function firstVisibleRow(count: number, selected: number, height: number): number {
  if (count <= height || selected < height) return 0;
  return Math.min(count - height, selected - height + 1);
}

/** One cell's text, clipped and padded to its width. */
export function cellText(text: string, width: number, alignRight = false): string {
  const clipped = clip(text, width);
  return alignRight ? clipped.padStart(width) : clipped.padEnd(width);
}
