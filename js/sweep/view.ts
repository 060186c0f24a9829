// The sweep panel's view (wbnb/widgets/sweep/): the sweep's title, parallel coordinates over
// its parameters and metric with their importance (js/compare/parallel.ts; brushing sends a
// SelectRequest), the metric per trial with the best so far, Hyperband's rungs
// (./charts.ts) and the trial table. Redrawn whenever Python re-reads the sweep (`_data`);
// every name, parameter value and state is inserted as text.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { View } from "../lib/view";
import { PARALLEL_CSS, ParallelChart } from "../compare/parallel";
import { rungsChart, trialsChart } from "./charts";
import type { SweepData, SweepPanelModel } from "./contract";

const CSS = `${PARALLEL_CSS}
.wbnb-sweep .wbnb-title { font-weight: 600; margin: 2px 0 6px; }
.wbnb-sweep .wbnb-title .wbnb-sub { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 8px; }
.wbnb-sweep .wbnb-charts { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.wbnb-sweep .wbnb-trials { border-collapse: collapse; }
.wbnb-sweep .wbnb-trials th, .wbnb-sweep .wbnb-trials td { text-align: left; padding: 1px 8px; white-space: pre; border-bottom: 1px solid var(--jp-border-color3, #f0f0f0); }
.wbnb-sweep .wbnb-trials tr.wbnb-stopped td { color: #d62728; }
`;

export class SweepView implements View {
  readonly ready: Promise<void>;
  private readonly title: HTMLDivElement;
  private readonly chart: ParallelChart;
  private readonly charts: HTMLDivElement;
  private readonly table: HTMLDivElement;
  private readonly onData = () => this.draw();

  constructor(el: HTMLElement, private readonly model: AnyModel<SweepPanelModel>, _host?: Host) {
    const root = widgetRoot(el, "sweep", CSS);
    this.title = h("div", "wbnb-title", undefined, root);
    this.chart = new ParallelChart(root, (msg) => model.send(msg));
    this.charts = h("div", "wbnb-charts", undefined, root);
    this.table = h("div", undefined, undefined, root);
    model.on("change:_data", this.onData);
    this.draw();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.model.off("change:_data", this.onData);
    this.chart.destroy();
  }

  private draw(): void {
    const data = this.model.get("_data");
    this.title.replaceChildren();
    h("span", undefined, `sweep ${data.name}`, this.title);
    const about = `${data.project}/${data.id} · ${data.method} · ${data.state} · ${data.trials.length} trials`;
    h("span", "wbnb-sub", about, this.title);
    this.chart.draw(data.parallel);
    this.charts.replaceChildren();
    if (data.metric) {
      trialsChart(this.charts, data);
      rungsChart(this.charts, data);
    }
    this.drawTable(data);
  }

  private drawTable(data: SweepData): void {
    this.table.replaceChildren();
    const table = h("table", "wbnb-trials", undefined, this.table);
    const head = h("tr", undefined, undefined, h("thead", undefined, undefined, table));
    for (const t of ["#", "state", ...data.params, data.metric || "value", "run"]) h("th", undefined, t, head);
    const body = h("tbody", undefined, undefined, table);
    for (const r of data.trials) {
      const tr = h("tr", r.state === "stopped" ? "wbnb-stopped" : undefined, undefined, body);
      tr.dataset.id = r.run_id;
      for (const cell of [String(r.seq + 1), r.state, ...r.params, r.value_text, r.name]) h("td", undefined, cell, tr);
    }
  }
}
