// The bar above the charts: the x-axis, the log scale and the smoothing, and the legend
// of the runs. The controls act locally: they set the model's traits (saved with the
// notebook, read by the static picture); nothing waits on the kernel. They are the
// model's, shared by every view of it: the bar follows the traits itself, so a standalone
// view draws one above its charts and a container of compact views (the run panel) one
// for them all (`curvesSettings`).
import type { AnyModel } from "@anywidget/types";
import { choice, h } from "../lib/dom";
import { outside } from "../lib/view";
import { X_AXES, type CurvesModel, type CurvesRun } from "./contract";
import { CSS } from "./style";

const X_AXIS_NAMES: Record<(typeof X_AXES)[number], string> = {
  auto: "step (or step metric)",
  step: "step",
  wall: "wall time",
  relative: "relative time",
};

/** The smoothing weight in the model, clamped to [0, 0.999]. */
export function alphaOf(model: AnyModel<CurvesModel>): number {
  return Math.min(0.999, Math.max(0, Number(model.get("smoothing")) || 0));
}

export class Controls {
  private readonly xSelect: HTMLSelectElement;
  private readonly logBox: HTMLInputElement;
  private readonly slider: HTMLInputElement;
  private readonly smoothValue: HTMLElement;
  private readonly legend: HTMLElement;
  /** The runs the legend shows, as JSON (a snapshot that lists the same keeps it). */
  private shownRuns = "";

  constructor(parent: HTMLElement, private readonly model: AnyModel<CurvesModel>) {
    const bar = h("div", "wbnb-bar", undefined, parent);
    this.legend = h("div", "wbnb-legend", undefined, parent);
    this.xSelect = choice(bar, "x-axis", X_AXES, (axis) => X_AXIS_NAMES[axis], (axis) => {
      model.set("x_axis", axis);
      model.save_changes();
    });
    const logLabel = h("label", undefined, undefined, bar);
    this.logBox = h("input", undefined, undefined, logLabel);
    this.logBox.type = "checkbox";
    logLabel.appendChild(document.createTextNode("log scale"));
    const smoothLabel = h("label", undefined, "smoothing", bar);
    this.slider = h("input", undefined, undefined, smoothLabel);
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.max = "0.99";
    this.slider.step = "0.01";
    this.slider.value = String(model.get("smoothing") || 0);
    this.smoothValue = h("span", undefined, this.slider.value, smoothLabel);
    this.showAxes();
    this.showRuns();

    this.logBox.addEventListener("change", () => {
      model.set("log_y", this.logBox.checked);
      model.save_changes();
    });
    this.slider.addEventListener("input", () => {
      model.set("smoothing", Number(this.slider.value));
      model.save_changes();
    });
    model.on("change:x_axis", this.showAxes);
    model.on("change:log_y", this.showAxes);
    model.on("change:smoothing", this.showSmoothing);
    model.on("change:_snapshot", this.showRuns);
  }

  destroy(): void {
    this.model.off("change:x_axis", this.showAxes);
    this.model.off("change:log_y", this.showAxes);
    this.model.off("change:smoothing", this.showSmoothing);
    this.model.off("change:_snapshot", this.showRuns);
  }

  /** Show the model's x-axis and log-scale choices. */
  private readonly showAxes = (): void => {
    this.xSelect.value = this.model.get("x_axis") || "auto";
    this.logBox.checked = !!this.model.get("log_y");
  };

  /** Show the model's smoothing weight. */
  private readonly showSmoothing = (): void => {
    const a = alphaOf(this.model);
    this.slider.value = String(a);
    this.smoothValue.textContent = a.toFixed(2);
  };

  /** The legend of the snapshot's runs, drawn again only when they changed. */
  private readonly showRuns = (): void => {
    const runs = this.model.get("_snapshot")?.runs ?? [];
    const json = JSON.stringify(runs);
    if (json !== this.shownRuns) this.drawLegend(runs);
    this.shownRuns = json;
  };

  /** One swatch and name per run. */
  private drawLegend(runs: CurvesRun[]): void {
    this.legend.replaceChildren();
    for (const r of runs) {
      const item = h("span", "wbnb-legend-item", undefined, this.legend);
      h("span", "wbnb-swatch", undefined, item).style.background = r.color;
      h("span", "wbnb-run-name", r.name, item);
    }
  }
}

/** Curves' settings bar outside a view: the run panel's, once for every compact Curves
 * view of the model (a System part's too). */
export const curvesSettings = outside<CurvesModel>("curves", CSS, (el, model) => new Controls(el, model));
