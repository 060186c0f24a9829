// What a key is drawn against: the x-axis the viewer chose (the x_axis trait) and, for
// "auto", the key's step metric. The static picture chooses so too
// (wbnb/widgets/curves/picture.py: x_field), held by tests/cases/curves_x_axis.json.
import type { CurvesModel } from "./contract";
import type { Datum } from "./series";

/** A point field on x: step, wall time, runtime or step-metric value. */
export type XField = "s" | "t" | "r" | "m";
export type XAxis = CurvesModel["x_axis"];

/** The field of a key's points drawn on x, given the step metrics of the key's series. */
export function xField(mode: XAxis, stepMetrics: Iterable<string | null>): XField {
  if (mode === "wall") return "t";
  if (mode === "relative") return "r";
  if (mode === "auto") for (const m of stepMetrics) if (m) return "m";
  return "s";
}

/** The axis title of a field (the step metric's name for "m"). */
export function xTitle(field: XField, stepMetrics: Iterable<string | null>): string {
  if (field === "t") return "Time";
  if (field === "r") return "Relative time (s)";
  if (field === "m") for (const m of stepMetrics) if (m) return m;
  return "Step";
}

export function xValue(p: Datum, field: XField): number {
  return field === "t" ? p.t : field === "r" ? p.r : field === "m" ? (p.m ?? NaN) : p.s;
}

/** The point of `points` nearest `target` on x (in x order but for a step metric). */
export function nearest(points: Datum[], field: XField, target: number): Datum | undefined {
  if (field === "m") {
    let best: Datum | undefined;
    let bestD = Infinity;
    for (const p of points) {
      const d = Math.abs((p.m ?? NaN) - target);
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best;
  }
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xValue(points[mid], field) < target) lo = mid + 1;
    else hi = mid;
  }
  const a = points[Math.max(0, lo - 1)];
  const b = points[lo];
  return Math.abs(xValue(a, field) - target) <= Math.abs(xValue(b, field) - target) ? a : b;
}
