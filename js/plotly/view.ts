// PlotlyView's view: each (run, key)'s figure at its chosen step, drawn by plotly.js as it
// was logged (js/lib/steprecords.ts: panels, sliders, fetching the figure a visible panel
// shows). plotly.js is imported only when the first figure is drawn (./loader.ts). The
// figure's JSON is the user's: plotly.js draws its titles, labels and hover texts as SVG
// text, where only its own small set of tags becomes formatting (b, i, em, u, s, sup, sub,
// span and a with a style, br; an <a> only with an http, https, mailto or relative href);
// other tags are dropped. wbnb inserts nothing from the figure as HTML.
import type { AnyModel, Host } from "@anywidget/types";
import { StepRecordsView, type Panel } from "../lib/steprecords";
import type { StepsDelta } from "../lib/contract";
import type { View, ViewOptions } from "../lib/view";
import { type FigureReply, isToPage, type PlotlyViewModel } from "./contract";
import { loadPlotly, type Plotly } from "./loader";

const CSS = `
.wbnb-plotly .wbnb-figure { width: 100%; }
`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class PlotlyView implements View {
  readonly ready: Promise<void>;
  readonly records: StepRecordsView<PlotlyViewModel, FigureReply>;
  private plotly?: Plotly;

  constructor(el: HTMLElement, private readonly model: AnyModel<PlotlyViewModel>, private readonly host?: Host, options?: ViewOptions) {
    this.records = new StepRecordsView(
      el,
      model,
      {
        name: "plotly",
        css: CSS,
        empty: "No plotly figures logged yet.",
        isReply: (msg): msg is FigureReply => isToPage(msg) && msg.type === "figure",
        isDelta: (msg): msg is StepsDelta => isToPage(msg) && msg.type === "delta",
        draw: (p, reply, buffers) => this.draw(p, reply, buffers),
        resized: (p) => this.resized(p),
        dispose: (p) => this.dispose(p),
      },
      host,
      options,
    );
    Object.defineProperty(this.records.root, "__wbnb", { value: this }); // the tests' way in
    this.ready = this.records.ready;
  }

  destroy(): void {
    this.records.destroy();
  }

  private async draw(p: Panel, reply: FigureReply, buffers: DataView[]): Promise<void> {
    if (!reply.found || !buffers.length) {
      p.note.textContent = `the figure of step ${reply.step} cannot be read`;
      return;
    }
    const b = buffers[0];
    const fig: unknown = JSON.parse(new TextDecoder().decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    const data = isRecord(fig) && Array.isArray(fig.data) ? fig.data : [];
    const logged = isRecord(fig) && isRecord(fig.layout) ? fig.layout : {};
    // The cell sets the width; the figure keeps its height, else the view's.
    const height = typeof logged.height === "number" ? logged.height : this.model.get("height");
    const layout = { ...logged, width: undefined, height, autosize: true };
    this.plotly ??= await loadPlotly(this.model.get("_plotly"), this.model, this.host);
    let div = p.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (!div) {
      div = document.createElement("div");
      div.className = "wbnb-figure";
      p.body.appendChild(div);
    }
    await this.plotly.react(div, data, layout, { displaylogo: false, responsive: true });
  }

  private resized(p: Panel): void {
    const div = p.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (div && this.plotly) this.plotly.Plots.resize(div);
  }

  private dispose(p: Panel): void {
    const div = p.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (div && this.plotly) this.plotly.purge(div);
  }
}
