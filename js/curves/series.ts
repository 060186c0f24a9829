// A Curves series on the page: its points decoded from the wire (float64 rows of the
// contract's WIRE_FIELDS), a delta's points spliced in from a bucket on, and the EMA
// smoothing the viewer chose (the static picture's is held to it by
// tests/cases/curves_smoothing.json).
import { float64s } from "../lib/anywidget";
import { WIRE_FIELDS, type SeriesInfo } from "./contract";

const STRIDE = WIRE_FIELDS.length;
const at = (field: (typeof WIRE_FIELDS)[number]): number => WIRE_FIELDS.indexOf(field);
const [B, S, T, R, M, Y] = [at("b"), at("s"), at("t"), at("r"), at("m"), at("y")];

/** A point as the charts' "points" dataset holds it. */
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

/** A series with its points (in bucket order). */
export interface Series extends SeriesInfo {
  points: Datum[];
}

/** The points of a binary part of a snapshot or delta, of run `rid` named `run`. */
export function decodePoints(part: unknown, rid: string, run: string): Datum[] {
  const a = float64s(part);
  const out: Datum[] = new Array(Math.floor(a.length / STRIDE));
  for (let i = 0, j = 0; j < out.length; i += STRIDE, j++) {
    const m = a[i + M];
    out[j] = { rid, run, b: a[i + B], s: a[i + S], t: a[i + T] * 1000, r: a[i + R], m: Number.isNaN(m) ? null : m,
      y: a[i + Y], ys: a[i + Y], e: 0, n: 0 };
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

/** How many leading points two decodings of a series share (same bucket, step, times and values). */
export function samePrefix(a: Datum[], b: Datum[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    const p = a[i];
    const q = b[i];
    if (p.b !== q.b || p.s !== q.s || p.t !== q.t || p.r !== q.r || p.m !== q.m || !Object.is(p.y, q.y)) break;
    i++;
  }
  return i;
}

/** Debiased exponential moving average (wandb's "smoothing") of the points' values into
 * their `ys`, from index `from` on (the points before it keep theirs and carry the EMA on). */
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
