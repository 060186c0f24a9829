// What a way of drawing a grid (./heatmap.ts, ./ridge.ts) gives its panel (./panel.ts).
import type { Grid } from "./grids";

/** Where a grid is drawn on its canvas, and which of its rows (top to bottom). */
export interface Plot {
  x: number;
  y: number;
  w: number;
  h: number;
  shown: number[];
}

export interface Drawing {
  /** The rows of a grid of `n` rows it draws, top to bottom. */
  shown(n: number): number[];
  /** Draw `g`'s shown rows into `plot`. */
  draw(ctx: CanvasRenderingContext2D, g: Grid, plot: Plot): void;
  /** Px from the plot's top of the step label of shown row `j` of `m`, on a plot `h` tall. */
  labelY(j: number, m: number, h: number): number;
  /** Which shown row (its index in `shown`) is under `y` px from the plot's top. */
  rowAt(y: number, m: number, h: number): number;
}
