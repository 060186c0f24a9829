// One key's chart: its head, step slider, the Vega chart (a Vega-Lite spec written by the
// kernel, wbnb/widgets/charts/specs.py, compiled here and fed its rows), a note, and for a
// custom chart of an unknown spec its note and first rows. Every user string is text.
import { h } from "../lib/dom";
import type { EmbedResult, VegaBundle } from "../lib/vega";
import { type ChartState, type CustomTable, TABLE } from "./contract";

// vega-embed's menu offers the PNG / SVG export only (no "View Source": user text as markup).
const ACTIONS = { export: { png: true, svg: true }, source: false, compiled: false, editor: false };

type Row = Record<string, unknown>;

/** The rows of a chart's ``data`` columns, the coded ones' texts put back. */
export function rows(state: ChartState): Row[] {
  const data = state.data;
  const names = Object.keys(data);
  const n = names.length ? Math.max(...names.map((k) => data[k].length)) : 0;
  const out: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Row = {};
    for (const k of names) {
      const texts = state.codes[k];
      const v = data[k][i];
      row[k] = texts && typeof v === "number" ? texts[v] : v;
    }
    out[i] = row;
  }
  return out;
}

interface VegaLite {
  compile(spec: unknown): { spec: { data?: { name: string; values?: unknown }[]; width?: number } };
}

export class ChartPanel {
  readonly root: HTMLElement;
  readonly slider: HTMLInputElement;
  /** The vega view on screen, if any. */
  view?: EmbedResult["view"];
  /** The chart state drawn (or being drawn). */
  shown?: ChartState;
  embeds = 0;
  private readonly head: HTMLElement;
  private readonly steps: HTMLElement;
  private readonly stepText: HTMLElement;
  private readonly box: HTMLElement;
  private readonly note: HTMLElement;
  private embedded?: EmbedResult;
  private readonly resize: ResizeObserver;
  private width = 0;

  constructor(
    parent: HTMLElement,
    readonly key: string,
    pick: (index: number) => void,
  ) {
    this.root = h("div", "wbnb-panel", undefined, parent);
    this.root.dataset.key = key;
    this.head = h("div", "wbnb-head", key, this.root);
    this.head.title = key;
    this.steps = h("div", "wbnb-steps", undefined, this.root);
    this.slider = h("input", undefined, undefined, this.steps);
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.addEventListener("input", () => pick(Number(this.slider.value)));
    this.stepText = h("span", "wbnb-step", undefined, this.steps);
    this.box = h("div", "wbnb-vega", undefined, this.root);
    this.note = h("div", "wbnb-note", undefined, this.root);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.root);
  }

  /** Show the slider at ``step`` of ``steps``. */
  setSteps(steps: number[], step: number): void {
    this.steps.style.display = steps.length > 1 ? "" : "none";
    this.slider.max = String(Math.max(0, steps.length - 1));
    const i = steps.indexOf(step);
    this.slider.value = String(i < 0 ? steps.length - 1 : i);
    this.stepText.textContent = `step ${step} (${i + 1}/${steps.length})`;
  }

  /** Draw ``state`` (its chart or custom table, note) with the slider over ``steps``. */
  async show(state: ChartState, steps: number[], bundle: VegaBundle): Promise<void> {
    this.setSteps(steps, state.step);
    if (this.shown === state) return;
    this.shown = state;
    this.note.textContent = state.note;
    this.head.style.display = state.title === this.key ? "none" : ""; // the chart's title is the key then
    if (state.kind === "custom") {
      this.drop();
      this.box.replaceChildren(...state.custom.map(customTable));
      return;
    }
    const vegaLite: VegaLite = await bundle.lite();
    if (this.shown !== state) return; // a newer one came meanwhile
    const spec = vegaLite.compile(state.spec).spec;
    for (const d of spec.data ?? []) if (d.name === TABLE) d.values = rows(state);
    if (this.width > 0) spec.width = this.width;
    const holder = h("div");
    const made: EmbedResult = await bundle.embed(holder, spec, {
      mode: "vega",
      renderer: "svg",
      logLevel: bundle.vega.Error,
      actions: ACTIONS,
      downloadFileName: this.key.replace(/[^\w.-]+/g, "_") || "chart",
    });
    if (this.shown !== state) {
      made.finalize();
      return;
    }
    this.drop();
    this.box.replaceChildren(holder);
    this.embedded = made;
    this.view = made.view;
    this.embeds++;
    this.fit();
  }

  /** Say in the panel that the chart cannot be drawn. */
  failed(err: unknown): void {
    this.drop();
    this.box.textContent = `Cannot draw this chart: ${err instanceof Error ? err.message : String(err)}`;
  }

  destroy(): void {
    this.shown = undefined; // an embedding under way finalizes its view when it lands
    this.resize.disconnect();
    this.drop();
    this.root.remove();
  }

  /** The chart takes the panel's width. */
  private fit(): void {
    const w = Math.floor(this.root.clientWidth - 14);
    if (w <= 0 || w === this.width) return;
    this.width = w;
    this.view?.width(w).runAsync();
  }

  private drop(): void {
    this.embedded?.finalize();
    this.embedded = this.view = undefined;
  }
}

/** A custom chart's run: the spec it names, its fields, and the table's first rows. */
function customTable(t: CustomTable): HTMLElement {
  const box = h("div", "wbnb-custom");
  const fields = Object.entries(t.fields).map(([k, v]) => `${k} → ${String(v)}`).join(", ");
  h("div", undefined, `${t.run}: custom chart “${t.spec_name}” is not drawn here (wbnb draws wandb's preset specs)`, box);
  h("div", "wbnb-note", `fields: ${fields || "none"}; ${t.total} rows${t.total > t.rows.length ? `, the first ${t.rows.length} shown` : ""}`, box);
  const table = h("table", undefined, undefined, box);
  const head = h("tr", undefined, undefined, h("thead", undefined, undefined, table));
  for (const c of t.columns) h("th", undefined, c, head);
  const body = h("tbody", undefined, undefined, table);
  for (const r of t.rows) {
    const tr = h("tr", undefined, undefined, body);
    for (const v of r) h("td", undefined, String(v), tr);
  }
  return box;
}
