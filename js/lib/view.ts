// The shape of every component's view (js/<name>/view.ts): it draws one model into one
// element. index.ts is only anywidget's adapter over it (`adapter`); outside Jupyter (the
// component tests, tests/widgets/harness.html) the view is mounted directly with a model
// that has anywidget's API.
import type { AnyModel, AnyWidget, Host } from "@anywidget/types";
import { widgetRoot } from "./style";

export interface View {
  /** Settles once the first drawing is on screen (or has failed and says so in the element). */
  readonly ready: Promise<void>;
  /** Stop listening to the model and free what the view holds (charts, timers, URLs). */
  destroy(): void;
}

/** How a container (the run panel's grid) mounts a view: ``keys`` are the only keys it
 * draws (every key of the model when absent), so one model can back a panel per key.
 *
 * Keys given, the view is also compact (`isCompact`): it draws no bar for the settings its
 * model shares with every other view of it (Curves' x-axis, log scale, smoothing and legend,
 * Histograms' view, ConfusionMatrix's normalise, Gallery's size, columns and runs), since
 * the container shows that bar once, built by the component's own `SettingsBar` (the run
 * panel: one per part). What is the view's own (a step slider, a page) stays in it. */
export interface ViewOptions {
  readonly keys?: readonly string[];
}

/** Whether a view mounted with `options` leaves its model's shared settings to its container. */
export function isCompact(options?: ViewOptions): boolean {
  return options?.keys !== undefined;
}

/** A bar of the settings every view of one model shares, bound to the model's traits (it
 * shows their changes, and a viewer's choice sets them: every view redraws). */
export interface Settings {
  /** Stop listening to the model and take the bar away. */
  destroy(): void;
}

/** A component's settings bar in `el`: what its standalone view shows above its drawing, and
 * what a container of its compact views (the run panel) shows once for them all. */
export type SettingsBar<T extends Record<string, any>> = (el: HTMLElement, model: AnyModel<T>) => Settings;

/** `bar` (what component `name`'s view draws in its root) for a container: in a root of
 * its own in `el`, styled by the component's sheet `css` (class `wbnb-settings`). */
export function outside<T extends Record<string, any>>(name: string, css: string, bar: SettingsBar<T>): SettingsBar<T> {
  return (el, model) => {
    const root = widgetRoot(el, name, css);
    root.classList.add("wbnb-settings");
    const made = bar(root, model);
    return {
      destroy() {
        made.destroy();
        root.remove();
      },
    };
  };
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
