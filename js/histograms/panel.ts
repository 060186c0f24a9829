// One (run, key)'s panel: its head (key, run, step count), the canvas the grid is drawn on
// (./heatmap.ts or ./ridge.ts) with its axes, and the hover tip. Keys and run names are
// set as textContent or drawn on the canvas: never HTML.
import { canvasFont, placeTip, sizeCanvas } from "../lib/canvas";
import { formatNumber, h } from "../lib/dom";
import type { Drawing, Plot } from "./drawing";
import type { Grid } from "./grids";
import { BOTTOM, LEFT, labelled, plotSize, valueTicks } from "./layout";

const TOP = 6; // px above the plot (the key and run name are the head, above the canvas)

/** What a panel shows: which grid, drawn how, how large. */
export interface Shown {
  grid: Grid;
  runName: string;
  drawing: Drawing;
  /** The plot's width until the panel has one of its own (the panel is laid out). */
  width: number;
  height: number;
}

export class HistogramPanel {
  readonly root: HTMLElement;
  /** Where the grid is drawn now (the tests point at rows through it). */
  plot?: Plot;
  private readonly head: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private shown?: Shown;
  /** The panel's content width (px; 0 until measured): the canvas fills it. */
  private width = 0;

  constructor(g: Grid) {
    this.root = h("div", "wbnb-panel");
    this.root.dataset.id = String(g.id);
    this.root.dataset.key = g.key;
    this.head = h("div", "wbnb-head", undefined, this.root);
    this.canvas = h("canvas", undefined, undefined, this.root);
    this.tip = h("div", "wbnb-tip", undefined, this.root);
    this.canvas.addEventListener("pointermove", (ev) => this.hover(ev));
    this.canvas.addEventListener("pointerleave", () => (this.tip.style.display = "none"));
  }

  show(s: Shown): void {
    this.shown = s;
    const g = s.grid;
    const n = g.steps.length;
    this.head.replaceChildren(document.createTextNode(g.key));
    h("span", "wbnb-sub", `${s.runName} · ${n} steps`, this.head);
    this.root.dataset.rows = String(n);
    const [w, hgt] = plotSize(this.width > 0 ? this.width - LEFT - 10 : s.width, s.height);
    const cw = LEFT + w + 10;
    const ch = TOP + hgt + BOTTOM;
    const ctx = sizeCanvas(this.canvas, cw, ch);
    ctx.clearRect(0, 0, cw, ch);
    const plot: Plot = { x: LEFT, y: TOP, w, h: hgt, shown: s.drawing.shown(n) };
    this.plot = plot;
    if (!n) return;
    s.drawing.draw(ctx, g, plot);
    this.axes(ctx, g, plot, s.drawing);
  }

  /** Read the panel's content width (the width its canvas is drawn to); whether it changed. */
  measure(): boolean {
    const css = getComputedStyle(this.root);
    const width = Math.floor(this.root.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight));
    if (width <= 0 || width === this.width) return false;
    this.width = width;
    return true;
  }

  /** Values along the bottom, steps down the left. */
  private axes(ctx: CanvasRenderingContext2D, g: Grid, plot: Plot, drawing: Drawing): void {
    ctx.fillStyle = "#555";
    ctx.font = canvasFont(10);
    ctx.textBaseline = "top";
    for (const t of valueTicks(g.lo, g.hi)) {
      ctx.textAlign = t.anchor === "start" ? "left" : t.anchor === "end" ? "right" : "center";
      ctx.fillText(t.label, plot.x + t.at * plot.w, plot.y + plot.h + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText("value", plot.x + plot.w / 2, plot.y + plot.h + 16);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const m = plot.shown.length;
    for (const j of labelled(m, plot.h)) {
      ctx.fillText(`step ${g.steps[plot.shown[j]]}`, plot.x - 4, plot.y + drawing.labelY(j, m, plot.h));
    }
  }

  /** The step, the bin's range and its count under the pointer, as text. */
  private hover(ev: PointerEvent): void {
    const s = this.shown;
    const plot = this.plot;
    if (!s || !plot || !plot.shown.length) return;
    const g = s.grid;
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left - plot.x;
    const y = ev.clientY - r.top - plot.y;
    if (x < 0 || x >= plot.w || y < 0 || y >= plot.h) {
      this.tip.style.display = "none";
      return;
    }
    const b = Math.min(g.bins - 1, Math.floor((x / plot.w) * g.bins));
    const i = plot.shown[s.drawing.rowAt(y, plot.shown.length, plot.h)];
    const row = g.rows[i];
    let total = 0;
    for (const v of row) total += v;
    const w = (g.hi - g.lo) / g.bins;
    const a = g.lo + b * w;
    this.tip.textContent = [
      `${g.key}  ·  ${s.runName}`,
      `step ${g.steps[i]}`,
      `values ${formatNumber(a)} to ${formatNumber(a + w)}`,
      `count ${formatNumber(row[b])}${total ? ` (${((row[b] / total) * 100).toFixed(1)}%)` : ""}`,
    ].join("\n");
    placeTip(this.tip, this.root, ev);
  }
}
