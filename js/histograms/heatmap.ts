// A grid as a heatmap: a row per step, newest at the bottom; each bin coloured by its share
// of its row's largest bin. Drawn the same by the static picture (./layout.ts holds the rules).
import { heatColor } from "../lib/heat";
import type { Drawing } from "./drawing";
import { heatLabelY, shares } from "./layout";

export const heatmap: Drawing = {
  shown: (n) => Array.from({ length: n }, (_, i) => i),
  draw(ctx, g, plot) {
    const n = g.steps.length;
    const bw = plot.w / g.bins;
    const rh = plot.h / n;
    g.rows.forEach((row, i) => {
      const s = shares(row);
      for (let b = 0; b < g.bins; b++) {
        ctx.fillStyle = heatColor(s[b]);
        ctx.fillRect(plot.x + b * bw, plot.y + i * rh, Math.ceil(bw), Math.ceil(rh));
      }
    });
  },
  labelY: heatLabelY,
  rowAt: (y, m, h) => Math.min(m - 1, Math.floor((y / h) * m)),
};
