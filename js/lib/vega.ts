// Loads the shared vega runtime (wbnb/static/vega.js: vega and vega-embed) once per page, and Vega-Lite
// (wbnb/static/vegalite.js) only when a chart template must be compiled.
// Both travel as state of one hidden VegaLoader model that chart widgets reference
// (`source`, `lite_source`); each is imported through a Blob URL and cached on `window`
// by the loader's content hash, so a page with ten charts evaluates it once and a saved
// notebook stores it once. The loader model starts importing vega itself when the page
// creates it (js/vegaloader/), before any chart asks: the kernel is then still reading
// the chart's history.
import type { AnyModel, Host } from "@anywidget/types";
import { referencedModel } from "./anywidget";
import type { VegaLoaderModel } from "../vegaloader/contract";

export interface VegaBundle {
  vega: any;
  /** vega-embed's `embed(el, spec, options)`. */
  embed: (el: HTMLElement, spec: unknown, options?: Record<string, unknown>) => Promise<EmbedResult>;
  /** Content hash of both bundles: the key of compiled specs (lib/speccache.ts). */
  version: string;
  /** Vega-Lite, imported on first call. */
  lite: () => Promise<any>;
}

/** What vega-embed returns: the view, and how to take it down (its menu's listener too). */
export interface EmbedResult {
  view: any;
  finalize: () => void;
}

type Cache = Record<string, Promise<any>>;

/** The bundle of a chart widget's loader (its trait holding the VegaLoader, resolved on ``model``). */
export async function loadVega(ref: unknown, model: AnyModel, host?: Host): Promise<VegaBundle> {
  // The loader's model is the VegaLoader's (wbnb/widgets/vegaloader/): its traits are VegaLoaderModel.
  return importVega(await referencedModel<VegaLoaderModel>(ref, model, host));
}

/** Import the loader model's vega, once per page and version. */
export async function importVega(loader: AnyModel<VegaLoaderModel>): Promise<VegaBundle> {
  const version: string = loader.get("version") || "unversioned";
  const mod = await importOnce(`${version}/vega`, loader.get("source"));
  const shared = globalThis as unknown as { __wbnb_vega_runtime?: unknown; __wbnb_vegalite?: unknown };
  const lite = async () => {
    // The vegalite bundle reads the vega it builds on from here, and vega-embed the
    // Vega-Lite it compiles with (js/build.mjs).
    shared.__wbnb_vega_runtime = mod.vega;
    const { vegaLite } = await importOnce(`${version}/lite`, loader.get("lite_source"));
    shared.__wbnb_vegalite = vegaLite;
    return vegaLite;
  };
  return { vega: mod.vega, embed: mod.embed, version, lite };
}

/** The module of `source`, imported through a Blob URL once per page and `key` (js/plotly/loader.ts imports plotly.js by it too). */
export function importOnce(key: string, source: string): Promise<any> {
  const w = window as unknown as { __wbnb_vega?: Cache };
  const cache = (w.__wbnb_vega ??= {});
  if (!cache[key]) {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    cache[key] = import(/* @vite-ignore */ url).finally(() => URL.revokeObjectURL(url));
  }
  return cache[key];
}
