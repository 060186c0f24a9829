// Curves: one line chart per key, in sections by "prefix/", for one or many runs.
// The snapshot and deltas (contract.ts) arrive through a LiveChannel; each series keeps
// its points (series.ts), each key has a chart cell (chart.ts) embedded with vega-embed
// on the canvas renderer with its points already in (one dataflow run, no empty first
// draw) from the template Python sent (spec.ts), and new points reach the chart as Vega
// changesets on the dataset "points": never a re-embed for new data. The controls
// (controls.ts) act locally and are saved to the model's traits. Charts fill the width
// of their grid cell (as many per row as fit), re-sized when it changes. Mounted with
// `options.keys` (the run panel: a view per key) it draws only those keys, without sections
// and compact: no controls bar (the panel shows the model's once, `curvesSettings`).
import type { AnyModel, Host } from "@anywidget/types";
import type { View as VegaView } from "vega";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import { LiveChannel, type Handlers } from "../lib/protocol";
import { loadVega, type VegaBundle } from "../lib/vega";
import { WidthWatch } from "../lib/resize";
import { drawsKey, isCompact, type View, type ViewOptions } from "../lib/view";
import { ChartCell, embedChart } from "./chart";
import {
  isToPage,
  POINTS,
  SMOOTHING,
  UNSECTIONED,
  type CurvesDelta,
  type CurvesModel,
  type CurvesRun,
  type CurvesSnapshot,
  type SeriesInfo,
} from "./contract";
import { alphaOf, Controls } from "./controls";
import { compareSections, sectionOf, sortKeys } from "./sections";
import { yieldToBrowser } from "./schedule";
import { decodePoints, firstAtBucket, samePrefix, smooth, type Datum, type Series } from "./series";
import { compile, isJson, KEY_SIGNAL, specObject, vegaLiteSpec, type Compiled } from "./spec";
import { CSS } from "./style";
import { hookHover, type HoverSource } from "./tooltip";
import { xField, xTitle, type XField } from "./xaxis";

/** Counters and milestones (ms since the view was made) for tests and benchmarks. */
export interface Stats {
  embeds: number;
  changesets: number;
  vegaLoaded: number;
  firstDrawn: number;
  resizes: number;
  compiled: { page: number; stored: number; made: number };
}

export class CurvesView implements View, Handlers<CurvesSnapshot, CurvesDelta>, HoverSource {
  readonly ready: Promise<void>;
  readonly channel: LiveChannel<CurvesSnapshot, CurvesDelta>;
  readonly series = new Map<number, Series>();
  readonly charts = new Map<string, ChartCell>();
  readonly stats: Stats = { embeds: 0, changesets: 0, vegaLoaded: -1, firstDrawn: -1, resizes: 0, compiled: { page: 0, stored: 0, made: 0 } };
  private runs: CurvesRun[] = [];
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  /** The bar of the model's settings (none in a compact view). */
  private readonly controls?: Controls;
  private readonly sections = new Map<string, HTMLElement>();
  /** Compiled templates' spec objects (one per template, for every key). */
  private readonly parsed = new Map<string, object>();
  private readonly started = performance.now();
  private readonly sight?: IntersectionObserver;
  /** Each chart's box: the width its chart is drawn to. */
  private readonly widths: WidthWatch;
  /** Whether a key is drawn here (all, unless mounted with `options.keys`). */
  private readonly shows: (key: string) => boolean;
  /** Mounted with `options.keys`: one grid, no sections. */
  private readonly keyed: boolean;
  private vega?: VegaBundle;
  private disposed = false;
  private draining: Promise<void> | null = null;
  /** Whether the views have the raw layer (made anew when smoothing turns on or off). */
  private smoothed: boolean;

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<CurvesModel>,
    host?: Host,
    options?: ViewOptions,
  ) {
    // Importing the vega bundle compiles it largely off the main thread: the snapshot is
    // decoded and the chart cells laid out meanwhile, and the views made after.
    const vegaLoading = loadVega(model.get("_vega"), model, host);
    this.root = widgetRoot(el, "curves", CSS);
    this.shows = drawsKey(options);
    this.keyed = options?.keys !== undefined;
    this.root.classList.toggle("wbnb-keyed", this.keyed);
    this.root.style.setProperty("--wbnb-chart-min", `${model.get("chart_width") || 360}px`);
    // A chart's box keeps its height before the chart is drawn: the page does not jump as
    // charts come (nor, in the run panel, shrunken cells bring all the next rows into sight).
    this.root.style.setProperty("--wbnb-chart-height", `${model.get("chart_height") || 200}px`);
    this.widths = new WidthWatch((box) => this.resize(box));
    if (!isCompact(options)) this.controls = new Controls(this.root, model);
    this.body = h("div", "wbnb-body", undefined, this.root);
    h("div", "wbnb-empty", "Loading charts…", this.body);
    this.smoothed = this.alpha() > 0;
    // A chart out of view keeps its changes queued (they merge as they come) and draws them
    // when it shows again: a panel of many charts redraws only what is on screen, and a
    // notebook tab in the background costs its page nothing. 200px ahead, to be drawn when
    // scrolled to.
    if (typeof IntersectionObserver !== "undefined") {
      this.sight = new IntersectionObserver((entries) => this.onSight(entries), { rootMargin: "200px" });
    }
    model.on("change:x_axis", this.reembedAll);
    model.on("change:log_y", this.reembedAll);
    model.on("change:smoothing", this.onSmoothing);
    model.on("change:_spec", this.reembedAll);
    model.on("change:_custom", this.reembedAll);
    this.channel = new LiveChannel<CurvesSnapshot, CurvesDelta>(model, this, isToPage);
    Object.assign(this.root, { __wbnb: this }); // tests and benchmarks read the view from its element
    this.channel.start(); // charts wait for vega: embed() does nothing without it
    this.ready = this.start(vegaLoading);
  }

  private async start(vegaLoading: Promise<VegaBundle>): Promise<void> {
    try {
      this.vega = await vegaLoading;
      this.stats.vegaLoaded = performance.now() - this.started;
    } catch (err) {
      this.body.replaceChildren(h("div", "wbnb-empty", `Cannot load the charting library: ${String(err)}`));
      throw err;
    }
    for (const c of this.charts.values()) if (!c.view && !c.embedding) this.embed(c);
  }

  destroy(): void {
    this.disposed = true;
    this.sight?.disconnect();
    this.widths.dispose();
    this.channel.dispose();
    this.controls?.destroy();
    this.model.off("change:x_axis", this.reembedAll);
    this.model.off("change:log_y", this.reembedAll);
    this.model.off("change:smoothing", this.onSmoothing);
    this.model.off("change:_spec", this.reembedAll);
    this.model.off("change:_custom", this.reembedAll);
    for (const c of this.charts.values()) c.shown?.finalize();
    this.root.remove();
  }

  /** Resolves once every queued change has been drawn (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  // -- what is drawn ------------------------------------------------------------------------

  alpha(): number {
    return alphaOf(this.model);
  }

  private metricsOf(key: string): (string | null)[] {
    const out = [];
    for (const s of this.series.values()) if (s.key === key) out.push(s.step_metric);
    return out;
  }

  xFieldOf(key: string): XField {
    return xField(this.model.get("x_axis") || "auto", this.metricsOf(key));
  }

  *linesOf(key: string): Iterable<{ name: string; points: Datum[] }> {
    for (const s of this.series.values()) if (s.key === key) yield { name: this.runs[s.run]?.name ?? "", points: s.points };
  }

  private pointsOf(key: string): Datum[] {
    const out: Datum[] = [];
    for (const s of this.series.values()) if (s.key === key) for (const p of s.points) out.push(p);
    return out;
  }

  // -- the live protocol (LiveChannel's handlers) ------------------------------------------

  /** A snapshot replaces everything, but while a run is live it mostly repeats what the
   * deltas brought: each series keeps its points up to the first one that differs, and
   * its chart only gets the changed tail (as for a delta), not all of its points anew. */
  rebuild(snap: CurvesSnapshot): void {
    const sameRuns = JSON.stringify(snap.runs) === JSON.stringify(this.runs);
    this.runs = snap.runs;
    const old = new Map(this.series);
    this.series.clear();
    const a = this.alpha();
    const changed = new Set<string>();
    for (const info of snap.series) {
      if (!this.shows(info.key)) continue;
      const run = this.runs[info.run];
      let points = decodePoints(info.data, run?.id ?? "", run?.name ?? "");
      const prev = old.get(info.id);
      old.delete(info.id);
      if (sameRuns && prev && prev.key === info.key && prev.run === info.run && prev.step_metric === info.step_metric) {
        const at = samePrefix(prev.points, points);
        const tail = points.slice(at);
        points = prev.points.slice(0, at).concat(tail);
        smooth(points, a, at);
        const c = this.charts.get(info.key);
        if (c && !c.reset) c.queue(prev.points.slice(at), tail);
        else changed.add(info.key);
      } else {
        smooth(points, a);
        changed.add(info.key);
      }
      this.series.set(info.id, seriesOf(info, points));
    }
    for (const gone of old.values()) changed.add(gone.key);
    const keys = sortKeys(new Set([...this.series.values()].map((s) => s.key)));
    const empty = snap.loading ? "Loading the history…" : "No scalar metrics logged yet.";
    const note = this.body.querySelector(":scope > .wbnb-empty");
    if (keys.length) note?.remove();
    else if (!note) h("div", "wbnb-empty", empty, this.body);
    else note.textContent = empty;
    for (const key of keys) {
      const c = this.charts.get(key);
      if (!c) this.chartFor(key); // a new chart starts with every point
      else if (changed.has(key) || !sameRuns) c.reset = true;
    }
    for (const [key, c] of this.charts) if (changed.has(key) && !keys.includes(key)) c.reset = true;
  }

  apply(delta: CurvesDelta, buffers: DataView[]): void {
    const a = this.alpha();
    delta.upd.forEach((u, i) => {
      if (!this.shows(u.key)) return;
      let s = this.series.get(u.id);
      const run = this.runs[u.run];
      const fresh = decodePoints(buffers[i], run?.id ?? "", run?.name ?? "");
      const firstSeries = !s;
      if (!s) {
        s = seriesOf(u, []);
        this.series.set(u.id, s);
      }
      const metricChanged = s.step_metric !== u.step_metric;
      s.width = u.width;
      s.count = u.count;
      s.step_metric = u.step_metric;
      const at = firstAtBucket(s.points, u.first);
      const removed = s.points.splice(at);
      for (const p of fresh) s.points.push(p);
      smooth(s.points, a, at);
      this.body.querySelector(":scope > .wbnb-empty")?.remove();
      const c = this.chartFor(s.key);
      if ((firstSeries || metricChanged) && this.xFieldOf(s.key) === "m" && c.view) {
        this.embed(c); // the x-axis of this key just became its step metric
        return;
      }
      c.queue(removed, fresh);
    });
  }

  /** Draw the queued changes: charts take theirs one after another, yielding to the
   * browser every ~12 ms so that many charts updating at once never block input or a
   * frame for long. The yield is a task, not the next animation frame: the browser paints
   * or handles input in between if it is due, and otherwise the next chart goes on at once. */
  commit(): void {
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = null));
  }

  private async drain(): Promise<void> {
    let t0 = performance.now();
    for (;;) {
      const vega = this.vega;
      if (!vega || this.disposed) return;
      let c: ChartCell | undefined;
      for (const x of this.charts.values()) {
        if (x.view && !x.away && x.pending) {
          c = x;
          break;
        }
      }
      if (!c?.view) return;
      const cs = c.reset
        ? vega.vega.changeset().remove(() => true).insert(this.pointsOf(c.key))
        : vega.vega.changeset().remove(c.removes).insert([...c.inserts]);
      c.clear();
      this.stats.changesets++;
      await c.view.change(POINTS, cs).runAsync();
      if (performance.now() - t0 > 12) {
        await yieldToBrowser();
        t0 = performance.now();
      }
    }
  }

  private onSight(entries: IntersectionObserverEntry[]): void {
    let back = false;
    for (const entry of entries) {
      const key = entry.target instanceof HTMLElement ? entry.target.dataset.key : undefined;
      const c = key === undefined ? undefined : this.charts.get(key);
      if (!c) continue;
      back ||= c.away && entry.isIntersecting;
      c.away = !entry.isIntersecting;
    }
    if (back) this.commit();
  }

  // -- chart cells ---------------------------------------------------------------------------

  private sectionBox(section: string): HTMLElement {
    let grid = this.sections.get(section);
    if (grid) return grid;
    if (this.keyed) {
      // The keys a container chose: no section heads, one grid (the container names them).
      grid = h("div", "wbnb-grid", undefined, this.body);
      this.sections.set(section, grid);
      return grid;
    }
    const details = h("details", "wbnb-section"); // not vega-embed's menu, a <details> too
    details.open = true;
    h("summary", undefined, section || UNSECTIONED, details);
    grid = h("div", "wbnb-grid", undefined, details);
    const names = [...this.sections.keys(), section].sort(compareSections);
    const next = names[names.indexOf(section) + 1];
    const before = next !== undefined ? this.sections.get(next)?.parentElement : null;
    this.body.insertBefore(details, before ?? null);
    this.sections.set(section, grid);
    return grid;
  }

  private chartFor(key: string): ChartCell {
    let c = this.charts.get(key);
    if (c) return c;
    const grid = this.sectionBox(this.keyed ? "" : sectionOf(key));
    c = new ChartCell(key);
    const keys = sortKeys([...this.charts.keys(), key]);
    const next = keys[keys.indexOf(key) + 1];
    const together = next !== undefined && (this.keyed || sectionOf(next) === sectionOf(key));
    const nextCell = together ? this.charts.get(next)?.cell : null;
    grid.insertBefore(c.cell, nextCell ?? null);
    this.charts.set(key, c);
    this.sight?.observe(c.cell);
    this.widths.watch(c.box);
    hookHover(c, this);
    this.embed(c);
    return c;
  }

  private embed(c: ChartCell): void {
    const bundle = this.vega;
    if (!bundle || this.disposed) return;
    const metrics = this.metricsOf(c.key);
    const x = this.xFieldOf(c.key);
    const a0 = this.alpha();
    const custom = this.model.get("_custom")?.[c.key];
    // The template's charts fill their box; a user's chart keeps the size it was given.
    c.fits = !isJson(custom);
    const source = isJson(custom) ? custom : this.model.get("_spec");
    const choices = { x, xTitle: xTitle(x, metrics), log: !!this.model.get("log_y"), smoothing: a0 > 0, fit: c.fits };
    const spec = vegaLiteSpec(source, choices);
    // Compiling may wait for Vega-Lite (a template in neither cache): a later embed of
    // this chart, or disposal, meanwhile makes this one give up.
    const done: Promise<void> = compile(bundle, spec)
      .then(([compiled, origin]) => {
        if (c.embedding !== done || this.disposed) return;
        this.stats.compiled[origin]++;
        return this.makeView(c, compiled, bundle, a0, done);
      })
      .catch((err: unknown) => {
        if (c.embedding === done) c.failed(err);
      });
    c.embedding = done;
  }

  /** Embed `c`'s chart of `compiled` with every point it has now, and show it once drawn. */
  private async makeView(c: ChartCell, compiled: Compiled, bundle: VegaBundle, a0: number, done: Promise<void>): Promise<void> {
    // In the page (hidden) while it draws: Vega sizes the canvas for the screen's pixel
    // ratio only when it is in the document. Shown in place of the old one once drawn.
    const holder = h("div", "wbnb-view", undefined, c.box);
    holder.style.display = "none";
    const points = this.pointsOf(c.key);
    // What is queued is in `points` already; later deltas queue against this view.
    c.clear();
    c.view = undefined;
    const prepare = (view: VegaView) => {
      if (compiled.keySignal) view.signal(KEY_SIGNAL, c.key);
      const width = Math.floor(c.box.clientWidth);
      if (c.fits && width > 0) view.width(width);
      setSmoothing(view, a0);
      view.data(POINTS, points);
    };
    const made = await embedChart(specObject(compiled, c.key, this.parsed), bundle, c.key, holder, prepare).catch(
      (err: unknown) => {
        holder.remove();
        throw err;
      },
    );
    if (c.embedding !== done || this.disposed) {
      made.finalize();
      holder.remove();
      return;
    }
    c.show(made, holder);
    this.fit(c); // the box may have changed width while the chart was made
    if (this.alpha() !== a0) this.restyle(made.view, this.alpha()); // the slider moved meanwhile
    this.stats.embeds++;
    if (this.stats.firstDrawn < 0 && [...this.charts.values()].every((x) => x.view)) {
      this.stats.firstDrawn = performance.now() - this.started;
    }
    if (c.pending) this.commit(); // arrived while it ran
  }

  /** After the smoothing changed (points' `ys` already recomputed): redraw with it. */
  private restyle(view: VegaView, a: number): void {
    if (!this.vega) return;
    setSmoothing(view, a);
    view.change(POINTS, this.vega.vega.changeset().modify(() => true, "ys", (d: Datum) => d.ys)).runAsync();
  }

  /** A chart's box changed width: its chart is drawn that wide. */
  private resize(box: Element): void {
    for (const c of this.charts.values()) if (c.box === box) this.fit(c);
  }

  /** Draw `c`'s chart as wide as its box (the template's charts; a hidden box keeps it). */
  private fit(c: ChartCell): void {
    const width = Math.floor(c.box.clientWidth);
    if (!c.fits || !c.view || width <= 0 || c.view.width() === width) return;
    this.stats.resizes++;
    c.view.width(width).runAsync();
  }

  // -- the viewer's choices ----------------------------------------------------------------

  private readonly reembedAll = (): void => {
    for (const c of this.charts.values()) this.embed(c);
  };

  private readonly onSmoothing = (): void => {
    const a = this.alpha();
    for (const s of this.series.values()) smooth(s.points, a);
    if (!this.vega) return;
    if (a > 0 !== this.smoothed) {
      this.smoothed = a > 0;
      this.reembedAll();
      return;
    }
    for (const c of this.charts.values()) if (c.view) this.restyle(c.view, a);
  };
}

/** A series of the page: the wire's description of it, with its points. */
function seriesOf(info: SeriesInfo, points: Datum[]): Series {
  const { id, run, key, step_metric, width, count } = info;
  return { id, run, key, step_metric, width, count, points };
}

/** The smoothing param of a view (a custom spec may have none). */
function setSmoothing(view: VegaView, a: number): void {
  try {
    view.signal(SMOOTHING, a);
  } catch {
    // no such signal
  }
}
