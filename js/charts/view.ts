// Charts' view: one panel per key (./panel.ts) in a grid as wide as the element (at least
// three to a row at 1400 px), each a Vega chart of the spec the kernel wrote
// (wbnb/widgets/charts/specs.py) with a step slider. The snapshot holds every key at its
// newest step, deltas the keys logged anew; a key at another step is asked for with a
// fetch and comes back as a `chart` reply. With `options.keys` only those keys are drawn.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { LiveChannel } from "../lib/protocol";
import { widgetRoot } from "../lib/style";
import { loadVega, type VegaBundle } from "../lib/vega";
import type { View, ViewOptions } from "../lib/view";
import {
  type ChartsDelta,
  type ChartsModel,
  type ChartsSnapshot,
  type ChartState,
  type FetchChart,
  isToPage,
} from "./contract";
import { ChartPanel } from "./panel";

const CSS = `
.wbnb-charts .wbnb-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 380px), 1fr)); gap: 12px; }
.wbnb-charts .wbnb-panel { min-width: 0; padding: 6px; }
.wbnb-charts .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0 4px; }
.wbnb-charts .wbnb-steps input { flex: 1; min-width: 60px; }
.wbnb-charts .wbnb-note { color: var(--jp-ui-font-color2, #777); font-size: 11px; }
.wbnb-charts .wbnb-custom table { border-collapse: collapse; margin-top: 4px; font-size: 11px; }
.wbnb-charts .wbnb-custom th, .wbnb-charts .wbnb-custom td { border: 1px solid var(--jp-border-color2, #e0e0e0);
  padding: 1px 5px; max-width: 160px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;

// The channel takes deltas only; the kernel's other message (a chart at a step) is received() here.
const isDelta = (msg: unknown): msg is ChartsDelta => isToPage(msg) && msg.type === "delta";

export class ChartsView implements View {
  readonly ready: Promise<void>;
  readonly panels = new Map<string, ChartPanel>();
  readonly stats = { fetches: 0 };
  /** Each key's newest chart. */
  readonly latest = new Map<string, ChartState>();
  private readonly atStep = new Map<string, ChartState>(); // "key|step" -> a fetched chart
  private readonly asked = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly only?: ReadonlySet<string>;
  private readonly channel: LiveChannel<ChartsSnapshot, ChartsDelta>;
  private readonly vega: Promise<VegaBundle>;
  private drawing: Promise<unknown> = Promise.resolve();
  private req = 0;
  private disposed = false;
  private readonly onMsg = (msg: unknown) => this.received(msg);

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<ChartsModel>,
    host?: Host,
    options?: ViewOptions,
  ) {
    this.root = widgetRoot(el, "charts", CSS);
    this.grid = h("div", "wbnb-grid", undefined, this.root);
    if (options?.keys) this.only = new Set(options.keys);
    this.vega = loadVega(model.get("_vega"), model, host);
    model.on("msg:custom", this.onMsg);
    this.channel = new LiveChannel<ChartsSnapshot, ChartsDelta>(
      model,
      {
        rebuild: (snap) => this.rebuild(snap),
        apply: (delta) => this.take(delta.upd),
        commit: () => this.commit(),
      },
      isDelta,
    );
    Object.defineProperty(this.root, "__wbnb", { value: this }); // the tests' way in
    this.channel.start();
    this.ready = this.drawing.then(() => undefined);
  }

  destroy(): void {
    this.disposed = true;
    this.channel.dispose();
    this.model.off("msg:custom", this.onMsg);
    for (const p of this.panels.values()) p.destroy();
    this.root.remove();
  }

  private shows(key: string): boolean {
    return !this.only || this.only.has(key);
  }

  private rebuild(snap: ChartsSnapshot): void {
    const keys = new Set(snap.charts.map((c) => c.key));
    for (const [key, p] of this.panels) {
      if (!keys.has(key)) {
        p.destroy();
        this.panels.delete(key);
        this.latest.delete(key);
      }
    }
    this.take(snap.charts);
  }

  private take(charts: ChartState[]): void {
    for (const c of charts) {
      if (!this.shows(c.key)) continue;
      this.latest.set(c.key, c);
      this.dirty.add(c.key);
    }
  }

  private commit(): void {
    const draws = [...this.dirty].map((key) => this.draw(key));
    this.dirty.clear();
    const empty = this.root.querySelector(":scope > .wbnb-empty");
    if (!this.latest.size && !empty) h("div", "wbnb-empty", "No plot.* charts logged yet.", this.root);
    else if (this.latest.size) empty?.remove();
    this.drawing = Promise.all(draws);
  }

  /** The step the viewer chose for `key`, if not the newest. */
  private chosen(key: string): number | undefined {
    const s = this.model.get("steps_shown")[key];
    return typeof s === "number" ? s : undefined;
  }

  private async draw(key: string): Promise<void> {
    const latest = this.latest.get(key);
    if (this.disposed || !latest) return;
    const p = this.panels.get(key) ?? this.panel(key);
    const step = this.chosen(key);
    const state = step === undefined || step === latest.step ? latest : this.atStep.get(`${key}|${step}`);
    if (!state) {
      p.setSteps(latest.steps, step ?? latest.step);
      this.fetch(key, step ?? latest.step);
      return;
    }
    try {
      await p.show(state, latest.steps, await this.vega);
    } catch (err) {
      p.failed(err);
    }
  }

  private panel(key: string): ChartPanel {
    const p = new ChartPanel(this.grid, key, (i) => {
      const latest = this.latest.get(key);
      if (!latest) return;
      const shown = { ...this.model.get("steps_shown") };
      if (i >= latest.steps.length - 1) delete shown[key]; // the end follows new steps
      else shown[key] = latest.steps[i];
      this.model.set("steps_shown", shown);
      this.model.save_changes();
      void this.draw(key);
    });
    this.panels.set(key, p);
    return p;
  }

  /** Ask the kernel for `key` at `step` (once until it answers). */
  private fetch(key: string, step: number): void {
    const ask = `${key}|${step}`;
    if (this.asked.has(ask)) return;
    this.asked.add(ask);
    this.stats.fetches++;
    const msg: FetchChart = { type: "fetch", req: ++this.req, key, step };
    this.model.send(msg);
  }

  private received(msg: unknown): void {
    if (!isToPage(msg) || msg.type !== "chart") return;
    const ask = `${msg.key}|${msg.step}`;
    this.asked.delete(ask);
    if (msg.chart) this.atStep.set(ask, msg.chart);
    void this.draw(msg.key);
  }
}
