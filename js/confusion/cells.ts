// What a cell shows: the matrix as counts or fractions, its shade on the heat scale and its
// text. The static picture computes the same (wbnb/widgets/confusion/cells.py);
// tests/cases/confusion_cells.json holds both to the same answers.
import { formatNumber } from "../lib/dom";
import type { ConfusionMatrixModel } from "./contract";

export type Normalize = ConfusionMatrixModel["normalize"];

/** The matrix (k*k, row-major, rows = true class) as shown: the counts ("none"), or the
 * fractions of each true class ("true": rows sum to 1) or predicted class ("pred":
 * columns sum to 1). An empty row (column) stays 0. */
export function normalized(m: Float64Array, k: number, mode: Normalize): Float64Array {
  if (mode === "none") return m;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    let sum = 0;
    for (let b = 0; b < k; b++) sum += mode === "true" ? m[a * k + b] : m[b * k + a];
    for (let b = 0; b < k; b++) {
      const idx = mode === "true" ? a * k + b : b * k + a;
      out[idx] = sum ? m[idx] / sum : 0;
    }
  }
  return out;
}

/** The largest value of a shown matrix (0 when empty). */
export function largest(shown: Float64Array): number {
  let max = 0;
  for (const v of shown) if (v > max) max = v;
  return max;
}

/** Where a shown value sits on the heat scale, in [0, 1]: counts against the largest,
 * fractions as they are. */
export function shade(v: number, max: number, mode: Normalize): number {
  return mode === "none" ? v / (max || 1) : v;
}

/** A cell's text: the count (whole counts in full), or the fraction as a percentage. */
export function cellText(v: number, mode: Normalize): string {
  if (mode === "none") return Number.isInteger(v) ? String(v) : formatNumber(v);
  return `${(v * 100).toFixed(1)}%`;
}
