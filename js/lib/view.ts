// The shape of every component's view (js/<name>/view.ts): it draws one model into one
// element. index.ts is only anywidget's adapter over it (`adapter`); outside Jupyter (the
// component tests, tests/widgets/harness.html) the view is mounted directly with a model
// that has anywidget's API.
import type { AnyModel, AnyWidget, Host } from "@anywidget/types";

export interface View {
  /** Settles once the first drawing is on screen (or has failed and says so in the element). */
  readonly ready: Promise<void>;
  /** Stop listening to the model and free what the view holds (charts, timers, URLs). */
  destroy(): void;
}

/** How a container (the run panel's grid) mounts a view: ``keys`` are the only keys it
 * draws (every key of the model when absent), so one model can back a panel per key. */
export interface ViewOptions {
  readonly keys?: readonly string[];
}

/** Whether a view mounted with `options` draws `key`. */
export function drawsKey(options?: ViewOptions): (key: string) => boolean {
  if (!options?.keys) return () => true;
  const keys = new Set(options.keys);
  return (key) => keys.has(key);
}

/** A component's view class: ``new XView(el, model, host, options)``. */
export type ViewClass<T extends Record<string, any>> = new (
  el: HTMLElement,
  model: AnyModel<T>,
  host?: Host,
  options?: ViewOptions,
) => View;

/** anywidget's ``render`` over a view class: a view per output, drawn before ``render``
 * settles, destroyed when the host removes the output. */
export function adapter<T extends Record<string, any>>(View: ViewClass<T>): AnyWidget<T> {
  return {
    render({ model, el, host }) {
      const view = new View(el, model, host);
      return view.ready.then(() => () => view.destroy());
    },
  };
}
