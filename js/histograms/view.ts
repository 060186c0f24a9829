// Histograms' view: one panel per (run, key) (./panel.ts), rows = steps, columns = value
// bins, as Python rebinned them (wbnb/widgets/histograms/: model.py, contract.py), drawn as
// a heatmap or a ridge plot (the `view` trait, chosen in the bar). Panels fill a grid of as
// many per row as fit (chart_width the least plot width), each canvas as wide as its panel;
// mounted with `options.keys` (the run panel's cells) only those keys' panels are drawn,
// compact: the view choice is the model's, shown once by the panel (`histogramsSettings`).
import type { AnyModel, Host } from "@anywidget/types";
import { choice, h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import { LiveChannel } from "../lib/protocol";
import { WidthWatch } from "../lib/resize";
import { drawsKey, isCompact, outside, type Settings, type SettingsBar, type View, type ViewOptions } from "../lib/view";
import { type HistogramsDelta, type HistogramsModel, type HistogramsSnapshot, isToPage, VIEWS } from "./contract";
import type { Drawing } from "./drawing";
import { type Grid, Grids } from "./grids";
import { heatmap } from "./heatmap";
import { LEFT } from "./layout";
import { HistogramPanel } from "./panel";
import { ridge } from "./ridge";

// Its own look (js/lib/style.ts has the bar, panels, tip and empty note all share).
const CSS = `
.wbnb-histograms .wbnb-panels { display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(min(var(--wbnb-panel-min), 100%), 1fr)); }
.wbnb-histograms.wbnb-keyed .wbnb-panels { grid-template-columns: repeat(auto-fit, minmax(min(var(--wbnb-panel-min), 100%), 1fr)); }
.wbnb-histograms .wbnb-panel { min-width: 0; }
`;

const DRAWINGS: Record<HistogramsModel["view"], Drawing> = { heatmap, ridge };
const REDRAWN_BY = ["change:view", "change:chart_width", "change:chart_height"] as const;

/** The bar of the settings every view of the model shares: heatmap or ridge. */
const viewBar: SettingsBar<HistogramsModel> = (el, model) => {
  const bar = h("div", "wbnb-bar", undefined, el);
  const pick = (view: HistogramsModel["view"]) => {
    model.set("view", view);
    model.save_changes();
  };
  const select = choice(bar, "view", VIEWS, (view) => view, pick, "wbnb-view");
  const show = () => (select.value = model.get("view"));
  show();
  model.on("change:view", show);
  return { destroy: () => model.off("change:view", show) };
};

/** Histograms' settings bar outside a view: the run panel's, once for its compact views. */
export const histogramsSettings = outside("histograms", CSS, viewBar);

export class HistogramsView implements View {
  readonly ready: Promise<void>;
  readonly grids: Grids;
  readonly panels = new Map<number, HistogramPanel>();
  readonly channel: LiveChannel<HistogramsSnapshot, HistogramsDelta>;
  readonly stats = { draws: 0 };
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  /** The bar of the model's settings (none in a compact view). */
  private readonly settings?: Settings;
  private disposed = false;
  private readonly onChange = () => this.drawAll();
  /** Each panel's width: its canvas is redrawn to it. */
  private readonly widths = new WidthWatch((el) => this.resized(el));

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<HistogramsModel>,
    _host?: Host,
    options?: ViewOptions,
  ) {
    this.root = widgetRoot(el, "histograms", CSS);
    this.root.classList.toggle("wbnb-keyed", options?.keys !== undefined);
    this.grids = new Grids(drawsKey(options));
    this.leastWidth();
    if (!isCompact(options)) this.settings = viewBar(this.root, model);
    this.body = h("div", "wbnb-panels", undefined, this.root);
    for (const ev of REDRAWN_BY) model.on(ev, this.onChange);
    this.channel = new LiveChannel<HistogramsSnapshot, HistogramsDelta>(
      model,
      {
        rebuild: (snap) => this.rebuild(snap),
        apply: (delta, buffers) => this.grids.apply(delta, buffers),
        commit: () => this.commit(),
      },
      isToPage, // deltas are the kernel's only message
    );
    Object.defineProperty(this.root, "__wbnb", { value: this }); // the tests' way in
    this.channel.start();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.disposed = true;
    this.channel.dispose();
    this.widths.dispose();
    this.settings?.destroy();
    for (const ev of REDRAWN_BY) this.model.off(ev, this.onChange);
    this.root.remove();
  }

  private rebuild(snap: HistogramsSnapshot): void {
    for (const id of this.grids.rebuild(snap)) {
      const p = this.panels.get(id);
      if (p) this.widths.unwatch(p.root);
      p?.root.remove();
      this.panels.delete(id);
    }
  }

  /** Draw the grids that changed, say so when there are none. */
  private commit(): void {
    for (const g of this.grids.takeChanged()) this.draw(g);
    const empty = this.body.querySelector(":scope > .wbnb-empty");
    if (!this.grids.grids.size && !empty) h("div", "wbnb-empty", "No histograms logged yet.", this.body);
  }

  private drawAll(): void {
    this.leastWidth();
    for (const g of this.grids.grids.values()) this.draw(g);
  }

  /** The least panel width: a plot chart_width wide with its axes, the panel's padding and border. */
  private leastWidth(): void {
    this.root.style.setProperty("--wbnb-panel-min", `${LEFT + this.model.get("chart_width") + 24}px`);
  }

  private draw(g: Grid): void {
    if (this.disposed) return;
    this.stats.draws++;
    this.body.querySelector(":scope > .wbnb-empty")?.remove();
    this.panelFor(g).show({
      grid: g,
      runName: this.grids.runs[g.run]?.name ?? "",
      drawing: DRAWINGS[this.model.get("view")],
      width: this.model.get("chart_width"),
      height: this.model.get("chart_height"),
    });
  }

  /** The grid's panel, made on first use and placed in key, then run order. */
  private panelFor(g: Grid): HistogramPanel {
    let p = this.panels.get(g.id);
    if (p) return p;
    p = new HistogramPanel(g);
    this.panels.set(g.id, p);
    const order = this.grids.ordered();
    const after = order
      .slice(order.indexOf(g) + 1)
      .map((x) => this.panels.get(x.id)?.root)
      .find((x) => x?.parentElement === this.body);
    this.body.insertBefore(p.root, after ?? null);
    p.measure();
    this.widths.watch(p.root);
    return p;
  }

  /** A panel changed width: its grid is drawn anew to it. */
  private resized(el: Element): void {
    for (const [id, p] of this.panels) {
      const g = this.grids.grids.get(id);
      if (p.root === el && g && p.measure()) this.draw(g);
    }
  }
}
