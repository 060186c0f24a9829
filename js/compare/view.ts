// Compare's view (wbnb/widgets/compare/): a project's runs as parallel coordinates over
// their config columns and the chosen summary metric (the `metric` trait, picked here,
// re-read by Python), with the parameters' importance. Brushing sends a SelectRequest.
import type { AnyModel, Host } from "@anywidget/types";
import { choice, h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { View } from "../lib/view";
import type { CompareModel } from "./contract";
import { PARALLEL_CSS, ParallelChart } from "./parallel";

export class CompareView implements View {
  readonly ready: Promise<void>;
  private readonly bar: HTMLDivElement;
  private readonly chart: ParallelChart;
  private readonly onData = () => this.draw();

  constructor(el: HTMLElement, private readonly model: AnyModel<CompareModel>, _host?: Host) {
    const root = widgetRoot(el, "compare", PARALLEL_CSS);
    this.bar = h("div", "wbnb-bar", undefined, root);
    this.chart = new ParallelChart(root, (msg) => model.send(msg));
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
    this.bar.replaceChildren();
    h("span", "wbnb-title", `${data.project}: ${data.runs} runs`, this.bar);
    if (data.metrics.length) {
      const select = choice(this.bar, "metric", data.metrics, (m) => m, (m) => {
        this.model.set("metric", m);
        this.model.save_changes();
      });
      select.value = data.parallel.metric;
    } else h("span", "wbnb-empty", "no numeric summary metric yet", this.bar);
    this.chart.draw(data.parallel);
  }
}
