// Scalar series on the wire (wbnb/widgets/series.py): float64 rows of
// (bucket, step, wall time s, runtime s, step-metric value or NaN, value).
import { float64s } from "./anywidget";

export const STRIDE = 6;

export interface Datum {
  rid: string; // run id (colour)
  run: string; // run name (hover text)
  b: number; // bucket
  s: number; // step
  t: number; // wall time, ms since the epoch
  r: number; // runtime, s
  m: number | null; // step-metric value
  y: number; // value
  ys: number; // smoothed value
  e: number; // EMA accumulator up to this point (for continuing it)
  n: number; // points in the EMA so far
}

export interface SeriesInfo {
  id: number;
  run: number;
  key: string;
  step_metric: string | null;
  width: number;
  count: number;
}

export function decodePoints(part: unknown, rid: string, run: string): Datum[] {
  const a = float64s(part);
  const out: Datum[] = new Array(Math.floor(a.length / STRIDE));
  for (let i = 0, j = 0; j < out.length; i += STRIDE, j++) {
    const m = a[i + 4];
    out[j] = { rid, run, b: a[i], s: a[i + 1], t: a[i + 2] * 1000, r: a[i + 3], m: Number.isNaN(m) ? null : m,
      y: a[i + 5], ys: a[i + 5], e: 0, n: 0 };
  }
  return out;
}

/** First index whose bucket is >= b (points are in bucket order). */
export function firstAtBucket(points: Datum[], b: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].b < b) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Debiased exponential moving average (wandb's "smoothing"), from index `from` on.
 * Returns the new smoothed values without touching the points before `from`. */
export function smooth(points: Datum[], alpha: number, from = 0): void {
  let e = from > 0 ? points[from - 1].e : 0;
  let n = from > 0 ? points[from - 1].n : 0;
  for (let i = from; i < points.length; i++) {
    const p = points[i];
    e = e * alpha + (1 - alpha) * p.y;
    n++;
    p.e = e;
    p.n = n;
    p.ys = alpha > 0 ? e / (1 - Math.pow(alpha, n)) : p.y;
  }
}
