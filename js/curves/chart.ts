// One chart cell of Curves: its title, the vega-embed chart (canvas renderer), the hover
// rule and tooltip, and the changes of its points queued until they are drawn.
import type { View } from "vega";
import { h } from "../lib/dom";
import type { EmbedResult, VegaBundle } from "../lib/vega";
import type { Datum } from "./series";

export class ChartCell {
  readonly cell: HTMLElement;
  /** Where the chart is drawn. */
  readonly box: HTMLElement;
  readonly tip: HTMLElement;
  readonly rule: HTMLElement;
  /** The view changesets go to; undefined while a new one is being made. */
  view?: View;
  /** The chart on screen (the old one until a new one has drawn). */
  shown?: EmbedResult;
  /** The embedding under way: a newer one, or a failure, makes it give up. */
  embedding?: Promise<void>;
  inserts = new Set<Datum>();
  removes: Datum[] = [];
  /** Every point anew (the series changed under the chart). */
  reset = false;
  /** Drawn to its box's width (the template's charts, not a user's own). */
  fits = true;
  /** Out of view (scrolled away, a hidden tab or output): its changes wait until it shows. */
  away = false;

  constructor(readonly key: string) {
    this.cell = h("div", "wbnb-cell");
    this.cell.dataset.key = key;
    const head = h("div", "wbnb-head", undefined, this.cell);
    h("div", "wbnb-title", key, head).title = key;
    this.box = h("div", "wbnb-chart", undefined, this.cell);
    this.rule = h("div", "wbnb-rule", undefined, this.cell);
    this.tip = h("div", "wbnb-tip", undefined, this.cell);
  }

  /** Whether it has changes to draw. */
  get pending(): boolean {
    return this.reset || this.inserts.size > 0 || this.removes.length > 0;
  }

  /** Queue a change: `removed` leave the view, `added` enter it. */
  queue(removed: Iterable<Datum>, added: Iterable<Datum>): void {
    for (const p of removed) {
      if (!this.inserts.delete(p)) this.removes.push(p);
    }
    for (const p of added) this.inserts.add(p);
  }

  /** Forget the queued changes (a new view starts with every point). */
  clear(): void {
    this.inserts.clear();
    this.removes = [];
    this.reset = false;
  }

  /** Show a chart drawn in `holder` in place of the old one (swapped once drawn: no blank frame). */
  show(made: EmbedResult, holder: HTMLElement): void {
    this.shown?.finalize();
    this.box.replaceChildren(holder);
    holder.style.display = "";
    this.shown = made;
    this.view = made.view;
  }

  /** Say in the cell that the chart cannot be drawn. */
  failed(err: unknown): void {
    this.shown?.finalize();
    this.view = this.shown = this.embedding = undefined;
    this.box.textContent = `Cannot draw this chart: ${err instanceof Error ? err.message : String(err)}`;
  }

  hideHover(): void {
    this.tip.style.display = "none";
    this.rule.style.display = "none";
  }
}

/** A key as a file name: "train/loss" -> "train_loss". */
function fileStem(key: string): string {
  return key.replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "") || "chart";
}

// vega-embed's menu offers the PNG / SVG export only: "View Source" writes the spec into a
// new window as markup (a key is user text), and the editor is a web site.
const ACTIONS = { export: { png: true, svg: true }, source: false, compiled: false, editor: false };

/** Embed `spec` for `key` in `el` with vega-embed (canvas renderer). `prepare` gets the
 * view before its first dataflow run, to put the key and points in: vega-embed runs a
 * view once before it returns, and a run on empty data would double the cost. */
export function embedChart(
  spec: object,
  bundle: VegaBundle,
  key: string,
  el: HTMLElement,
  prepare: (view: View) => void,
): Promise<EmbedResult> {
  const vg = bundle.vega;
  const Base: new (runtime: unknown, options: unknown) => View = vg.View;
  class PreparedView extends Base {
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
    tooltip: false, // the chart's own hover reads the nearest point of every run (tooltip.ts)
    hover: false, // no hover encodings in these specs: no listener re-running the dataflow
    actions: ACTIONS,
    downloadFileName: fileStem(key),
    scaleFactor: { png: 2, svg: 1 },
  });
}
