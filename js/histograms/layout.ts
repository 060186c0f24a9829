// The rules a histogram's heatmap on the page shares with its static picture
// (wbnb/widgets/histograms/layout.py): the plot's size, each bin's shade, the value axis,
// and which steps are labelled where. tests/cases/histograms_layout.json holds both halves
// to the same results (tests/js/histograms.test.ts, tests/widgets/histograms/test_layout.py).
import { formatNumber } from "../lib/dom";

export const LEFT = 64; // px left of the plot: room for "step 12345"
export const BOTTOM = 30; // px under it: the value ticks and the axis title
const TICKS = 5; // value ticks, at both ends and evenly between
const LABEL_SPACING = 28; // px down the plot per step label, at least

/** A value tick: where (a fraction of the plot's width), what it says, how it aligns. */
export interface Tick {
  at: number;
  label: string;
  anchor: "start" | "middle" | "end";
}

/** The plot's [width, height] for the widget's `chart_width` / `chart_height`. */
export function plotSize(width: number, height: number): [number, number] {
  return [Math.max(160, width), Math.max(80, height)];
}

/** Each bin's share of the row's largest bin (a row of zeros stays 0): the heatmap's
 * shade, the ridge curve's height. */
export function shares(row: Float64Array): Float64Array {
  let peak = 0;
  for (const v of row) if (v > peak) peak = v;
  return row.map((v) => (peak > 0 ? v / peak : 0));
}

/** The ticks along the value axis of a grid over [lo, hi]. */
export function valueTicks(lo: number, hi: number): Tick[] {
  const out: Tick[] = [];
  for (let t = 0; t < TICKS; t++) {
    const at = t / (TICKS - 1);
    const anchor = t === 0 ? "start" : t === TICKS - 1 ? "end" : "middle";
    out.push({ at, label: formatNumber(lo + (hi - lo) * at), anchor });
  }
  return out;
}

/** Which of `count` rows (top to bottom) get a step label on a plot `height` px tall: the
 * first, the last and evenly between, one per LABEL_SPACING px. */
export function labelled(count: number, height: number): number[] {
  if (!count) return [];
  const labels = Math.max(2, Math.min(count, Math.floor(height / LABEL_SPACING)));
  const rows: number[] = [];
  for (let t = 0; t < labels; t++) rows.push(Math.round((t * (count - 1)) / Math.max(1, labels - 1)));
  return [...new Set(rows)];
}

/** Where down the heatmap (px from its top) row `row` of `rows` has its step label: the
 * row's middle, kept 4 px above the bottom. */
export function heatLabelY(row: number, rows: number, height: number): number {
  return Math.min(height - 4, ((row + 0.5) * height) / rows);
}
