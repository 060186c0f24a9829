// PlotlyView's view: each (run, key)'s figures at its chosen step (a list's side by side),
// drawn by plotly.js as logged (js/lib/steprecords.ts: panels, sliders, a cell per item,
// fetching the figures a visible panel shows). plotly.js is imported only when the first figure is drawn (./loader.ts). The
// figure's JSON is the user's: plotly.js draws its titles, labels and hover texts as SVG
// text, where only its own small set of tags becomes formatting (b, i, em, u, s, sup, sub,
// span and a with a style, br; an <a> only with an http, https, mailto or relative href);
// other tags are dropped. wbnb inserts nothing from the figure as HTML.
import type { AnyModel, Host } from "@anywidget/types";
import { type Cell, StepRecordsView } from "../lib/steprecords";
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
  private loading?: Promise<Plotly>;
  private readonly onLoader = () => void this.load();

  constructor(el: HTMLElement, private readonly model: AnyModel<PlotlyViewModel>, private readonly host?: Host, options?: ViewOptions) {
    model.on("change:_plotly", this.onLoader);
    this.load();
    this.records = new StepRecordsView(
      el,
      model,
      {
        name: "plotly",
        css: CSS,
        empty: "No plotly figures logged yet.",
        isToPage,
        draw: (c, reply, buffers) => this.draw(c, reply, buffers),
        resized: (c) => this.resized(c),
        dispose: (c) => this.dispose(c),
      },
      host,
      options,
    );
    Object.defineProperty(this.records.root, "__wbnb", { value: this }); // the tests' way in
    this.ready = this.records.ready;
  }

  destroy(): void {
    this.model.off("change:_plotly", this.onLoader);
    this.records.destroy();
  }

  /** plotly.js, imported as soon as the view has a loader (the kernel references one only
   * once there is a figure to show), so the import overlaps the figure's fetch. */
  private load(): Promise<Plotly> | undefined {
    if (!this.loading && this.model.get("_plotly")) {
      this.loading = loadPlotly(this.model.get("_plotly"), this.model, this.host).then((p) => (this.plotly = p));
      this.loading.catch(() => undefined); // a failure shows in the figure that awaits it
    }
    return this.loading;
  }

  private async draw(c: Cell, reply: FigureReply, buffers: DataView[]): Promise<void> {
    if (!reply.found || !buffers.length) {
      c.note.textContent = `the figure of step ${reply.step}: file not available (yet)`;
      return;
    }
    const b = buffers[0];
    const fig: unknown = JSON.parse(new TextDecoder().decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    const data = isRecord(fig) && Array.isArray(fig.data) ? fig.data : [];
    const logged = isRecord(fig) && isRecord(fig.layout) ? fig.layout : {};
    // The cell sets the width; the figure keeps its height, else the view's.
    const height = typeof logged.height === "number" ? logged.height : this.model.get("height");
    const layout = { ...logged, width: undefined, height, autosize: true };
    const plotly = await (this.load() ?? Promise.reject(new Error("plotly.js is not loaded yet")));
    let div = c.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (!div) {
      div = document.createElement("div");
      div.className = "wbnb-figure";
      c.body.appendChild(div);
    }
    await plotly.react(div, data, layout, { displaylogo: false, responsive: true });
  }

  private resized(c: Cell): void {
    const div = c.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (div && this.plotly) this.plotly.Plots.resize(div);
  }

  private dispose(c: Cell): void {
    const div = c.body.querySelector<HTMLElement>(":scope > .wbnb-figure");
    if (div && this.plotly) this.plotly.purge(div);
  }
}
