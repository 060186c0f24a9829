// Loads the shared vega bundle (wbnb/static/vega.js) once per page.
// The bundle travels as the `source` of one hidden VegaLoader model that chart widgets
// reference; it is imported through a Blob URL and cached on `window` by its hash, so a
// page with ten charts evaluates it once and a saved notebook stores it once. The loader
// model starts the import itself when the page creates it (js/vegaloader/), before any
// chart asks: the kernel is then still reading the chart's history.
import type { ModelLike, RenderProps } from "./anywidget";
import { referencedModel } from "./anywidget";

export interface VegaBundle {
  vega: any;
  vegaLite: any;
}

type Cache = Record<string, Promise<VegaBundle>>;

/** The bundle of the chart widget whose `trait` holds the loader. */
export async function loadVega(props: RenderProps, trait = "_vega"): Promise<VegaBundle> {
  return importVega(await referencedModel(props, trait));
}

/** Import the loader model's bundle, once per page and version. */
export function importVega(loader: ModelLike): Promise<VegaBundle> {
  const version: string = loader.get("version") || "unversioned";
  const w = window as unknown as { __wbnb_vega?: Cache };
  const cache = (w.__wbnb_vega ??= {});
  if (!cache[version]) {
    const url = URL.createObjectURL(new Blob([loader.get("source")], { type: "text/javascript" }));
    cache[version] = import(/* @vite-ignore */ url).finally(() => URL.revokeObjectURL(url)) as Promise<VegaBundle>;
  }
  return cache[version];
}
