// Histograms' view: one panel per (run, key) (./panel.ts), rows = steps, columns = value
// bins, as Python rebinned them (wbnb/widgets/histograms/: model.py, contract.py), drawn as
// a heatmap or a ridge plot (the `view` trait, chosen in the bar).
import type { AnyModel, Host } from "@anywidget/types";
import { h, injectStyle } from "../lib/dom";
import { LiveChannel } from "../lib/protocol";
import type { View } from "../lib/view";
import { type HistogramsDelta, type HistogramsModel, type HistogramsSnapshot, isToPage, VIEWS } from "./contract";
import type { Drawing } from "./drawing";
import { type Grid, Grids } from "./grids";
import { heatmap } from "./heatmap";
import { HistogramPanel } from "./panel";
import { ridge } from "./ridge";

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

const DRAWINGS: Record<HistogramsModel["view"], Drawing> = { heatmap, ridge };
const REDRAWN_BY = ["change:view", "change:chart_width", "change:chart_height"] as const;

export class HistogramsView implements View {
  readonly ready: Promise<void>;
  readonly grids = new Grids();
  readonly panels = new Map<number, HistogramPanel>();
  readonly channel: LiveChannel<HistogramsSnapshot, HistogramsDelta>;
  readonly stats = { draws: 0 };
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly viewSelect: HTMLSelectElement;
  private disposed = false;
  private readonly onChange = () => this.drawAll();

  constructor(el: HTMLElement, private readonly model: AnyModel<HistogramsModel>, _host?: Host) {
    injectStyle("wbnb-histograms-style", CSS, el);
    this.root = h("div", "wbnb-histograms", undefined, el);
    const bar = h("div", "wbnb-bar", undefined, this.root);
    const viewLabel = h("label", undefined, "view", bar);
    this.viewSelect = h("select", "wbnb-view", undefined, viewLabel);
    for (const v of VIEWS) h("option", undefined, v, this.viewSelect).value = v;
    this.body = h("div", "wbnb-panels", undefined, this.root);
    this.viewSelect.value = model.get("view");
    this.viewSelect.addEventListener("change", () => {
      const view = VIEWS.find((v) => v === this.viewSelect.value);
      if (!view) return;
      model.set("view", view);
      model.save_changes();
    });
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
    for (const ev of REDRAWN_BY) this.model.off(ev, this.onChange);
    this.root.remove();
  }

  private rebuild(snap: HistogramsSnapshot): void {
    for (const id of this.grids.rebuild(snap)) {
      this.panels.get(id)?.root.remove();
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
    this.viewSelect.value = this.model.get("view");
    for (const g of this.grids.grids.values()) this.draw(g);
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
    return p;
  }
}
