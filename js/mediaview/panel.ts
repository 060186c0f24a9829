// One key's panel: its name, a step slider over the steps any run logged it at, and each
// run's media at the step it shows (steps.ts), runs side by side under their names.
import type { RunInfo } from "../lib/contract";
import { h } from "../lib/dom";
import type { Cell } from "./cells";
import type { MediaSeries } from "./contract";
import { stepShown, unionSteps } from "./steps";

/** Where a panel gets the cell of a medium (kept by the view across redraws). */
export type CellFor = (s: MediaSeries, step: number, index: number) => Cell;

export class KeyPanel {
  readonly root: HTMLDivElement;
  private readonly slider: HTMLInputElement;
  private readonly stepText: HTMLSpanElement;
  private readonly runsBox: HTMLDivElement;
  private readonly blocks = new Map<number, { root: HTMLDivElement; note: HTMLSpanElement; items: HTMLDivElement; shown: string }>();
  private steps: number[] = [];

  /** ``pick`` gets the step the viewer chose (-1: the slider's end, the newest). */
  constructor(parent: HTMLElement, readonly key: string, pick: (step: number) => void) {
    this.root = h("div", "wbnb-panel wbnb-key", undefined, parent);
    this.root.dataset.key = key;
    h("div", "wbnb-head", key, this.root);
    const bar = h("label", "wbnb-steps", "step", this.root);
    this.slider = h("input", "wbnb-step-slider", undefined, bar);
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.step = "1";
    this.stepText = h("span", "wbnb-step-label", "", bar);
    this.runsBox = h("div", "wbnb-runs", undefined, this.root);
    this.slider.addEventListener("input", () => {
      const i = Number(this.slider.value);
      pick(i >= this.steps.length - 1 ? -1 : this.steps[i]);
    });
  }

  /** Draw ``series`` (this key's, in run order) at the ``chosen`` step; cells come from
   * ``cellFor``. A run whose cells did not change keeps its elements (a playing sound plays on). */
  show(runs: RunInfo[], series: MediaSeries[], chosen: number, cellFor: CellFor): void {
    this.steps = unionSteps(series.map((s) => s.steps));
    const at = chosen < 0 ? this.steps.length - 1 : this.steps.findIndex((s) => s >= chosen);
    const i = Math.max(0, at < 0 ? this.steps.length - 1 : at);
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    this.slider.value = String(i);
    this.slider.disabled = this.steps.length < 2;
    const latest = chosen < 0 ? " (latest)" : "";
    this.stepText.textContent = this.steps.length ? `${this.steps[i]}${latest} · ${i + 1}/${this.steps.length}` : "";
    const ids = new Set(series.map((s) => s.id));
    for (const [id, b] of this.blocks) if (!ids.has(id)) (b.root.remove(), this.blocks.delete(id));
    for (const s of series) {
      const b = this.blocks.get(s.id) ?? this.block(s, runs[s.run]?.name ?? "");
      this.runsBox.appendChild(b.root); // run order
      const shown = stepShown(s.steps, chosen);
      b.note.textContent = shown.note;
      const step = shown.step;
      const count = step === null ? 0 : (s.counts[s.steps.indexOf(step)] ?? 0);
      const cells = Array.from({ length: count }, (_, j) => cellFor(s, step ?? 0, j));
      const sig = cells.map((c) => c.root.dataset.cell).join(",");
      if (sig !== b.shown) {
        b.items.replaceChildren(...cells.map((c) => c.root));
        b.shown = sig;
      }
    }
  }

  private block(s: MediaSeries, name: string) {
    const root = h("div", "wbnb-run", undefined, this.runsBox);
    root.dataset.run = String(s.run);
    const title = h("div", "wbnb-run-title", name, root);
    const note = h("span", "wbnb-note", "", title);
    const b = { root, note, items: h("div", "wbnb-items", undefined, root), shown: "" };
    this.blocks.set(s.id, b);
    return b;
  }
}
