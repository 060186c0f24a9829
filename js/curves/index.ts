// Curves: one line chart per key, in sections by "prefix/", for one or many runs.
// Specs come from Python (altair); this file compiles each Vega-Lite spec once (per
// x-axis / log-scale choice; charts of the same template differ only in their title),
// embeds each chart with vega-embed on the canvas renderer with its points already in
// (one dataflow run, no empty first draw), feeds the dataset "points" with changesets,
// and never re-embeds for new data. Controls (x-axis, log scale, smoothing) act locally and are saved to
// the model's traits; nothing waits on the kernel.
import type { RenderProps, AnyModel } from "@anywidget/types";
import { h, injectStyle, formatNumber } from "../lib/dom";
import { LiveChannel } from "../lib/protocol";
// Loose until this component's contract.ts declares its snapshot and delta (issue 15).
type Snapshot = { seq: number; [k: string]: any };
type Delta = { type: "delta"; seq: number; [k: string]: any };
type Model = { _snapshot: Snapshot; [k: string]: any };
const isDelta = (m: unknown): m is Delta => typeof m === "object" && m !== null && "type" in m && m.type === "delta";
import { decodePoints, firstAtBucket, smooth, type Datum, type SeriesInfo } from "../lib/series";
import { remembered, type Origin } from "../lib/speccache";
import { loadVega, type EmbedResult, type VegaBundle } from "../lib/vega";

const KEY_PLACEHOLDER = "__wbnb_key__";
const RAW_LAYER = "wbnb_raw"; // wbnb/widgets/curves.py
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
  view?: any; // the view changesets go to; undefined while a new one is being made
  shown?: EmbedResult; // the chart on screen (the old one until a new one has drawn)
  embedding?: Promise<void>;
  inserts: Set<Datum>;
  removes: Datum[];
  reset: boolean;
  /** Out of view (scrolled away, a hidden tab or output): its changes wait until it shows. */
  away: boolean;
}

const CSS = `
.wbnb-curves { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-curves .wbnb-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 2px 0 6px; }
.wbnb-curves .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-curves .wbnb-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0 0 6px; }
.wbnb-curves .wbnb-legend-item { display: inline-flex; align-items: center; gap: 4px; white-space: pre; }
.wbnb-curves .wbnb-swatch { width: 12px; height: 3px; border-radius: 1px; display: inline-block; }
.wbnb-curves .wbnb-section { margin: 2px 0 8px; }
.wbnb-curves .wbnb-section > summary { cursor: pointer; font-weight: 600; margin-bottom: 4px; }
.wbnb-curves .wbnb-grid { display: flex; flex-wrap: wrap; gap: 8px; }
.wbnb-curves .wbnb-cell { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px; }
.wbnb-curves .wbnb-head { display: flex; align-items: baseline; gap: 4px; }
.wbnb-curves .wbnb-title { flex: 1; font-weight: 600; margin: 0 0 2px 4px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
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

/** A key as a file name: "train/loss" -> "train_loss". */
function fileStem(key: string): string {
  return key.replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "") || "chart";
}

/** The Vega-Lite spec for a key: the template (or the user's), with the viewer's
 * choices; the key placeholder is still in (see `compile`). */
function specFor(model: AnyModel, key: string, xField: string, xTitle: string): any {
  const custom = model.get("_custom") || {};
  const spec = JSON.parse(JSON.stringify(custom[key] ?? model.get("_spec")));
  const log = !!model.get("log_y");
  const walk = (node: any) => {
    if (!node || typeof node !== "object") return;
    const enc = node.encoding;
    if (enc?.x && X_FIELDS.has(enc.x.field)) {
      enc.x.field = xField;
      enc.x.type = xField === "t" ? "temporal" : "quantitative";
      enc.x.title = xTitle;
    }
    if (enc?.y && log) {
      enc.y.scale = { ...(enc.y.scale || {}), type: "log", zero: false };
      // A value <= 0 has no place on a log scale: in the domain it would leave no chart
      // at all (an accuracy that starts at 0). Left out, as the saved picture does.
      if (enc.y.field) node.transform = [...(node.transform || []), { filter: { field: enc.y.field, gt: 0 } }];
    }
    for (const child of node.layer || []) walk(child);
  };
  walk(spec);
  // The faint raw-values layer only while smoothing: drawn at opacity 0 it cost as much
  // as the visible line. Crossing zero on the slider makes the views anew.
  if (!(Number(model.get("smoothing")) > 0) && Array.isArray(spec.layer)) {
    spec.layer = spec.layer.filter((layer: any) => layer?.name !== RAW_LAYER);
  }
  // The template does not clip (cheaper); a log scale can send values <= 0 off the chart.
  if (log) for (const layer of spec.layer || [spec]) if (layer?.mark) layer.mark = clipped(layer.mark);
  spec.data = { name: "points" };
  // No ARIA descriptions: the canvas renderer never shows them, and the per-point
  // description strings (number formatting) were most of the cost of an update.
  if (spec.config?.aria === undefined) spec.config = { ...(spec.config || {}), aria: false };
  return spec;
}

const KEY_SIGNAL = "__wbnb_key";

/** A chart template compiled to Vega: plain JSON, so lib/speccache.ts can store it. */
interface Compiled {
  json: string;
  /** The key is only in axis titles, bound to KEY_SIGNAL: one spec object serves every
   * key, and vega-embed parses it once (js/vega/parsed.ts). */
  keySignal: boolean;
}

function clipped(mark: any): any {
  return typeof mark === "string" ? { type: mark, clip: true } : { clip: true, ...mark };
}

/** Vega-Lite -> Vega, once per distinct spec and bundles (ten keys of one template compile
 * once; see lib/speccache.ts for where it is kept). */
function compile(bundle: VegaBundle, vlSpec: any): Promise<[Compiled, Origin]> {
  return remembered(bundle.version, JSON.stringify(vlSpec), async () => compileNow(await bundle.lite(), vlSpec));
}

function compileNow(vegaLite: any, vlSpec: any): Compiled {
  const spec = vegaLite.compile(vlSpec).spec;
  const json = JSON.stringify(spec);
  const uses = json.split(JSON.stringify(KEY_PLACEHOLDER)).length - 1;
  let titles = 0;
  const walk = (node: any) => {
    for (const axis of node.axes || []) {
      if (axis.title === KEY_PLACEHOLDER) {
        axis.title = { signal: KEY_SIGNAL };
        titles++;
      }
    }
    for (const mark of node.marks || []) walk(mark);
  };
  walk(spec);
  if (titles !== uses) return { json, keySignal: false };
  spec.signals = [...(spec.signals || []), { name: KEY_SIGNAL, value: "" }];
  return { json: JSON.stringify(spec), keySignal: true };
}

// vega-embed's menu offers the PNG / SVG export only: "View Source" writes the spec into a
// new window as markup (a key is user text), and the editor is a web site.
const ACTIONS = { export: { png: true, svg: true }, source: false, compiled: false, editor: false };

/** Embed `spec` for `key` in `el` with vega-embed (canvas renderer). `prepare` gets the
 * view before its first dataflow run, to put the key and points in: vega-embed runs a
 * view once before it returns, and a run on empty data would double the cost. */
function embedChart(spec: object, bundle: VegaBundle, key: string, el: HTMLElement, prepare: (view: any) => void): Promise<EmbedResult> {
  const vg = bundle.vega;
  class PreparedView extends vg.View {
    constructor(runtime: unknown, options: unknown) {
      super(runtime, options);
      prepare(this);
    }
  }
  return bundle.embed(el, spec, {
    mode: "vega",
    renderer: "canvas",
    logLevel: vg.Error,
    viewClass: PreparedView,
    tooltip: false, // the chart's own hover reads the nearest point of every run (hookHover)
    hover: false, // no hover encodings in these specs: no listener re-running the dataflow
    actions: ACTIONS,
    downloadFileName: fileStem(key),
    scaleFactor: { png: 2, svg: 1 },
  });
}

async function render(props: RenderProps<Model>): Promise<() => void> {
  const { model, el } = props;
  // Importing the vega bundle compiles it largely off the main thread: the snapshot is
  // decoded and the chart cells laid out meanwhile (below), and the views made after.
  const vegaLoading = loadVega(props.model.get("_vega"), props.model, props.host);
  injectStyle("wbnb-curves-style", CSS, el);
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
  // Counters and milestones (ms since render() began) for tests and benchmarks.
  const started = performance.now();
  const stats = { embeds: 0, changesets: 0, vegaLoaded: -1, firstDrawn: -1, compiled: { page: 0, stored: 0, made: 0 } };

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
    const details = h("details", "wbnb-section"); // not vega-embed's menu, a <details> too
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
    const head = h("div", "wbnb-head", undefined, cell);
    h("div", "wbnb-title", key, head).title = key;
    const box = h("div", "wbnb-chart", undefined, cell);
    const rule = h("div", "wbnb-rule", undefined, cell);
    const tip = h("div", "wbnb-tip", undefined, cell);
    const keys = sortKeys([...charts.keys(), key]);
    const next = keys[keys.indexOf(key) + 1];
    const nextCell = next !== undefined && sectionOf(next) === sectionOf(key) ? charts.get(next)?.cell : null;
    grid.insertBefore(cell, nextCell ?? null);
    c = { key, cell, box, tip, rule, inserts: new Set(), removes: [], reset: false, away: false };
    charts.set(key, c);
    sight?.observe(cell);
    hookHover(c);
    embed(c);
    return c;
  }

  function embed(c: Chart): void {
    if (!vega || disposed) return;
    const bundle = vega;
    const [xField, xTitle] = xChoice(c.key);
    const a0 = alpha();
    // Compiling may wait for Vega-Lite (a template in neither cache): a later embed of
    // this chart, or disposal, meanwhile makes this one give up.
    const done: Promise<void> = compile(bundle, specFor(model, c.key, xField, xTitle))
      .then(([spec, origin]) => {
        if (c.embedding !== done || disposed) return;
        stats.compiled[origin]++;
        return makeView(c, spec, bundle, a0, done);
      })
      .catch((err: unknown) => {
        if (c.embedding === done) failed(c, err);
      });
    c.embedding = done;
  }

  /** The Vega spec of `compiled` for `key`: for a key-signal template the same object for
   * every key (parsed once); otherwise the key replaces the string values equal to the
   * placeholder: as data, never markup or an expression. */
  const templates = new Map<string, object>();
  function specObject(compiled: Compiled, key: string): object {
    if (!compiled.keySignal) return JSON.parse(compiled.json, (_k, v) => (v === KEY_PLACEHOLDER ? key : v));
    let spec = templates.get(compiled.json);
    if (!spec) templates.set(compiled.json, (spec = JSON.parse(compiled.json) as object));
    return spec;
  }

  /** Embed `c`'s chart of `spec` with every point it has now, and show it once drawn. */
  function makeView(c: Chart, spec: Compiled, bundle: VegaBundle, a0: number, done: Promise<void>): Promise<void> {
    // In the page (hidden) while it draws: Vega sizes the canvas for the screen's pixel
    // ratio only when it is in the document. Shown in place of the old one once drawn.
    const holder = h("div", "wbnb-view", undefined, c.box);
    holder.style.display = "none";
    const points = pointsOf(c.key);
    // What is queued is in `points` already; later deltas queue against this view.
    c.inserts.clear();
    c.removes = [];
    c.reset = false;
    c.view = undefined;
    const prepare = (view: any) => {
      if (spec.keySignal) view.signal(KEY_SIGNAL, c.key);
      setSmoothing(view, a0);
      view.data("points", points);
    };
    return embedChart(specObject(spec, c.key), bundle, c.key, holder, prepare).then(
      (made) => {
        if (c.embedding !== done || disposed) {
          made.finalize();
          holder.remove();
          return;
        }
        c.shown?.finalize();
        c.box.replaceChildren(holder); // swapped once drawn: no blank frame
        holder.style.display = "";
        c.shown = made;
        c.view = made.view;
        if (alpha() !== a0) restyle(made.view, alpha()); // the slider moved meanwhile
        stats.embeds++;
        if (stats.firstDrawn < 0 && [...charts.values()].every((x) => x.view)) stats.firstDrawn = performance.now() - started;
        if (c.reset || c.inserts.size || c.removes.length) commit(); // arrived while it ran
      },
      (err: unknown) => {
        holder.remove();
        throw err;
      },
    );
  }

  /** The smoothing param of a view (a custom spec may have none). */
  function setSmoothing(view: any, a: number): void {
    try {
      view.signal("smoothing", a);
    } catch {
      // no such signal
    }
  }

  /** After the smoothing changed (points' `ys` already recomputed): redraw with it. */
  function restyle(view: any, a: number): void {
    setSmoothing(view, a);
    view.change("points", vega!.vega.changeset().modify(() => true, "ys", (d: Datum) => d.ys)).runAsync();
  }

  function failed(c: Chart, err: unknown): void {
    c.shown?.finalize();
    c.view = c.shown = c.embedding = undefined;
    c.box.textContent = `Cannot draw this chart: ${err instanceof Error ? err.message : String(err)}`;
  }

  // -- data -----------------------------------------------------------------------------
  // A snapshot replaces everything, but while a run is live it mostly repeats what the
  // deltas brought: each series keeps its points up to the first one that differs, and
  // its chart only gets the changed tail (as for a delta), not all of its points anew.
  function rebuild(snap: Snapshot): void {
    const fresh = ((snap.runs as RunInfo[]) || []).map((r) => ({ id: String(r.id), name: String(r.name), color: String(r.color) }));
    const sameRuns = JSON.stringify(fresh) === JSON.stringify(runs);
    runs = fresh;
    if (!sameRuns) drawLegend();
    const old = new Map(series);
    series.clear();
    const a = alpha();
    const changed = new Set<string>();
    for (const info of (snap.series as (SeriesInfo & { data: unknown })[]) || []) {
      const run = runs[info.run];
      let points = decodePoints(info.data, run?.id ?? "", run?.name ?? "");
      const prev = old.get(info.id);
      old.delete(info.id);
      if (sameRuns && prev && prev.key === info.key && prev.run === info.run && prev.step_metric === info.step_metric) {
        const at = samePrefix(prev.points, points);
        const tail = points.slice(at);
        points = prev.points.slice(0, at).concat(tail);
        smooth(points, a, at);
        const c = charts.get(info.key);
        if (c && !c.reset) queue(c, prev.points.slice(at), tail);
        else changed.add(info.key);
      } else {
        smooth(points, a);
        changed.add(info.key);
      }
      series.set(info.id, { ...info, data: undefined, points } as unknown as Series);
    }
    for (const gone of old.values()) changed.add(gone.key);
    const keys = sortKeys(new Set([...series.values()].map((s) => s.key)));
    const empty = snap.loading ? "Loading the history…" : "No scalar metrics logged yet.";
    if (keys.length) body.querySelector(":scope > .wbnb-empty")?.remove();
    else if (!body.querySelector(":scope > .wbnb-empty")) h("div", "wbnb-empty", empty, body);
    else body.querySelector(":scope > .wbnb-empty")!.textContent = empty;
    for (const key of keys) {
      if (!charts.has(key)) chartFor(key); // a new chart starts with every point
      else if (changed.has(key) || !sameRuns) charts.get(key)!.reset = true;
    }
    for (const [key, c] of charts) if (changed.has(key) && !keys.includes(key)) c.reset = true;
  }

  /** Queue a chart change: `removed` leave the view, `added` enter it. */
  function queue(c: Chart, removed: Iterable<Datum>, added: Iterable<Datum>): void {
    for (const p of removed) {
      if (!c.inserts.delete(p)) c.removes.push(p);
    }
    for (const p of added) c.inserts.add(p);
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
      queue(c, removed, fresh);
    });
  }

  // A chart out of view keeps its changes queued (they merge as they come) and draws them
  // when it shows again: a panel of many charts redraws only what is on screen, and a
  // notebook tab in the background costs its page nothing. 200px ahead, to be drawn when
  // scrolled to.
  const sight =
    typeof IntersectionObserver === "undefined"
      ? undefined
      : new IntersectionObserver(
          (entries) => {
            let back = false;
            for (const entry of entries) {
              const c = charts.get((entry.target as HTMLElement).dataset.key ?? "");
              if (!c) continue;
              back ||= c.away && entry.isIntersecting;
              c.away = !entry.isIntersecting;
            }
            if (back) commit();
          },
          { rootMargin: "200px" },
        );

  // Charts take their changes one after another, yielding to the browser every ~12 ms
  // so that many charts updating at once never block input or a frame for long. The
  // yield is a task, not the next animation frame: the browser paints or handles input
  // in between if it is due, and otherwise the next chart goes on at once.
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
        if (c.view && !c.away && (c.reset || c.inserts.size || c.removes.length)) {
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
        await yieldToBrowser();
        t0 = performance.now();
      }
    }
  }

  // -- hover: nearest point of each run, as text ------------------------------------------
  function hookHover(c: Chart): void {
    c.box.addEventListener("pointermove", (ev: PointerEvent) => {
      const view = c.shown?.view;
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
  let smoothed = alpha() > 0; // whether the views have the raw layer
  const onSmoothing = () => {
    const a = alpha();
    slider.value = String(a);
    smoothValue.textContent = a.toFixed(2);
    for (const s of series.values()) smooth(s.points, a);
    if (!vega) return;
    if (a > 0 !== smoothed) {
      smoothed = a > 0;
      reembedAll();
      return;
    }
    for (const c of charts.values()) if (c.view) restyle(c.view, a);
  };
  const onSpecs = () => reembedAll();
  model.on("change:x_axis", onAxis);
  model.on("change:log_y", onAxis);
  model.on("change:smoothing", onSmoothing);
  model.on("change:_spec", onSpecs);
  model.on("change:_custom", onSpecs);

  // -- go ------------------------------------------------------------------------------------
  const channel = new LiveChannel<Snapshot, Delta>(model, { rebuild, apply, commit }, isDelta);
  (root as any).__wbnb = {
    charts, series, channel, stats,
    /** Resolves once every queued change has been drawn (tests, benchmarks). */
    idle: async () => {
      while (draining) await draining;
    },
  };
  channel.start(); // charts wait for vega: embed() does nothing without it
  try {
    vega = await vegaLoading;
    stats.vegaLoaded = performance.now() - started;
  } catch (err) {
    body.replaceChildren(h("div", "wbnb-empty", `Cannot load the charting library: ${String(err)}`));
    throw err;
  }
  for (const c of charts.values()) if (!c.view && !c.embedding) embed(c);

  return () => {
    disposed = true;
    sight?.disconnect();
    channel.dispose();
    model.off("change:x_axis", onAxis);
    model.off("change:log_y", onAxis);
    model.off("change:smoothing", onSmoothing);
    model.off("change:_spec", onSpecs);
    model.off("change:_custom", onSpecs);
    for (const c of charts.values()) c.shown?.finalize();
    root.remove();
  };
}

const yieldChannel = typeof MessageChannel !== "undefined" ? new MessageChannel() : undefined;
const yielded: (() => void)[] = [];
if (yieldChannel) yieldChannel.port1.onmessage = () => yielded.shift()?.();

/** Resolves in a new task (scheduler.yield where the browser has it). */
function yieldToBrowser(): Promise<void> {
  const sched = (globalThis as any).scheduler;
  if (typeof sched?.yield === "function") return sched.yield();
  if (!yieldChannel) return new Promise((r) => setTimeout(r, 0));
  return new Promise((r) => {
    yielded.push(r);
    yieldChannel.port2.postMessage(0);
  });
}

/** How many leading points two decodings of a series share (same bucket, step, times and values). */
function samePrefix(a: Datum[], b: Datum[]): number {
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
