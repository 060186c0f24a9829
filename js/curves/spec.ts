// The spec a key's chart is drawn from. Python sends one Vega-Lite template for every key
// (the _spec trait, wbnb/widgets/curves/template.py; KEY_PLACEHOLDER stands for the key)
// and the user's own charts (_custom); here the viewer's choices go in (x-axis, log
// scale, the raw layer only while smoothing), and each distinct spec is compiled to Vega
// once (per x-axis / log-scale choice: charts of one template differ only in their title).
import { remembered, type Origin } from "../lib/speccache";
import type { VegaBundle } from "../lib/vega";
import { KEY_PLACEHOLDER, POINTS, RAW_LAYER } from "./contract";
import type { XField } from "./xaxis";

/** A JSON object (a spec or a part of one). */
export type Json = Record<string, unknown>;

export function isJson(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** What the viewer chose, as a spec takes it. */
export interface Choices {
  x: XField;
  xTitle: string;
  log: boolean;
  smoothing: boolean;
  /** The chart's total width is the view's width (set to its box's): the plot fits in it. */
  fit: boolean;
}

const X_FIELDS: ReadonlySet<unknown> = new Set<XField>(["s", "t", "r", "m"]);

/** The Vega-Lite of a chart: `source` (the template or the user's spec) with the
 * viewer's choices; the key placeholder is still in (see `compile`). */
export function vegaLiteSpec(source: Json, choices: Choices): Json {
  const spec = structuredClone(source);
  const walk = (node: unknown): void => {
    if (!isJson(node)) return;
    const enc = node.encoding;
    if (isJson(enc) && isJson(enc.x) && X_FIELDS.has(enc.x.field)) {
      enc.x.field = choices.x;
      enc.x.type = choices.x === "t" ? "temporal" : "quantitative";
      enc.x.title = choices.xTitle;
    }
    if (isJson(enc) && isJson(enc.y) && choices.log) {
      enc.y.scale = { ...(isJson(enc.y.scale) ? enc.y.scale : {}), type: "log", zero: false };
      // A value <= 0 has no place on a log scale: in the domain it would leave no chart
      // at all (an accuracy that starts at 0). Left out, as the saved picture does.
      if (enc.y.field) node.transform = [...list(node.transform), { filter: { field: enc.y.field, gt: 0 } }];
    }
    for (const child of list(node.layer)) walk(child);
  };
  walk(spec);
  // The faint raw-values layer only while smoothing: drawn at opacity 0 it cost as much
  // as the visible line. Crossing zero on the slider makes the views anew.
  if (!choices.smoothing && Array.isArray(spec.layer)) {
    spec.layer = spec.layer.filter((layer: unknown) => !isJson(layer) || layer.name !== RAW_LAYER);
  }
  // The template does not clip (cheaper); a log scale can send values <= 0 off the chart.
  if (choices.log) {
    for (const layer of Array.isArray(spec.layer) ? spec.layer : [spec]) {
      if (isJson(layer) && layer.mark) layer.mark = clipped(layer.mark);
    }
  }
  spec.data = { name: POINTS };
  if (choices.fit && spec.autosize === undefined) spec.autosize = { type: "fit-x", contains: "padding" };
  // No ARIA descriptions: the canvas renderer never shows them, and the per-point
  // description strings (number formatting) were most of the cost of an update.
  const config = isJson(spec.config) ? spec.config : {};
  if (config.aria === undefined) spec.config = { ...config, aria: false };
  return spec;
}

function clipped(mark: unknown): unknown {
  return typeof mark === "string" ? { type: mark, clip: true } : isJson(mark) ? { clip: true, ...mark } : mark;
}

/** The signal a compiled template's axis titles read the key from. */
export const KEY_SIGNAL = "__wbnb_key";

/** A chart template compiled to Vega: plain JSON, so lib/speccache.ts can store it. */
export interface Compiled {
  json: string;
  /** The key is only in axis titles, bound to KEY_SIGNAL: one spec object serves every
   * key, and vega-embed parses it once (js/vega/parsed.ts). */
  keySignal: boolean;
}

/** The part of Vega-Lite used here. */
interface VegaLite {
  compile(spec: Json): { spec: Json };
}

/** Vega-Lite -> Vega, once per distinct spec and bundles (ten keys of one template compile
 * once; see lib/speccache.ts for where it is kept). */
export function compile(bundle: VegaBundle, vlSpec: Json): Promise<[Compiled, Origin]> {
  return remembered(bundle.version, JSON.stringify(vlSpec), async () => {
    const vegaLite: VegaLite = await bundle.lite();
    return compileNow(vegaLite, vlSpec);
  });
}

function compileNow(vegaLite: VegaLite, vlSpec: Json): Compiled {
  const spec = vegaLite.compile(vlSpec).spec;
  const json = JSON.stringify(spec);
  const uses = json.split(JSON.stringify(KEY_PLACEHOLDER)).length - 1;
  let titles = 0;
  const walk = (node: Json): void => {
    for (const axis of list(node.axes)) {
      if (isJson(axis) && axis.title === KEY_PLACEHOLDER) {
        axis.title = { signal: KEY_SIGNAL };
        titles++;
      }
    }
    for (const mark of list(node.marks)) if (isJson(mark)) walk(mark);
  };
  walk(spec);
  if (titles !== uses) return { json, keySignal: false };
  spec.signals = [...list(spec.signals), { name: KEY_SIGNAL, value: "" }];
  return { json: JSON.stringify(spec), keySignal: true };
}

/** The Vega spec of `compiled` for `key`: for a key-signal template the same object for
 * every key (parsed once, kept in `parsed`); otherwise the key replaces the string values
 * equal to the placeholder: as data, never markup or an expression. */
export function specObject(compiled: Compiled, key: string, parsed: Map<string, object>): object {
  if (!compiled.keySignal) {
    const spec: object = JSON.parse(compiled.json, (_k, v) => (v === KEY_PLACEHOLDER ? key : v));
    return spec;
  }
  let spec = parsed.get(compiled.json);
  if (!spec) {
    const fresh: object = JSON.parse(compiled.json);
    parsed.set(compiled.json, (spec = fresh));
  }
  return spec;
}
