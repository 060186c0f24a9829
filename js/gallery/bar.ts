// The Gallery's bar of controls: key, step slider, thumbnail size, columns, pager and the
// runs shown. It draws a layout (layout.ts) and says what the viewer picked; the view
// turns that into the model's traits.
import type { RunInfo } from "../lib/contract";
import { h } from "../lib/dom";
import type { GalleryLayout } from "./contract";

/** What the viewer picked in the bar. */
export interface BarChoices {
  key(key: string): void;
  /** A step of the slider; -1 at its end, which follows new steps. */
  step(step: number): void;
  size(px: number): void;
  columns(n: number): void;
  /** The page before (-1) or after (+1). */
  turn(by: number): void;
  /** The run numbers shown; empty: all. */
  runs(shown: number[]): void;
}

const MAX_COLUMNS = 16;

/** The bar above the images; ``draw`` shows a layout, ``picked`` hears the viewer. */
export class GalleryBar {
  private readonly keySelect: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly stepText: HTMLSpanElement;
  private readonly sizeSlider: HTMLInputElement;
  private readonly colsInput: HTMLInputElement;
  private readonly pager: HTMLSpanElement;
  private readonly pageText: HTMLSpanElement;
  private readonly runBox: HTMLSpanElement;
  private runCount = -1;
  private runBoxes: HTMLInputElement[] = []; // none for one run
  private steps: number[] = [];

  /** ``pickKey``: offer the keys in a picker (not for a view of one key). */
  constructor(parent: HTMLElement, picked: BarChoices, pickKey = true) {
    const bar = h("div", "wbnb-bar", undefined, parent);
    const keyLabel = h("label", undefined, "key", bar);
    this.keySelect = h("select", "wbnb-key", undefined, keyLabel);
    if (!pickKey) keyLabel.style.display = "none";
    const stepLabel = h("label", undefined, "step", bar);
    this.slider = input(stepLabel, "range", { min: "0", step: "1" }, "wbnb-step-slider");
    this.stepText = h("span", "wbnb-step-label", "", stepLabel);
    const sizeLabel = h("label", undefined, "size", bar);
    this.sizeSlider = input(sizeLabel, "range", { min: "48", max: "512", step: "8" }, "wbnb-size");
    const colsLabel = h("label", undefined, "columns", bar);
    this.colsInput = input(colsLabel, "number", { min: "1", max: String(MAX_COLUMNS) }, "wbnb-columns");
    this.colsInput.style.width = "3.5em";
    this.pager = h("span", "wbnb-pager", undefined, bar);
    const prev = h("button", undefined, "‹", this.pager);
    this.pageText = h("span", "wbnb-page", "", this.pager);
    const next = h("button", undefined, "›", this.pager);
    this.runBox = h("span", "wbnb-runs", undefined, bar);

    this.keySelect.addEventListener("change", () => picked.key(this.keySelect.value));
    this.slider.addEventListener("input", () => {
      const i = Number(this.slider.value);
      picked.step(i >= this.steps.length - 1 ? -1 : this.steps[i]);
    });
    this.sizeSlider.addEventListener("input", () => picked.size(Number(this.sizeSlider.value)));
    this.colsInput.addEventListener("change", () =>
      picked.columns(Math.max(1, Math.min(MAX_COLUMNS, Number(this.colsInput.value) || 1))),
    );
    prev.addEventListener("click", () => picked.turn(-1));
    next.addEventListener("click", () => picked.turn(1));
    this.runBox.addEventListener("change", () => {
      const on = this.runBoxes.flatMap((box, r) => (box.checked ? [r] : []));
      picked.runs(on.length === this.runBoxes.length ? [] : on);
    });
  }

  /** Show ``page``'s choices; ``following``: the step trait is -1 (the newest). */
  draw(page: GalleryLayout, runs: RunInfo[], shownRuns: number[], following: boolean): void {
    const { keys, steps } = page;
    if ([...this.keySelect.options].map((o) => o.value).join("\n") !== keys.join("\n")) {
      this.keySelect.replaceChildren();
      for (const k of keys) h("option", undefined, k, this.keySelect).value = k;
    }
    this.keySelect.value = page.key;
    this.steps = steps;
    this.slider.max = String(Math.max(0, steps.length - 1));
    const at = steps.findIndex((s) => s >= page.step);
    const i = Math.max(0, at < 0 ? steps.length - 1 : at);
    this.slider.value = String(i);
    this.slider.disabled = steps.length < 2;
    const latest = following ? " (latest)" : "";
    this.stepText.textContent = steps.length ? `${steps[i]}${latest}  ·  ${i + 1}/${steps.length}` : "";
    this.sizeSlider.value = String(page.size);
    this.colsInput.value = String(page.columns);
    this.pager.style.display = page.pages > 1 ? "" : "none";
    this.pageText.textContent = ` page ${page.page + 1}/${page.pages} `;
    if (this.runCount !== runs.length) this.drawRuns(runs);
    this.runBoxes.forEach((box, r) => (box.checked = !shownRuns.length || shownRuns.includes(r)));
  }

  /** A box per run, when there are several. */
  private drawRuns(runs: RunInfo[]): void {
    this.runCount = runs.length;
    this.runBox.replaceChildren();
    this.runBoxes = runs.length < 2 ? [] : runs.map((run) => {
      const label = h("label", "wbnb-run-choice", undefined, this.runBox);
      const box = input(label, "checkbox", {});
      label.appendChild(document.createTextNode(run.name));
      return box;
    });
  }
}

function input(parent: HTMLElement, type: string, attrs: Record<string, string>, cls?: string): HTMLInputElement {
  const el = h("input", cls, undefined, parent);
  el.type = type;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}
