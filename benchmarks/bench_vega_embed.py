"""What embedding with vega-embed costs Curves, and what Curves does so that it costs
nothing. Prints; asserts nothing.

    python benchmarks/bench_vega_embed.py [--charts 10] [--points 1136] [--reps 5]

The shipped bundles (wbnb/static/vega.js: vega and vega-embed; vegalite.js) are imported
in fresh headless Chromium pages through Blob URLs, as the widgets do. Then ``--charts``
charts of Curves' own template are drawn with ``--points`` points each, four ways:

- views: the template compiled and parsed once, one ``vega.View`` per chart on the
  canvas renderer, the key bound to a signal, the points in before the first run (what
  Curves did before it used vega-embed);
- views-parse-each: the same, the spec parsed per chart with the key in it;
- vega-embed: ``embed(el, spec, {mode: "vega", renderer: "canvas"})`` per chart, a spec
  with the key in it, the points given to the view it returns (vega-embed parses each
  chart, builds its actions menu and runs the view once on empty data);
- curves: what js/curves/ does: one spec object for every key (bound to a signal, so the
  bundle's vega-embed parses it once: js/vega/parsed.ts), and ``viewClass`` a View that
  takes the key and the points in its constructor, so vega-embed's run is the only one.

Medians of ``--reps`` fresh pages each, and the ratios against views.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))

DRAW = """async ([vegaSource, liteSource, spec, mode, charts, points]) => {
  const load = (source) => import(URL.createObjectURL(new Blob([source], {type: 'text/javascript'})));
  const t0 = performance.now();
  const lib = await load(vegaSource);
  const imported = performance.now() - t0;
  const vg = lib.vega;
  globalThis.__wbnb_vega_runtime = vg;  // what js/lib/vega.ts does before importing Vega-Lite
  const vegaLite = (await load(liteSource)).vegaLite;
  const data = [];
  for (let i = 0; i < points; i++) {
    const y = Math.sin(i / 50) + i / points;
    data.push({rid: 'r', run: 'run', b: i, s: i * 880, t: 1.7e12 + i * 1e3, r: i, m: null, y, ys: y, e: 0, n: 0});
  }
  const t1 = performance.now();
  const compiled = vegaLite.compile(spec).spec;
  const json = JSON.stringify(compiled);
  const KEY = '"__wbnb_key__"';
  const withSignal = JSON.parse(json.split(KEY).join('{"signal": "wbnb_key"}'));
  withSignal.signals = [...(withSignal.signals || []), {name: 'wbnb_key', value: ''}];
  const runtime = mode === 'views' ? vg.parse(withSignal) : null;
  const actions = {export: {png: true, svg: true}, source: false, compiled: false, editor: false};
  const done = [];
  for (let k = 0; k < charts; k++) {
    const el = document.createElement('div');
    document.body.appendChild(el);
    const key = 'metric' + k;
    const own = () => JSON.parse(json.split(KEY).join(JSON.stringify(key)));
    if (mode === 'views' || mode === 'views-parse-each') {
      const view = new vg.View(runtime || vg.parse(own()), {renderer: 'canvas', logLevel: vg.Error});
      if (runtime) view.signal('wbnb_key', key);
      view.data('points', data.slice());
      view.initialize(el);
      done.push(view.runAsync());
    } else if (mode === 'vega-embed') {
      done.push(lib.embed(el, own(), {mode: 'vega', renderer: 'canvas', tooltip: false, actions})
        .then(({view}) => view.data('points', data.slice()).runAsync()));
    } else {
      const rows = data.slice();
      const viewClass = class extends vg.View {
        constructor(rt, o) { super(rt, o); this.signal('wbnb_key', key); this.data('points', rows); }
      };
      done.push(lib.embed(el, withSignal, {mode: 'vega', renderer: 'canvas', tooltip: false, hover: false,
                                           actions, viewClass}));
    }
  }
  await Promise.all(done);
  await new Promise((r) => requestAnimationFrame(() => r()));
  return [imported, performance.now() - t1];
}"""


def template() -> dict:
    """Curves' template as the front end compiles it with smoothing off (js/curves/spec.ts vegaLiteSpec)."""
    from wbnb.widgets.curves.contract import KEY_PLACEHOLDER, RAW_LAYER
    from wbnb.widgets.curves.template import template_spec

    spec = template_spec(KEY_PLACEHOLDER, [("r", "#1f77b4")])
    spec["layer"] = [layer for layer in spec["layer"] if layer.get("name") != RAW_LAYER]
    spec["config"]["aria"] = False
    return spec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--charts", type=int, default=10)
    ap.add_argument("--points", type=int, default=1136)  # what a 1M-step series downsamples to
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    import harness
    from playwright.sync_api import sync_playwright

    from wbnb.widgets.bundles import bundle

    sources = bundle("vega"), bundle("vegalite")
    spec = template()
    cases = ["views", "views-parse-each", "vega-embed", "curves"]
    got: dict[str, list[list[float]]] = {mode: [] for mode in cases}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        for rep in range(args.reps):
            for mode in cases if rep % 2 == 0 else cases[::-1]:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                got[mode].append(page.evaluate(DRAW, [*sources, spec, mode, args.charts, args.points]))
                page.close()
        browser.close()
    imported = statistics.median(r[0] for runs in got.values() for r in runs)
    print(
        f"vega.js ({len(sources[0].encode()) / 1024:.0f} KiB, vega and vega-embed) imported in {imported:.0f} ms "
        f"(median of {len(cases) * args.reps} fresh pages)"
    )
    drawn = {mode: statistics.median(r[1] for r in runs) for mode, runs in got.items()}
    for mode in cases:
        extra = (drawn[mode] - drawn["views"]) / args.charts
        print(
            f"{mode:17s}: {args.charts} charts x {args.points} points compiled and drawn in {drawn[mode]:4.0f} ms "
            f"(median of {args.reps}), {drawn[mode] / drawn['views']:.2f}x views, {extra:+.1f} ms a chart"
        )
    print(json.dumps({"imported_ms": imported, "drawn_ms": drawn}))


if __name__ == "__main__":
    main()
