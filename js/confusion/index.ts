// ConfusionMatrix: one canvas heatmap per (run, key), counts or percentages in the cells
// when they fit, class names on both axes (thinned out and turned when there are many),
// a step slider per matrix, hover with count and percentages. Matrices come in the
// snapshot (the newest ones), in deltas (each new one) or, for older steps, as an answer
// to a "fetch" message (wbnb/widgets/confusion.py). Class names are drawn on the canvas
// or set as textContent: never HTML.
import type { RenderProps } from "../lib/anywidget";
import { float64s } from "../lib/anywidget";
import { h, injectStyle, formatNumber } from "../lib/dom";
import { LiveChannel, type Delta, type Snapshot } from "../lib/protocol";
import { canvasFont, darkCell, heatColor, placeTip, sizeCanvas } from "./heat";

interface RunInfo {
  id: string;
  name: string;
}

interface Entry {
  id: number;
  run: number;
  key: string;
  title: string | null;
  names: string[];
  steps: number[];
  mats: Map<number, Float64Array>; // step -> k*k counts
}

interface Layout {
  left: number;
  top: number;
  cell: number;
  k: number;
  step: number;
}

interface Panel {
  id: number;
  root: HTMLElement;
  head: HTMLElement;
  slider: HTMLInputElement;
  stepText: HTMLElement;
  canvas: HTMLCanvasElement;
  tip: HTMLElement;
  mark: HTMLElement;
  note: HTMLElement;
  layout?: Layout;
  texts: string[][];
}

const CSS = `
.wbnb-confusion { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-confusion .wbnb-bar { display: flex; gap: 12px; align-items: center; margin: 2px 0 8px; }
.wbnb-confusion .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-confusion .wbnb-panels { display: flex; flex-wrap: wrap; gap: 12px; }
.wbnb-confusion .wbnb-panel { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 6px; }
.wbnb-confusion .wbnb-head { font-weight: 600; white-space: pre; overflow: hidden; text-overflow: ellipsis; max-width: 640px; }
.wbnb-confusion .wbnb-head .wbnb-sub { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 6px; }
.wbnb-confusion .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0 4px; }
.wbnb-confusion .wbnb-steps input { width: 220px; }
.wbnb-confusion .wbnb-note { color: var(--jp-ui-font-color2, #777); min-height: 1em; }
.wbnb-confusion canvas { display: block; }
.wbnb-confusion .wbnb-tip { position: absolute; pointer-events: none; display: none; z-index: 10; white-space: pre;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px;
  padding: 3px 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.wbnb-confusion .wbnb-mark { position: absolute; pointer-events: none; display: none; box-sizing: border-box;
  border: 2px solid #f58518; }
.wbnb-confusion .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;

const MODES: [string, string][] = [["none", "counts"], ["true", "% of true class (rows)"], ["pred", "% of predicted class (columns)"]];

/** The matrix as shown: counts, or fractions of each row ("true") / column ("pred"). */
export function normalized(m: Float64Array, k: number, mode: string): Float64Array {
  if (mode !== "true" && mode !== "pred") return m;
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

function cellText(v: number, mode: string): string {
  if (mode === "none") return Number.isInteger(v) ? String(v) : formatNumber(v);
  return `${(v * 100).toFixed(1)}%`;
}

async function render(props: RenderProps): Promise<() => void> {
  const { model, el } = props;
  injectStyle("wbnb-confusion-style", CSS, el);
  const root = h("div", "wbnb-confusion", undefined, el);
  const bar = h("div", "wbnb-bar", undefined, root);
  const modeLabel = h("label", undefined, "normalise", bar);
  const modeSelect = h("select", "wbnb-normalize", undefined, modeLabel);
  for (const [v, text] of MODES) h("option", undefined, text, modeSelect).value = v;
  const body = h("div", "wbnb-panels", undefined, root);

  let runs: RunInfo[] = [];
  const entries = new Map<number, Entry>();
  const panels = new Map<number, Panel>();
  const asked = new Set<string>();
  let req = 0;
  let disposed = false;
  const stats = { draws: 0, fetches: 0 };

  const mode = () => String(model.get("normalize") || "none");

  function chosenStep(e: Entry): number {
    const shown = model.get("steps_shown") || {};
    const s = shown[String(e.id)];
    if (typeof s === "number" && e.steps.includes(s)) return s;
    return e.steps[e.steps.length - 1];
  }

  function panelFor(e: Entry): Panel {
    let p = panels.get(e.id);
    if (p) return p;
    const proot = h("div", "wbnb-panel", undefined, body);
    proot.dataset.id = String(e.id);
    proot.dataset.key = e.key;
    const head = h("div", "wbnb-head", undefined, proot);
    const steps = h("div", "wbnb-steps", undefined, proot);
    h("span", undefined, "step", steps);
    const slider = h("input", "wbnb-step-slider", undefined, steps);
    slider.type = "range";
    slider.min = "0";
    slider.step = "1";
    const stepText = h("span", "wbnb-step-label", "", steps);
    const note = h("div", "wbnb-note", "", proot);
    const canvas = h("canvas", undefined, undefined, proot);
    const mark = h("div", "wbnb-mark", undefined, proot);
    const tip = h("div", "wbnb-tip", undefined, proot);
    p = { id: e.id, root: proot, head, slider, stepText, canvas, tip, mark, note, texts: [] };
    panels.set(e.id, p);
    const panel = p;
    slider.addEventListener("input", () => {
      const en = entries.get(panel.id)!;
      const i = Number(slider.value);
      const shown = { ...(model.get("steps_shown") || {}) };
      if (i >= en.steps.length - 1) delete shown[String(en.id)]; // the end follows new steps
      else shown[String(en.id)] = en.steps[i];
      model.set("steps_shown", shown);
      model.save_changes();
      draw(en);
    });
    canvas.addEventListener("pointermove", (ev) => hover(panel, ev));
    canvas.addEventListener("pointerleave", () => {
      panel.tip.style.display = "none";
      panel.mark.style.display = "none";
    });
    return p;
  }

  function draw(e: Entry): void {
    if (disposed || !e.steps.length) return;
    stats.draws++;
    body.querySelector(":scope > .wbnb-empty")?.remove();
    const p = panelFor(e);
    p.head.replaceChildren();
    p.head.appendChild(document.createTextNode(e.key));
    h("span", "wbnb-sub", [runs[e.run]?.name ?? "", e.title ?? ""].filter(Boolean).join(" · "), p.head);
    const step = chosenStep(e);
    const idx = e.steps.indexOf(step);
    p.slider.max = String(Math.max(0, e.steps.length - 1));
    p.slider.value = String(idx);
    p.slider.disabled = e.steps.length < 2;
    p.stepText.textContent = `${step}  ·  ${idx + 1}/${e.steps.length}`;
    const m = e.mats.get(step);
    if (!m) {
      p.note.textContent = `loading step ${step}…`;
      const ask = `${e.id}|${step}`;
      if (!asked.has(ask)) {
        asked.add(ask);
        stats.fetches++;
        model.send({ type: "fetch", req: ++req, id: e.id, step });
      }
      return;
    }
    p.note.textContent = "";
    paint(p, e, m, step);
  }

  function paint(p: Panel, e: Entry, m: Float64Array, step: number): void {
    const k = Math.round(Math.sqrt(m.length));
    const md = mode();
    const shown = normalized(m, k, md);
    let max = 0;
    for (const v of shown) if (v > max) max = v;
    const scale = md === "none" ? max || 1 : 1;
    const size = Math.max(120, Number(model.get("size")) || 420);
    const cell = size / k;
    const labelPx = Math.max(7, Math.min(12, Math.floor(cell * 0.8)));
    const measure = document.createElement("canvas").getContext("2d")!;
    measure.font = canvasFont(labelPx);
    const names = e.names.length === k ? e.names : Array.from({ length: k }, (_, i) => String(i));
    let widest = 0;
    for (const n of names) widest = Math.max(widest, measure.measureText(n).width);
    const labelW = Math.min(120, Math.ceil(widest));
    const turned = widest > cell - 2; // column labels turn when they do not fit a cell
    const every = Math.max(1, Math.ceil((labelPx + 2) / cell)); // thin out: one label per `every`
    const left = labelW + 26;
    const top = (turned ? Math.min(120, Math.ceil(widest * 0.75)) + labelPx : labelPx + 4) + 22;
    const width = left + size + 8 + (turned ? Math.ceil(Math.min(120, widest) * 0.72) : 0); // turned labels lean right
    const ctx = sizeCanvas(p.canvas, width, top + size + 8);
    ctx.clearRect(0, 0, width, top + size + 8);
    // cells
    const texts: string[][] = [];
    ctx.font = canvasFont(Math.max(8, Math.min(14, Math.floor(cell / 3.2))));
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let a = 0; a < k; a++) {
      const row: string[] = [];
      for (let b = 0; b < k; b++) {
        const v = shown[a * k + b];
        const x = left + b * cell;
        const y = top + a * cell;
        ctx.fillStyle = heatColor(v / scale);
        ctx.fillRect(x, y, Math.ceil(cell), Math.ceil(cell));
        row.push(cellText(v, md));
      }
      texts.push(row);
    }
    const sample = ctx.measureText(md === "none" ? String(Math.round(max)) : "100.0%").width;
    if (sample < cell - 3 && cell >= 14) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const v = shown[a * k + b];
          ctx.fillStyle = darkCell(v / scale) ? "#fff" : "#1a1a1a";
          ctx.fillText(texts[a][b], left + (b + 0.5) * cell, top + (a + 0.5) * cell);
        }
      }
    }
    // the diagonal, outlined when cells are big enough to see it
    if (cell >= 6) {
      ctx.strokeStyle = "rgba(0,0,0,.35)";
      ctx.lineWidth = 1;
      for (let a = 0; a < k; a++) ctx.strokeRect(left + a * cell + 0.5, top + a * cell + 0.5, cell - 1, cell - 1);
    }
    // class names: rows (true) on the left, columns (predicted) on top
    ctx.fillStyle = "#444";
    ctx.font = canvasFont(labelPx);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let a = 0; a < k; a += every) fitText(ctx, names[a], left - 4, top + (a + 0.5) * cell, labelW);
    for (let b = 0; b < k; b += every) {
      const x = left + (b + 0.5) * cell;
      if (turned) {
        ctx.save();
        ctx.translate(x, top - 4);
        ctx.rotate(-Math.PI / 4);
        ctx.textAlign = "left";
        fitText(ctx, names[b], 0, 0, 120);
        ctx.restore();
      } else {
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(names[b], x, top - 3);
      }
    }
    // axis titles
    ctx.fillStyle = "#666";
    ctx.font = canvasFont(11, "600");
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("predicted", left + size / 2, 2);
    ctx.save();
    ctx.translate(4, top + size / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("true", 0, 0);
    ctx.restore();
    p.layout = { left, top, cell, k, step };
    p.texts = texts;
    p.root.dataset.step = String(step);
  }

  function hover(p: Panel, ev: PointerEvent): void {
    const e = entries.get(p.id);
    const L = p.layout;
    if (!e || !L) return;
    const r = p.canvas.getBoundingClientRect();
    const b = Math.floor((ev.clientX - r.left - L.left) / L.cell);
    const a = Math.floor((ev.clientY - r.top - L.top) / L.cell);
    const m = e.mats.get(L.step);
    if (!m || a < 0 || b < 0 || a >= L.k || b >= L.k) {
      p.tip.style.display = "none";
      p.mark.style.display = "none";
      return;
    }
    // outline the cell under the pointer
    const grow = Math.max(0, 6 - L.cell) / 2; // tiny cells get a visible box
    Object.assign(p.mark.style, {
      display: "block",
      left: `${p.canvas.offsetLeft + L.left + b * L.cell - grow}px`,
      top: `${p.canvas.offsetTop + L.top + a * L.cell - grow}px`,
      width: `${L.cell + 2 * grow}px`,
      height: `${L.cell + 2 * grow}px`,
    });
    const count = m[a * L.k + b];
    let row = 0;
    let col = 0;
    for (let j = 0; j < L.k; j++) {
      row += m[a * L.k + j];
      col += m[j * L.k + b];
    }
    const pct = (x: number, of: number) => (of ? `${((x / of) * 100).toFixed(1)}%` : "–");
    const names = e.names;
    p.tip.textContent = [
      `true: ${names[a] ?? a}`,
      `predicted: ${names[b] ?? b}`,
      `count: ${formatNumber(count)}`,
      `${pct(count, row)} of true ${names[a] ?? a}`,
      `${pct(count, col)} of predicted ${names[b] ?? b}`,
    ].join("\n");
    placeTip(p.tip, p.root, ev);
  }

  function drawAll(): void {
    modeSelect.value = mode();
    const ordered = [...entries.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.run - y.run));
    for (const e of ordered) {
      draw(e);
      const p = panels.get(e.id);
      if (p) body.appendChild(p.root); // keep key, then run order
    }
    if (!entries.size && !body.querySelector(":scope > .wbnb-empty")) h("div", "wbnb-empty", "No confusion matrices logged yet.", body);
  }

  // -- data ---------------------------------------------------------------------------------
  function entryFrom(u: any): Entry {
    let e = entries.get(u.id);
    if (!e) {
      e = { id: u.id, run: u.run, key: String(u.key), title: null, names: [], steps: [], mats: new Map() };
      entries.set(e.id, e);
    }
    e.title = u.title == null ? null : String(u.title);
    e.names = ((u.class_names as unknown[]) || []).map(String);
    return e;
  }

  function rebuild(snap: Snapshot): void {
    runs = ((snap.runs as RunInfo[]) || []).map((r) => ({ id: String(r.id), name: String(r.name) }));
    const old = new Map(entries);
    entries.clear();
    for (const s of (snap.series as any[]) || []) {
      const e = entryFrom(s);
      e.steps = ((s.steps as number[]) || []).map(Number);
      const prev = old.get(e.id);
      if (prev) for (const [st, m] of prev.mats) if (e.steps.includes(st)) e.mats.set(st, m); // fetched earlier
      const all = float64s(s.data);
      const kk = Number(s.k) * Number(s.k);
      ((s.have as number[]) || []).forEach((st, i) => {
        if (kk && (i + 1) * kk <= all.length) e.mats.set(Number(st), all.slice(i * kk, (i + 1) * kk));
      });
    }
    for (const [id, p] of panels) if (!entries.has(id)) { p.root.remove(); panels.delete(id); }
  }

  function apply(delta: Delta, buffers: DataView[]): void {
    ((delta.upd as any[]) || []).forEach((u, i) => {
      const e = entryFrom(u);
      const step = Number(u.step);
      if (!e.steps.includes(step)) e.steps.push(step);
      e.mats.set(step, float64s(buffers[i]).slice());
    });
  }

  const onMsg = (msg: any, buffers: DataView[]) => {
    if (!msg || msg.type !== "matrix") return;
    const e = entries.get(Number(msg.id));
    if (e && Number(msg.k) > 0 && buffers?.[0]) e.mats.set(Number(msg.step), float64s(buffers[0]).slice());
    asked.delete(`${msg.id}|${msg.step}`);
    if (e) draw(e);
  };
  model.on("msg:custom", onMsg);

  modeSelect.addEventListener("change", () => {
    model.set("normalize", modeSelect.value);
    model.save_changes();
  });
  const onChange = () => drawAll();
  for (const n of ["normalize", "size", "steps_shown"]) model.on(`change:${n}`, onChange);

  const channel = new LiveChannel(model, { rebuild, apply, commit: drawAll });
  (root as any).__wbnb = {
    entries, panels, channel, stats,
    /** The texts of the cells of panel `id` as shown now (rows = true class). */
    cellTexts: (id: number) => panels.get(id)?.texts ?? [],
  };
  channel.start();

  return () => {
    disposed = true;
    channel.dispose();
    model.off("msg:custom", onMsg);
    for (const n of ["normalize", "size", "steps_shown"]) model.off(`change:${n}`, onChange);
    root.remove();
  };
}

/** Draw text, shortened with an ellipsis to fit `max` px. */
function fitText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, max: number): void {
  if (ctx.measureText(text).width <= max) {
    ctx.fillText(text, x, y);
    return;
  }
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
    else hi = mid - 1;
  }
  ctx.fillText(text.slice(0, lo) + "…", x, y);
}

export default { render };
