// Loads the shared vega bundle (wbnb/static/vega.js) once per page.
// The bundle travels as the `source` of one hidden VegaLoader model that chart widgets
// reference; it is imported through a Blob URL and cached on `window` by its hash, so a
// page with ten charts evaluates it once and a saved notebook stores it once.
import type { RenderProps } from "./anywidget";
import { referencedModel } from "./anywidget";

export interface VegaBundle {
  vega: any;
  vegaLite: any;
}

type Cache = Record<string, Promise<VegaBundle>>;

export async function loadVega(props: RenderProps, trait = "_vega"): Promise<VegaBundle> {
  const loader = await referencedModel(props, trait);
  const version: string = loader.get("version") || "unversioned";
  const w = window as unknown as { __wbnb_vega?: Cache };
  const cache = (w.__wbnb_vega ??= {});
  if (!cache[version]) {
    const url = URL.createObjectURL(new Blob([loader.get("source")], { type: "text/javascript" }));
    cache[version] = import(/* @vite-ignore */ url).finally(() => URL.revokeObjectURL(url)) as Promise<VegaBundle>;
  }
  return cache[version];
}
