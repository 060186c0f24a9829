// Curves: one line chart per key, in sections by "prefix/", for one or many runs.
// Specs come from Python (altair); this file embeds them with the shared vega bundle
// (canvas renderer), feeds the dataset "points" with changesets, and never re-embeds
// for new data. Controls (x-axis, log scale, smoothing) act locally and are saved to
// the model's traits; nothing waits on the kernel.
import type { RenderProps, ModelLike } from "../lib/anywidget";
import { h, injectStyle, formatNumber } from "../lib/dom";
import { LiveChannel, type Delta, type Snapshot } from "../lib/protocol";
import { decodePoints, firstAtBucket, smooth, type Datum, type SeriesInfo } from "../lib/series";
import { loadVega, type VegaBundle } from "../lib/vega";

const KEY_PLACEHOLDER = "__wbnb_key__";
const X_FIELDS = new Set(["s", "t", "r", "m"]);

interface RunInfo {
  id: string;
  name: string;
  color: string;
}

interface Series extends SeriesInfo {
  points: Datum[];
}

interface Chart {
  key: string;
  cell: HTMLElement;
  box: HTMLElement;
  tip: HTMLElement;
  rule: HTMLElement;
  view?: any;
  result?: { finalize(): void };
  embedding?: Promise<void>;
  inserts: Set<Datum>;
  removes: Datum[];
  reset: boolean;
}

const CSS = `
.wbnb-curves { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-curves .wbnb-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 2px 0 6px; }
.wbnb-curves .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-curves .wbnb-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0 0 6px; }
.wbnb-curves .wbnb-legend-item { display: inline-flex; align-items: center; gap: 4px; white-space: pre; }
.wbnb-curves .wbnb-swatch { width: 12px; height: 3px; border-radius: 1px; display: inline-block; }
.wbnb-curves details { margin: 2px 0 8px; }
.wbnb-curves summary { cursor: pointer; font-weight: 600; margin-bottom: 4px; }
.wbnb-curves .wbnb-grid { display: flex; flex-wrap: wrap; gap: 8px; }
.wbnb-curves .wbnb-cell { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px; }
.wbnb-curves .wbnb-title { font-weight: 600; margin: 0 0 2px 4px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-curves .wbnb-tip { position: absolute; pointer-events: none; display: none; z-index: 10; white-space: pre;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px;
  padding: 3px 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.wbnb-curves .wbnb-rule { position: absolute; pointer-events: none; display: none; width: 1px; background: rgba(127,127,127,.6); }
.wbnb-curves .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;

function sectionOf(key: string): string {
  const i = key.indexOf("/");
  return i >= 0 ? key.slice(0, i) : "";
}

function sortKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => {
    const sa = sectionOf(a);
    const sb = sectionOf(b);
    if ((sa === "") !== (sb === "")) return sa === "" ? -1 : 1;
    return sa < sb ? -1 : sa > sb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The Vega-Lite spec for a key: the template (or the user's), with the viewer's choices. */
function specFor(model: ModelLike, key: string, xField: string, xTitle: string): any {
  const custom = model.get("_custom") || {};
  const base = custom[key] ?? model.get("_spec");
  // The key only replaces the template's placeholder string values (titles): as data, never markup.
  const spec = JSON.parse(JSON.stringify(base), (_k, v) => (v === KEY_PLACEHOLDER ? key : v));
  const log = !!model.get("log_y");
  const walk = (node: any) => {
    if (!node || typeof node !== "object") return;
    const enc = node.encoding;
    if (enc?.x && X_FIELDS.has(enc.x.field)) {
      enc.x.field = xField;
      enc.x.type = xField === "t" ? "temporal" : "quantitative";
      enc.x.title = xTitle;
    }
    if (enc?.y && log) enc.y.scale = { ...(enc.y.scale || {}), type: "log", zero: false };
    for (const child of node.layer || []) walk(child);
  };
  walk(spec);
  spec.data = { name: "points" };
  return spec;
}

async function render(props: RenderProps): Promise<() => void> {
  const { model, el } = props;
  injectStyle("wbnb-curves-style", CSS);
  const root = h("div", "wbnb-curves", undefined, el);
  const bar = h("div", "wbnb-bar", undefined, root);
  const legend = h("div", "wbnb-legend", undefined, root);
  const body = h("div", "wbnb-body", undefined, root);
  h("div", "wbnb-empty", "Loading charts…", body);

  // -- controls -------------------------------------------------------------------------
  const xLabel = h("label", undefined, "x-axis", bar);
  const xSelect = h("select", undefined, undefined, xLabel);
  for (const [value, text] of [["auto", "step (or step metric)"], ["step", "step"], ["wall", "wall time"], ["relative", "relative time"]]) {
    const opt = h("option", undefined, text, xSelect);
    opt.value = value;
  }
  xSelect.value = model.get("x_axis") || "auto";
  const logLabel = h("label", undefined, undefined, bar);
  const logBox = h("input", undefined, undefined, logLabel);
  logBox.type = "checkbox";
  logBox.checked = !!model.get("log_y");
  logLabel.appendChild(document.createTextNode("log scale"));
  const smoothLabel = h("label", undefined, "smoothing", bar);
  const slider = h("input", undefined, undefined, smoothLabel);
  slider.type = "range";
  slider.min = "0";
  slider.max = "0.99";
  slider.step = "0.01";
  slider.value = String(model.get("smoothing") || 0);
  const smoothValue = h("span", undefined, slider.value, smoothLabel);

  // -- state ------------------------------------------------------------------------------
  let runs: RunInfo[] = [];
  const series = new Map<number, Series>();
  const charts = new Map<string, Chart>();
  const sections = new Map<string, HTMLElement>();
  let vega: VegaBundle | undefined;
  let disposed = false;
  const stats = { embeds: 0, changesets: 0 };

  const alpha = () => Math.min(0.999, Math.max(0, Number(model.get("smoothing")) || 0));

  function xChoice(key: string): [string, string] {
    const mode = model.get("x_axis") || "auto";
    if (mode === "wall") return ["t", "Time"];
    if (mode === "relative") return ["r", "Relative time (s)"];
    if (mode === "auto") {
      for (const s of series.values()) if (s.key === key && s.step_metric) return ["m", s.step_metric];
    }
    return ["s", "Step"];
  }

  function pointsOf(key: string): Datum[] {
    const out: Datum[] = [];
    for (const s of series.values()) if (s.key === key) for (const p of s.points) out.push(p);
    return out;
  }

  function drawLegend(): void {
    legend.replaceChildren();
    runs.forEach((r) => {
      const item = h("span", "wbnb-legend-item", undefined, legend);
      const sw = h("span", "wbnb-swatch", undefined, item);
      sw.style.background = r.color;
      h("span", "wbnb-run-name", r.name, item);
    });
  }

  function sectionBox(section: string): HTMLElement {
    let grid = sections.get(section);
    if (grid) return grid;
    const details = h("details");
    details.open = true;
    h("summary", undefined, section || "Charts", details);
    grid = h("div", "wbnb-grid", undefined, details);
    // keep sections in order: "" first, then by name
    const names = [...sections.keys(), section].sort((a, b) => ((a === "") !== (b === "") ? (a === "" ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0));
    const next = names[names.indexOf(section) + 1];
    const before = next !== undefined ? sections.get(next)?.parentElement : null;
    body.insertBefore(details, before ?? null);
    sections.set(section, grid);
    return grid;
  }

  function chartFor(key: string): Chart {
    let c = charts.get(key);
    if (c) return c;
    const grid = sectionBox(sectionOf(key));
    const cell = h("div", "wbnb-cell");
    cell.dataset.key = key;
    h("div", "wbnb-title", key, cell).title = key;
    const box = h("div", "wbnb-chart", undefined, cell);
    const rule = h("div", "wbnb-rule", undefined, cell);
    const tip = h("div", "wbnb-tip", undefined, cell);
    const keys = sortKeys([...charts.keys(), key]);
    const next = keys[keys.indexOf(key) + 1];
    const nextCell = next !== undefined && sectionOf(next) === sectionOf(key) ? charts.get(next)?.cell : null;
    grid.insertBefore(cell, nextCell ?? null);
    c = { key, cell, box, tip, rule, inserts: new Set(), removes: [], reset: false };
    charts.set(key, c);
    hookHover(c);
    embed(c);
    return c;
  }

  function embed(c: Chart): void {
    if (!vega || disposed) return;
    const [xField, xTitle] = xChoice(c.key);
    const spec = specFor(model, c.key, xField, xTitle);
    const old = c.result;
    c.view = undefined;
    const done = vega
      .embed(c.box, spec, { renderer: "canvas", actions: false, tooltip: false, hover: false })
      .then((result) => {
        if (c.embedding !== done || disposed) {
          result.finalize();
          return;
        }
        old?.finalize();
        c.result = result;
        c.view = result.view;
        c.view.signal("smoothing", alpha());
        c.inserts.clear();
        c.removes = [];
        c.reset = false;
        c.view.change("points", vega!.vega.changeset().insert(pointsOf(c.key)));
        stats.embeds++;
        return c.view.runAsync();
      })
      .catch((err: unknown) => {
        c.box.textContent = `Cannot draw this chart: ${err instanceof Error ? err.message : String(err)}`;
      });
    c.embedding = done;
  }

  // -- data -----------------------------------------------------------------------------
  function rebuild(snap: Snapshot): void {
    runs = ((snap.runs as RunInfo[]) || []).map((r) => ({ id: String(r.id), name: String(r.name), color: String(r.color) }));
    drawLegend();
    series.clear();
    const a = alpha();
    for (const info of (snap.series as (SeriesInfo & { data: unknown })[]) || []) {
      const run = runs[info.run];
      const points = decodePoints(info.data, run?.id ?? "", run?.name ?? "");
      smooth(points, a);
      series.set(info.id, { ...info, data: undefined, points } as unknown as Series);
    }
    const keys = sortKeys(new Set([...series.values()].map((s) => s.key)));
    if (keys.length) body.querySelector(":scope > .wbnb-empty")?.remove();
    else if (!body.querySelector(":scope > .wbnb-empty")) h("div", "wbnb-empty", "No scalar metrics logged yet.", body);
    else body.querySelector(":scope > .wbnb-empty")!.textContent = "No scalar metrics logged yet.";
    for (const key of keys) chartFor(key).reset = true;
  }

  function apply(delta: Delta, buffers: DataView[]): void {
    const a = alpha();
    const upd = (delta.upd as (SeriesInfo & { from: number })[]) || [];
    upd.forEach((u, i) => {
      let s = series.get(u.id);
      const run = runs[u.run];
      const fresh = decodePoints(buffers[i], run?.id ?? "", run?.name ?? "");
      const firstSeries = !s;
      if (!s) {
        s = { id: u.id, run: u.run, key: u.key, step_metric: u.step_metric, width: u.width, count: u.count, points: [] };
        series.set(u.id, s);
      }
      const metricChanged = s.step_metric !== u.step_metric;
      s.width = u.width;
      s.count = u.count;
      s.step_metric = u.step_metric;
      const at = firstAtBucket(s.points, u.from);
      const removed = s.points.splice(at);
      for (const p of fresh) s.points.push(p);
      smooth(s.points, a, at);
      body.querySelector(":scope > .wbnb-empty")?.remove();
      const c = chartFor(s.key);
      if ((firstSeries || metricChanged) && model.get("x_axis") === "auto" && xChoice(s.key)[0] === "m" && c.view) {
        embed(c); // the x-axis of this key just became its step metric
        return;
      }
      for (const p of removed) {
        if (!c.inserts.delete(p)) c.removes.push(p);
      }
      for (const p of fresh) c.inserts.add(p);
    });
  }

  // Charts take their changes one after another, yielding to the browser every ~12 ms
  // so that many charts updating at once never block a frame for long.
  let draining: Promise<void> | null = null;
  function commit(): void {
    if (!draining) draining = drain().finally(() => (draining = null));
  }

  async function drain(): Promise<void> {
    let t0 = performance.now();
    for (;;) {
      if (!vega || disposed) return;
      let next: Chart | undefined;
      for (const c of charts.values()) {
        if (c.view && (c.reset || c.inserts.size || c.removes.length)) {
          next = c;
          break;
        }
      }
      if (!next) return;
      const c = next;
      const cs = c.reset
        ? vega.vega.changeset().remove(() => true).insert(pointsOf(c.key))
        : vega.vega.changeset().remove(c.removes).insert([...c.inserts]);
      c.reset = false;
      c.inserts.clear();
      c.removes = [];
      stats.changesets++;
      await c.view.change("points", cs).runAsync();
      if (performance.now() - t0 > 12) {
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
        t0 = performance.now();
      }
    }
  }

  // -- hover: nearest point of each run, as text ------------------------------------------
  function hookHover(c: Chart): void {
    c.box.addEventListener("pointermove", (ev: PointerEvent) => {
      const view = c.view;
      const canvas = c.box.querySelector("canvas");
      if (!view || !canvas) return;
      let sx: any;
      let sy: any;
      try {
        sx = view.scale("x");
        sy = view.scale("y");
      } catch {
        return;
      }
      if (!sx?.invert) return;
      const rect = canvas.getBoundingClientRect();
      const [ox, oy] = view.origin();
      const px = ev.clientX - rect.left - ox;
      const [xField] = xChoice(c.key);
      const target = +sx.invert(px);
      const lines: string[] = [];
      let ruleX: number | undefined;
      for (const s of series.values()) {
        if (s.key !== c.key || !s.points.length) continue;
        const p = nearest(s.points, xField, target);
        if (!p) continue;
        const name = runs[s.run]?.name ?? "";
        const v = alpha() > 0 ? `${formatNumber(p.ys)} (raw ${formatNumber(p.y)})` : formatNumber(p.y);
        lines.push(`${name}  step ${p.s}  ${v}`);
        ruleX ??= sx(xValue(p, xField));
      }
      if (!lines.length) return hide(c);
      c.tip.textContent = lines.join("\n");
      c.tip.style.display = "block";
      const cellRect = c.cell.getBoundingClientRect();
      const left = ev.clientX - cellRect.left + 12;
      c.tip.style.left = `${Math.min(left, Math.max(0, cellRect.width - c.tip.offsetWidth - 4))}px`;
      c.tip.style.top = `${ev.clientY - cellRect.top + 12}px`;
      if (ruleX !== undefined && Number.isFinite(ruleX)) {
        const range = sy?.range?.() ?? [0, rect.height];
        c.rule.style.display = "block";
        c.rule.style.left = `${rect.left - cellRect.left + ox + ruleX}px`;
        c.rule.style.top = `${rect.top - cellRect.top + oy + Math.min(range[0], range[1])}px`;
        c.rule.style.height = `${Math.abs(range[0] - range[1])}px`;
      }
    });
    c.box.addEventListener("pointerleave", () => hide(c));
  }

  function hide(c: Chart): void {
    c.tip.style.display = "none";
    c.rule.style.display = "none";
  }

  // -- controls act locally, then persist in the model ---------------------------------------
  const reembedAll = () => {
    for (const c of charts.values()) embed(c);
  };
  xSelect.addEventListener("change", () => {
    model.set("x_axis", xSelect.value);
    model.save_changes();
  });
  logBox.addEventListener("change", () => {
    model.set("log_y", logBox.checked);
    model.save_changes();
  });
  slider.addEventListener("input", () => {
    model.set("smoothing", Number(slider.value));
    model.save_changes();
  });
  const onAxis = () => {
    xSelect.value = model.get("x_axis") || "auto";
    logBox.checked = !!model.get("log_y");
    reembedAll();
  };
  const onSmoothing = () => {
    const a = alpha();
    slider.value = String(a);
    smoothValue.textContent = a.toFixed(2);
    for (const s of series.values()) smooth(s.points, a);
    if (!vega) return;
    for (const c of charts.values()) {
      if (!c.view) continue;
      c.view.signal("smoothing", a);
      c.view.change("points", vega.vega.changeset().modify(() => true, "ys", (d: Datum) => d.ys)).runAsync();
    }
  };
  const onSpecs = () => reembedAll();
  model.on("change:x_axis", onAxis);
  model.on("change:log_y", onAxis);
  model.on("change:smoothing", onSmoothing);
  model.on("change:_spec", onSpecs);
  model.on("change:_custom", onSpecs);

  // -- go ------------------------------------------------------------------------------------
  const channel = new LiveChannel(model, { rebuild, apply, commit });
  (root as any).__wbnb = {
    charts, series, channel, stats,
    /** Resolves once every queued change has been drawn (tests, benchmarks). */
    idle: async () => {
      while (draining) await draining;
    },
  };
  try {
    vega = await loadVega(props);
  } catch (err) {
    body.replaceChildren(h("div", "wbnb-empty", `Cannot load the charting library: ${String(err)}`));
    throw err;
  }
  if (!disposed) channel.start();
  for (const c of charts.values()) if (!c.view && !c.embedding) embed(c);

  return () => {
    disposed = true;
    channel.dispose();
    model.off("change:x_axis", onAxis);
    model.off("change:log_y", onAxis);
    model.off("change:smoothing", onSmoothing);
    model.off("change:_spec", onSpecs);
    model.off("change:_custom", onSpecs);
    for (const c of charts.values()) c.result?.finalize();
    root.remove();
  };
}

function xValue(p: Datum, field: string): number {
  return field === "t" ? p.t : field === "r" ? p.r : field === "m" ? (p.m ?? NaN) : p.s;
}

function nearest(points: Datum[], field: string, target: number): Datum | undefined {
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

export default { render };
