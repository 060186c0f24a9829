// The shape of every component's view (js/<name>/view.ts): it draws one model into one
// element. index.ts is only anywidget's adapter over it; outside Jupyter (the component
// tests, tests/widgets/harness.html) the view is mounted directly with a model that has
// anywidget's API.
import type { AnyModel, Host } from "@anywidget/types";

export interface View {
  /** Settles once the first drawing is on screen (or has failed and says so in the element). */
  readonly ready: Promise<void>;
  /** Stop listening to the model and free what the view holds (charts, timers, URLs). */
  destroy(): void;
}

/** A component's view class: ``new XView(el, model, host)``. */
export type ViewClass<T extends Record<string, any>> = new (el: HTMLElement, model: AnyModel<T>, host?: Host) => View;
