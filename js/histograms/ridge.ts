// A grid as a ridge plot: one filled curve per step, later steps lower and in front, each
// scaled to its own peak (./layout.ts: shares). More than RIDGE_ROWS curves are unreadable:
// an even subset is drawn. The page only: the static picture is the heatmap.
import { heatColor } from "../lib/heat";
import type { Drawing } from "./drawing";
import { shares } from "./layout";

export const RIDGE_ROWS = 40;
const RISE = 3; // a curve's full height, in gaps between baselines

/** The rows a ridge plot of `n` rows draws: every one, or RIDGE_ROWS evenly from first to last. */
export function ridgeRows(n: number): number[] {
  if (n <= RIDGE_ROWS) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let j = 0; j < RIDGE_ROWS; j++) out.push(Math.round((j * (n - 1)) / (RIDGE_ROWS - 1)));
  return [...new Set(out)];
}

/** The gap between baselines of `m` curves on a plot `h` tall (the first curve's peak at the top). */
function gap(m: number, h: number): number {
  return h / (m + RISE - 1);
}

export const ridge: Drawing = {
  shown: ridgeRows,
  draw(ctx, g, plot) {
    const m = plot.shown.length;
    const step = gap(m, plot.h);
    const amp = step * RISE;
    const bw = plot.w / g.bins;
    plot.shown.forEach((i, j) => {
      const s = shares(g.rows[i]);
      const base = plot.y + amp + j * step;
      ctx.beginPath();
      ctx.moveTo(plot.x, base);
      for (let b = 0; b < g.bins; b++) ctx.lineTo(plot.x + (b + 0.5) * bw, base - s[b] * amp);
      ctx.lineTo(plot.x + plot.w, base);
      ctx.closePath();
      ctx.fillStyle = heatColor(0.25 + (0.75 * j) / Math.max(1, m - 1));
      ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "rgba(255,255,255,.9)";
      ctx.lineWidth = 1;
      ctx.stroke();
    });
  },
  labelY: (j, m, h) => Math.min(h - 4, gap(m, h) * (RISE + j)),
  rowAt: (y, m, h) => Math.max(0, Math.min(m - 1, Math.round(y / gap(m, h) - RISE))),
};
