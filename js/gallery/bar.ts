// The Gallery's bar of controls: key, step slider and pager (`GalleryBar`: a view's own
// in the run panel's cells), then the thumbnail size, the columns and the runs shown
// (`settingsIn`: the model's, which every view of it shares). GalleryBar draws a layout
// (layout.ts) and says what the viewer picked, which the view turns into its choices;
// the settings set the model's traits and follow them.
import type { AnyModel } from "@anywidget/types";
import type { RunInfo } from "../lib/contract";
import { h } from "../lib/dom";
import { outside, type Settings } from "../lib/view";
import { isToPage, type GalleryLayout, type GalleryModel } from "./contract";
import { CSS } from "./style";

/** What the viewer picked in the bar. */
export interface BarChoices {
  key(key: string): void;
  /** A step of the slider; -1 at its end, which follows new steps. */
  step(step: number): void;
  /** The page before (-1) or after (+1). */
  turn(by: number): void;
}

const MAX_COLUMNS = 16;

/** The bar above the images; ``draw`` shows a layout, ``picked`` hears the viewer. */
export class GalleryBar {
  /** The bar: a standalone view adds the model's settings to it (`settingsIn`). */
  readonly el: HTMLElement;
  private readonly keySelect: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly stepText: HTMLSpanElement;
  private readonly pager: HTMLSpanElement;
  private readonly pageText: HTMLSpanElement;
  private steps: number[] = [];

  /** ``pickKey``: offer the keys in a picker (not for a view of one key). */
  constructor(parent: HTMLElement, picked: BarChoices, pickKey = true) {
    const bar = (this.el = h("div", "wbnb-bar", undefined, parent));
    const keyLabel = h("label", undefined, "key", bar);
    this.keySelect = h("select", "wbnb-key", undefined, keyLabel);
    if (!pickKey) keyLabel.style.display = "none";
    const stepLabel = h("label", undefined, "step", bar);
    this.slider = input(stepLabel, "range", { min: "0", step: "1" }, "wbnb-step-slider");
    this.stepText = h("span", "wbnb-step-label", "", stepLabel);
    this.pager = h("span", "wbnb-pager", undefined, bar);
    const prev = h("button", undefined, "‹", this.pager);
    this.pageText = h("span", "wbnb-page", "", this.pager);
    const next = h("button", undefined, "›", this.pager);

    this.keySelect.addEventListener("change", () => picked.key(this.keySelect.value));
    this.slider.addEventListener("input", () => {
      const i = Number(this.slider.value);
      picked.step(i >= this.steps.length - 1 ? -1 : this.steps[i]);
    });
    prev.addEventListener("click", () => picked.turn(-1));
    next.addEventListener("click", () => picked.turn(1));
  }

  /** Show ``page``'s choices; ``following``: the step trait is -1 (the newest). */
  draw(page: GalleryLayout, following: boolean): void {
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
    this.pager.style.display = page.pages > 1 ? "" : "none";
    this.pageText.textContent = ` page ${page.page + 1}/${page.pages} `;
  }
}

/** The settings every view of the model shares, added to `bar`: thumbnail size, columns,
 * masks and boxes shown, and (for several runs) a box per run; they set the model's traits
 * and show their changes. */
export function settingsIn(bar: HTMLElement, model: AnyModel<GalleryModel>): Settings {
  const save = (set: () => void) => {
    set();
    model.save_changes();
  };
  const sizeLabel = h("label", undefined, "size", bar);
  const size = input(sizeLabel, "range", { min: "48", max: "512", step: "8" }, "wbnb-size");
  const colsLabel = h("label", undefined, "columns", bar);
  const cols = input(colsLabel, "number", { min: "1", max: String(MAX_COLUMNS) }, "wbnb-columns");
  cols.style.width = "3.5em";
  const marksLabel = h("label", undefined, undefined, bar);
  const marks = input(marksLabel, "checkbox", {}, "wbnb-marks");
  marksLabel.appendChild(document.createTextNode("masks & boxes"));
  const runBox = h("span", "wbnb-runs", undefined, bar);
  let runBoxes: HTMLInputElement[] = []; // none for one run
  let runNames = "";
  size.addEventListener("input", () => save(() => model.set("size", Number(size.value))));
  cols.addEventListener("change", () =>
    save(() => model.set("columns", Math.max(1, Math.min(MAX_COLUMNS, Number(cols.value) || 1)))),
  );
  marks.addEventListener("change", () => save(() => model.set("marks", marks.checked)));
  // offered once an image has masks or boxes (the snapshot says so, or a delta of a live run)
  let marked = false;
  const onDelta = (msg: unknown) => {
    if (!marked && isToPage(msg) && msg.type === "delta" && msg.marked) {
      marked = true;
      show();
    }
  };
  runBox.addEventListener("change", () => {
    const on = runBoxes.flatMap((box, r) => (box.checked ? [r] : []));
    save(() => model.set("shown_runs", on.length === runBoxes.length ? [] : on));
  });
  const show = () => {
    size.value = String(model.get("size"));
    cols.value = String(Math.max(1, model.get("columns")));
    marks.checked = model.get("marks");
    marked ||= model.get("_snapshot")?.marked === true;
    marksLabel.style.display = marked || !marks.checked ? "" : "none";
    const runs: RunInfo[] = model.get("_snapshot")?.runs ?? [];
    const names = JSON.stringify(runs.map((r) => r.name));
    if (names !== runNames) {
      runNames = names;
      runBox.replaceChildren();
      runBoxes = runs.length < 2 ? [] : runs.map((run) => {
        const label = h("label", "wbnb-run-choice", undefined, runBox);
        const box = input(label, "checkbox", {});
        label.appendChild(document.createTextNode(run.name));
        return box;
      });
    }
    const shown = model.get("shown_runs");
    runBoxes.forEach((box, r) => (box.checked = !shown.length || shown.includes(r)));
  };
  const events = ["change:size", "change:columns", "change:marks", "change:shown_runs", "change:_snapshot"] as const;
  for (const ev of events) model.on(ev, show);
  model.on("msg:custom", onDelta);
  show();
  return {
    destroy: () => {
      for (const ev of events) model.off(ev, show);
      model.off("msg:custom", onDelta);
    },
  };
}

/** The Gallery's settings bar outside a view: the run panel's, once for its compact views. */
export const gallerySettings = outside<GalleryModel>("gallery", CSS, (el, model) =>
  settingsIn(h("div", "wbnb-bar", undefined, el), model),
);

function input(parent: HTMLElement, type: string, attrs: Record<string, string>, cls?: string): HTMLInputElement {
  const el = h("input", cls, undefined, parent);
  el.type = type;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}
