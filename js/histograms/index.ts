// Histograms over steps: one canvas per (run, key), rows = steps, columns = value bins
// (wbnb/widgets/histograms.py builds the grid). "heatmap": colour = the bin's share of
// its row's largest bin; "ridge": one filled curve per step, later ones in front. Hover
// names the step, the bin's range and count. Keys and run names are text.
import type { RenderProps } from "@anywidget/types";
import { float64s } from "../lib/anywidget";
import { h, injectStyle, formatNumber } from "../lib/dom";
import { LiveChannel } from "../lib/protocol";
// Loose until this component's contract.ts declares its snapshot and delta (issue 15).
type Snapshot = { seq: number; [k: string]: any };
type Delta = { type: "delta"; seq: number; [k: string]: any };
type Model = { _snapshot: Snapshot; [k: string]: any };
const isDelta = (m: unknown): m is Delta => typeof m === "object" && m !== null && "type" in m && m.type === "delta";
import { canvasFont, placeTip, sizeCanvas } from "../lib/canvas";
import { heatColor } from "../lib/heat";

interface RunInfo {
  id: string;
  name: string;
}

interface Grid {
  id: number;
  run: number;
  key: string;
  lo: number;
  hi: number;
  bins: number;
  steps: number[];
  rows: Float64Array[];
}

interface Panel {
  root: HTMLElement;
  head: HTMLElement;
  canvas: HTMLCanvasElement;
  tip: HTMLElement;
  plot?: { x: number; y: number; w: number; h: number; shown: number[] };
}

const CSS = `
.wbnb-histograms { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-histograms .wbnb-bar { display: flex; gap: 12px; align-items: center; margin: 2px 0 8px; }
.wbnb-histograms .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-histograms .wbnb-panels { display: flex; flex-wrap: wrap; gap: 10px; }
.wbnb-histograms .wbnb-panel { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px 6px; }
.wbnb-histograms .wbnb-head { font-weight: 600; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-histograms .wbnb-head .wbnb-sub { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 6px; }
.wbnb-histograms canvas { display: block; }
.wbnb-histograms .wbnb-tip { position: absolute; pointer-events: none; display: none; z-index: 10; white-space: pre;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px;
  padding: 3px 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.wbnb-histograms .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;

const RIDGE_ROWS = 40; // a ridge plot of more rows is unreadable: an even subset is drawn

async function render(props: RenderProps<Model>): Promise<() => void> {
  const { model, el } = props;
  injectStyle("wbnb-histograms-style", CSS, el);
  const root = h("div", "wbnb-histograms", undefined, el);
  const bar = h("div", "wbnb-bar", undefined, root);
  const viewLabel = h("label", undefined, "view", bar);
  const viewSelect = h("select", "wbnb-view", undefined, viewLabel);
  for (const v of ["heatmap", "ridge"]) h("option", undefined, v, viewSelect).value = v;
  const body = h("div", "wbnb-panels", undefined, root);

  let runs: RunInfo[] = [];
  const grids = new Map<number, Grid>();
  const panels = new Map<number, Panel>();
  const dirty = new Set<number>();
  let disposed = false;
  const stats = { draws: 0 };

  function panelFor(g: Grid): Panel {
    let p = panels.get(g.id);
    if (p) return p;
    const proot = h("div", "wbnb-panel");
    proot.dataset.id = String(g.id);
    proot.dataset.key = g.key;
    const head = h("div", "wbnb-head", undefined, proot);
    const canvas = h("canvas", undefined, undefined, proot);
    const tip = h("div", "wbnb-tip", undefined, proot);
    p = { root: proot, head, canvas, tip };
    panels.set(g.id, p);
    const panel = p;
    canvas.addEventListener("pointermove", (ev) => hover(g.id, panel, ev));
    canvas.addEventListener("pointerleave", () => (panel.tip.style.display = "none"));
    // panels in key order, then run order
    const order = [...grids.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.run - b.run));
    const after = order.slice(order.indexOf(g) + 1).map((x) => panels.get(x.id)?.root).find((x) => x?.parentElement === body);
    body.insertBefore(proot, after ?? null);
    return p;
  }

  function ridgeRows(g: Grid): number[] {
    const n = g.steps.length;
    if (n <= RIDGE_ROWS) return g.steps.map((_, i) => i);
    const out: number[] = [];
    for (let j = 0; j < RIDGE_ROWS; j++) out.push(Math.round((j * (n - 1)) / (RIDGE_ROWS - 1)));
    return [...new Set(out)];
  }

  function draw(g: Grid): void {
    if (disposed) return;
    stats.draws++;
    body.querySelector(":scope > .wbnb-empty")?.remove();
    const p = panelFor(g);
    p.head.replaceChildren(document.createTextNode(g.key));
    h("span", "wbnb-sub", `${runs[g.run]?.name ?? ""} · ${g.steps.length} steps`, p.head);
    p.root.dataset.rows = String(g.steps.length);
    const W = Math.max(160, Number(model.get("chart_width")) || 420);
    const H = Math.max(80, Number(model.get("chart_height")) || 220);
    const left = 56;
    const top = 6;
    const bottom = 30;
    const ctx = sizeCanvas(p.canvas, left + W + 10, top + H + bottom);
    ctx.clearRect(0, 0, left + W + 10, top + H + bottom);
    const n = g.steps.length;
    const ridge = model.get("view") === "ridge";
    const shown = ridge ? ridgeRows(g) : g.steps.map((_, i) => i);
    p.plot = { x: left, y: top, w: W, h: H, shown };
    if (!n) return;
    const bw = W / g.bins;
    if (!ridge) {
      const rh = H / n;
      for (let i = 0; i < n; i++) {
        const row = g.rows[i];
        let max = 0;
        for (const v of row) if (v > max) max = v;
        const y = top + i * rh;
        for (let b = 0; b < g.bins; b++) {
          ctx.fillStyle = heatColor(max ? row[b] / max : 0);
          ctx.fillRect(left + b * bw, y, Math.ceil(bw), Math.ceil(rh));
        }
      }
    } else {
      // later steps lower and in front; each curve scaled to its own peak
      const m = shown.length;
      const gap = H / (m + 2);
      const amp = gap * 3;
      shown.forEach((i, j) => {
        const row = g.rows[i];
        let max = 0;
        for (const v of row) if (v > max) max = v;
        const base = top + amp + j * gap;
        ctx.beginPath();
        ctx.moveTo(left, base);
        for (let b = 0; b < g.bins; b++) {
          const y = base - (max ? (row[b] / max) * amp : 0);
          ctx.lineTo(left + (b + 0.5) * bw, y);
        }
        ctx.lineTo(left + W, base);
        ctx.closePath();
        ctx.fillStyle = heatColor(0.25 + (0.75 * j) / Math.max(1, m - 1));
        ctx.globalAlpha = 0.85;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = "rgba(255,255,255,.9)";
        ctx.lineWidth = 1;
        ctx.stroke();
      });
    }
    // axes: values along the bottom, steps down the left
    ctx.fillStyle = "#555";
    ctx.font = canvasFont(10);
    ctx.textBaseline = "top";
    for (let t = 0; t <= 4; t++) {
      const x = left + (t / 4) * W;
      ctx.textAlign = t === 0 ? "left" : t === 4 ? "right" : "center";
      ctx.fillText(tick(g.lo + ((g.hi - g.lo) * t) / 4), x, top + H + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText("value", left + W / 2, top + H + 16);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const labels = Math.max(2, Math.min(shown.length, Math.floor(H / 28)));
    for (let t = 0; t < labels; t++) {
      const j = Math.round((t * (shown.length - 1)) / Math.max(1, labels - 1));
      const i = shown[j];
      const y = ridge ? top + (H / (shown.length + 2)) * 3 + j * (H / (shown.length + 2)) : top + (i + 0.5) * (H / n);
      ctx.fillText(`step ${g.steps[i]}`, left - 4, Math.min(top + H - 4, y));
    }
  }

  function hover(id: number, p: Panel, ev: PointerEvent): void {
    const g = grids.get(id);
    const P = p.plot;
    if (!g || !P || !g.steps.length) return;
    const r = p.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left - P.x;
    const y = ev.clientY - r.top - P.y;
    if (x < 0 || x >= P.w || y < 0 || y >= P.h) {
      p.tip.style.display = "none";
      return;
    }
    const b = Math.min(g.bins - 1, Math.floor((x / P.w) * g.bins));
    let i: number;
    if (model.get("view") === "ridge") {
      const gap = P.h / (P.shown.length + 2);
      const j = Math.max(0, Math.min(P.shown.length - 1, Math.round((y - gap * 3) / gap)));
      i = P.shown[j];
    } else {
      i = Math.min(g.steps.length - 1, Math.floor((y / P.h) * g.steps.length));
    }
    const row = g.rows[i];
    let total = 0;
    for (const v of row) total += v;
    const w = (g.hi - g.lo) / g.bins;
    const a = g.lo + b * w;
    p.tip.textContent = [
      `${g.key}  ·  ${runs[g.run]?.name ?? ""}`,
      `step ${g.steps[i]}`,
      `values ${formatNumber(a)} to ${formatNumber(a + w)}`,
      `count ${formatNumber(row[b])}${total ? ` (${((row[b] / total) * 100).toFixed(1)}%)` : ""}`,
    ].join("\n");
    placeTip(p.tip, p.root, ev);
  }

  // -- data ----------------------------------------------------------------------------------
  function take(g: Grid, u: any, part: unknown): void {
    const from = Number(u.from) || 0;
    g.lo = Number(u.lo);
    g.hi = Number(u.hi);
    g.bins = Number(u.bins);
    const steps = ((u.steps as number[]) || []).map(Number);
    const a = float64s(part);
    g.steps.length = Math.min(g.steps.length, from);
    g.rows.length = Math.min(g.rows.length, from);
    steps.forEach((s, j) => {
      g.steps.push(s);
      g.rows.push(a.slice(j * g.bins, (j + 1) * g.bins));
    });
    dirty.add(g.id);
  }

  function gridOf(u: any): Grid {
    let g = grids.get(u.id);
    if (!g) {
      g = { id: u.id, run: u.run, key: String(u.key), lo: 0, hi: 0, bins: Number(u.bins), steps: [], rows: [] };
      grids.set(g.id, g);
    }
    return g;
  }

  function rebuild(snap: Snapshot): void {
    runs = ((snap.runs as RunInfo[]) || []).map((r) => ({ id: String(r.id), name: String(r.name) }));
    const seen = new Set<number>();
    for (const s of (snap.series as any[]) || []) {
      const g = gridOf(s);
      take(g, { ...s, from: 0 }, s.data);
      seen.add(g.id);
    }
    for (const id of [...grids.keys()]) {
      if (!seen.has(id)) {
        grids.delete(id);
        panels.get(id)?.root.remove();
        panels.delete(id);
      }
    }
  }

  function apply(delta: Delta, buffers: DataView[]): void {
    ((delta.upd as any[]) || []).forEach((u, i) => take(gridOf(u), u, buffers[i]));
  }

  function commit(): void {
    for (const id of dirty) {
      const g = grids.get(id);
      if (g) draw(g);
    }
    dirty.clear();
    if (!grids.size && !body.querySelector(":scope > .wbnb-empty")) h("div", "wbnb-empty", "No histograms logged yet.", body);
  }

  const redrawAll = () => {
    viewSelect.value = model.get("view") || "heatmap";
    for (const g of grids.values()) draw(g);
  };
  viewSelect.value = model.get("view") || "heatmap";
  viewSelect.addEventListener("change", () => {
    model.set("view", viewSelect.value);
    model.save_changes();
  });
  for (const n of ["view", "chart_width", "chart_height"]) model.on(`change:${n}`, redrawAll);

  const channel = new LiveChannel<Snapshot, Delta>(model, { rebuild, apply, commit }, isDelta);
  (root as any).__wbnb = { grids, panels, channel, stats };
  channel.start();

  return () => {
    disposed = true;
    channel.dispose();
    for (const n of ["view", "chart_width", "chart_height"]) model.off(`change:${n}`, redrawAll);
    root.remove();
  };
}

/** An axis tick: three significant digits. */
function tick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

export default { render };
