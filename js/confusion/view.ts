// ConfusionMatrix's view: one canvas heatmap per (run, key) (./panel.ts), a normalise
// choice for all, a step slider per matrix. Matrices come in the snapshot (the newest
// ones), in deltas (each new one) or, for older steps, as the kernel's reply to a fetch
// (wbnb/widgets/confusion/: model.py, contract.py). A matrix wider than the element shrinks
// to it; mounted with `options.keys` (the run panel's cells) only those keys are drawn,
// compact: the normalise choice is the model's, shown once by the panel (`confusionSettings`).
import type { AnyModel, Host } from "@anywidget/types";
import { canvasFont } from "../lib/canvas";
import { choice, h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import { LiveChannel } from "../lib/protocol";
import { WidthWatch } from "../lib/resize";
import { drawsKey, isCompact, outside, type Settings, type SettingsBar, type View, type ViewOptions } from "../lib/view";
import type { Normalize } from "./cells";
import {
  type ConfusionDelta,
  type ConfusionMatrixModel,
  type ConfusionSnapshot,
  type FetchMatrix,
  isToPage,
  NORMALIZE,
} from "./contract";
import type { Measure } from "./layout";
import { type Entry, Matrices } from "./matrices";
import { MatrixPanel } from "./panel";

// Its own look (js/lib/style.ts has the bar, panels, tip and empty note all share).
const CSS = `
.wbnb-confusion .wbnb-panel { padding: 6px; }
.wbnb-confusion .wbnb-head { max-width: 640px; }
.wbnb-confusion .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0 4px; }
.wbnb-confusion .wbnb-steps input { width: 220px; }
.wbnb-confusion .wbnb-note { color: var(--jp-ui-font-color2, #777); min-height: 1em; }
.wbnb-confusion .wbnb-mark { position: absolute; pointer-events: none; display: none; box-sizing: border-box;
  border: 2px solid #f58518; }
`;

const MODES: Record<Normalize, string> = { none: "counts", true: "% of true class (rows)", pred: "% of predicted class (columns)" };
const REDRAWN_BY = ["change:normalize", "change:size", "change:steps_shown"] as const;
/** The bar of the settings every view of the model shares: how the cells are normalised. */
const normaliseBar: SettingsBar<ConfusionMatrixModel> = (el, model) => {
  const bar = h("div", "wbnb-bar", undefined, el);
  const pick = (mode: Normalize) => {
    model.set("normalize", mode);
    model.save_changes();
  };
  const select = choice(bar, "normalise", NORMALIZE, (mode) => MODES[mode], pick, "wbnb-normalize");
  const show = () => (select.value = model.get("normalize"));
  show();
  model.on("change:normalize", show);
  return { destroy: () => model.off("change:normalize", show) };
};

/** ConfusionMatrix's settings bar outside a view: the run panel's, once for its compact views. */
export const confusionSettings = outside("confusion", CSS, normaliseBar);

// The channel takes deltas only; the kernel's other message (a fetched matrix) is received() here.
const isDelta = (msg: unknown): msg is ConfusionDelta => isToPage(msg) && msg.type === "delta";

export class ConfusionView implements View {
  readonly ready: Promise<void>;
  readonly matrices: Matrices;
  readonly panels = new Map<number, MatrixPanel>();
  readonly channel: LiveChannel<ConfusionSnapshot, ConfusionDelta>;
  readonly stats = { draws: 0, fetches: 0 };
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  /** The bar of the model's settings (none in a compact view). */
  private readonly settings?: Settings;
  private readonly asked = new Set<string>(); // "id|step" fetched and not answered yet
  private readonly measure: Measure;
  private req = 0;
  private disposed = false;
  private readonly onMsg = (msg: unknown, buffers: DataView[]) => this.received(msg, buffers);
  private readonly onChange = () => this.drawAll();
  /** The panels' width (0 until laid out): matrices shrink to it; redrawn when it changes. */
  private room = 0;
  private readonly widths = new WidthWatch(() => {
    this.room = this.body.clientWidth;
    this.drawAll();
  });

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<ConfusionMatrixModel>,
    _host?: Host,
    options?: ViewOptions,
  ) {
    this.root = widgetRoot(el, "confusion", CSS);
    this.matrices = new Matrices(drawsKey(options));
    if (!isCompact(options)) this.settings = normaliseBar(this.root, model);
    this.body = h("div", "wbnb-panels", undefined, this.root);
    const ctx = document.createElement("canvas").getContext("2d")!;
    this.measure = (text, px) => {
      ctx.font = canvasFont(px);
      return ctx.measureText(text).width;
    };
    model.on("msg:custom", this.onMsg);
    for (const ev of REDRAWN_BY) model.on(ev, this.onChange);
    this.channel = new LiveChannel<ConfusionSnapshot, ConfusionDelta>(
      model,
      {
        rebuild: (snap) => this.rebuild(snap),
        apply: (delta, buffers) => this.matrices.apply(delta, buffers),
        commit: this.onChange,
      },
      isDelta,
    );
    Object.defineProperty(this.root, "__wbnb", { value: this }); // the tests' way in
    this.widths.watch(this.body);
    this.channel.start();
    this.ready = Promise.resolve();
  }

  /** The texts of the cells of panel `id` as shown now (rows = true class). */
  cellTexts(id: number): string[][] {
    return this.panels.get(id)?.texts ?? [];
  }

  destroy(): void {
    this.disposed = true;
    this.channel.dispose();
    this.widths.dispose();
    this.settings?.destroy();
    this.model.off("msg:custom", this.onMsg);
    for (const ev of REDRAWN_BY) this.model.off(ev, this.onChange);
    this.root.remove();
  }

  private save<K extends keyof ConfusionMatrixModel>(name: K, value: ConfusionMatrixModel[K]): void {
    this.model.set(name, value);
    this.model.save_changes();
  }

  private rebuild(snap: ConfusionSnapshot): void {
    this.matrices.rebuild(snap);
    for (const [id, p] of this.panels) {
      if (!this.matrices.entries.has(id)) {
        p.root.remove();
        this.panels.delete(id);
      }
    }
  }

  private received(msg: unknown, buffers: DataView[]): void {
    if (!isToPage(msg) || msg.type !== "matrix") return;
    const e = this.matrices.reply(msg, buffers ?? []);
    this.asked.delete(`${msg.id}|${msg.step}`);
    if (e) this.draw(e);
  }

  private drawAll(): void {
    for (const e of this.matrices.ordered()) {
      this.draw(e);
      const p = this.panels.get(e.id);
      if (p) this.body.appendChild(p.root); // keep key, then run order
    }
    const empty = this.body.querySelector(":scope > .wbnb-empty");
    if (!this.matrices.entries.size && !empty) h("div", "wbnb-empty", "No confusion matrices logged yet.", this.body);
    else if (this.matrices.entries.size) empty?.remove();
  }

  /** The step the viewer chose for `e`, else its newest. */
  private chosenStep(e: Entry): number {
    const s = this.model.get("steps_shown")[String(e.id)];
    return typeof s === "number" && e.steps.includes(s) ? s : e.steps[e.steps.length - 1];
  }

  private draw(e: Entry): void {
    if (this.disposed || !e.steps.length) return;
    this.stats.draws++;
    const step = this.chosenStep(e);
    const p = this.panels.get(e.id) ?? this.panel(e);
    const drawn = p.show({
      entry: e,
      runName: this.matrices.runs[e.run]?.name ?? "",
      step,
      mode: this.model.get("normalize"),
      size: this.model.get("size"),
      room: this.room,
    });
    if (!drawn) this.fetch(e, step);
  }

  private panel(e: Entry): MatrixPanel {
    const p = new MatrixPanel(this.body, e, this.measure, (i) => {
      const shown = { ...this.model.get("steps_shown") };
      if (i >= e.steps.length - 1) delete shown[String(e.id)]; // the end follows new steps
      else shown[String(e.id)] = e.steps[i];
      this.save("steps_shown", shown);
      this.draw(e);
    });
    this.panels.set(e.id, p);
    return p;
  }

  /** Ask the kernel for a matrix the page does not have (once until it answers). */
  private fetch(e: Entry, step: number): void {
    const ask = `${e.id}|${step}`;
    if (this.asked.has(ask)) return;
    this.asked.add(ask);
    this.stats.fetches++;
    const msg: FetchMatrix = { type: "fetch", req: ++this.req, id: e.id, step };
    this.model.send(msg);
  }
}
