// Where a matrix's parts go: the cell size from the widget's `size` and the k classes, the
// class labels (thinned out, turned, shortened to fit), whether the cells hold their text.
// The static picture lays out the same (wbnb/widgets/confusion/layout.py, measuring text by
// an estimate where the canvas measures it); tests/cases/confusion_layout.json holds both
// to the same answers.
import { cellText, type Normalize } from "./cells";

/** The width in px of `text` in a font of `px` px. */
export type Measure = (text: string, px: number) => number;

export const MIN_SIZE = 120; // px: the smallest matrix drawn, however small `size` is
const MAX_LABEL = 120; // px: the widest class label (rows) or turned label (columns)

/** A matrix's layout, in px from the top left of its drawing. */
export interface Layout {
  k: number;
  size: number; // the matrix's side
  cell: number; // a cell's side
  label: number; // the class labels' font size
  gutter: number; // the width of the row labels
  turned: boolean; // the column labels are turned 45°
  left: number; // the matrix's left edge
  top: number; // the matrix's top edge
  width: number;
  height: number;
  font: number; // the cells' font size
  numbers: boolean; // the cells hold their text
  outline: boolean; // the diagonal is outlined
  rows: [number, string][]; // the row labels drawn: class index, text
  cols: [number, string][]; // the column labels drawn
}

/** The layout of a k x k matrix drawn `size` px wide with class `names` (their indices when
 * there are not k of them), whose largest shown value is `max`. */
export function layout(k: number, size: number, names: string[], max: number, mode: Normalize, measure: Measure): Layout {
  const side = Math.max(MIN_SIZE, size);
  const cell = side / k;
  const label = Math.max(7, Math.min(12, Math.floor(cell * 0.8)));
  const shown = names.length === k ? names : Array.from({ length: k }, (_, i) => String(i));
  let widest = 0;
  for (const n of shown) widest = Math.max(widest, measure(n, label));
  const gutter = Math.min(MAX_LABEL, Math.ceil(widest));
  const turned = widest > cell - 2; // column labels turn when they do not fit a cell
  const every = Math.max(1, Math.ceil((label + 2) / cell)); // thinned out: one label per `every` classes
  const left = gutter + 26;
  const top = (turned ? Math.min(MAX_LABEL, Math.ceil(widest * 0.75)) + label : label + 4) + 22;
  const width = left + side + 8 + (turned ? Math.ceil(Math.min(MAX_LABEL, widest) * 0.72) : 0); // turned labels lean right
  const font = Math.max(8, Math.min(14, Math.floor(cell / 3.2)));
  const sample = measure(cellText(mode === "none" ? max : 1, mode), font); // the widest cell text
  const rows: [number, string][] = [];
  const cols: [number, string][] = [];
  for (let i = 0; i < k; i += every) {
    rows.push([i, fit(shown[i], gutter, label, measure)]);
    cols.push([i, turned ? fit(shown[i], MAX_LABEL, label, measure) : shown[i]]);
  }
  return {
    k, size: side, cell, label, gutter, turned, left, top, width, height: top + side + 8, font,
    numbers: sample < cell - 3 && cell >= 14, outline: cell >= 6, rows, cols,
  };
}

/** `text`, shortened with "…" to at most `max` px wide in a font of `px` px. */
export function fit(text: string, max: number, px: number, measure: Measure): string {
  if (measure(text, px) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(text.slice(0, mid) + "…", px) <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + "…";
}
