"""What vega-embed would cost Curves (issue 3 asks for it; ARCHITECTURE says why it is not
used). Prints; asserts nothing.

    python benchmarks/bench_vega_embed.py [--charts 10] [--points 1136] [--reps 5]

Two bundles are built from node_modules with esbuild, vega + vega-lite (the shipped
code, which wbnb splits in two so that Vega-Lite loads only to compile) and the same
with vega-embed, and imported in fresh headless Chromium pages through a
Blob URL, as the widgets do. Then ``--charts`` charts of Curves' own template are drawn
with ``--points`` points each, two ways:

- views: what Curves does, compile the template and parse it once, then one
  ``vega.View`` per chart on the canvas renderer, the key bound to a signal;
- vega-embed: the same compiled Vega spec handed to ``vegaEmbed(el, spec, {mode: "vega",
  renderer: "canvas"})`` per chart (it parses each one and builds its actions menu).

Medians of ``--reps`` fresh pages each, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))

ENTRIES = {
    "combined": 'export * as vega from "vega"; export * as vegaLite from "vega-lite";',
    "with-embed": 'export * as vega from "vega"; export * as vegaLite from "vega-lite"; '
                  'export { default as vegaEmbed } from "vega-embed";',
}

DRAW = """async ([source, spec, mode, charts, points]) => {
  const t0 = performance.now();
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const lib = await import(url);
  const imported = performance.now() - t0;
  const vg = lib.vega;
  const data = [];
  for (let i = 0; i < points; i++) {
    const y = Math.sin(i / 50) + i / points;
    data.push({rid: 'r', run: 'run', b: i, s: i * 880, t: 1.7e12 + i * 1e3, r: i, m: null, y, ys: y, e: 0, n: 0});
  }
  const t1 = performance.now();
  const compiled = lib.vegaLite.compile(spec).spec;
  const json = JSON.stringify(compiled);
  const KEY = '"__wbnb_key__"';
  let runtime;
  if (mode === 'views') {
    const withSignal = JSON.parse(json.split(KEY).join('{"signal": "wbnb_key"}'));
    withSignal.signals = [...(withSignal.signals || []), {name: 'wbnb_key', value: ''}];
    runtime = vg.parse(withSignal);
  }
  const root = document.body;
  const done = [];
  for (let k = 0; k < charts; k++) {
    const el = document.createElement('div');
    root.appendChild(el);
    let view;
    if (mode === 'views') {
      view = new vg.View(runtime, {renderer: 'canvas', logLevel: vg.Error});
      view.signal('wbnb_key', 'metric' + k);
      view.data('points', data.slice());
      view.initialize(el);
    } else {
      const own = JSON.parse(json.split(KEY).join(JSON.stringify('metric' + k)));
      view = (await lib.vegaEmbed(el, own, {mode: 'vega', renderer: 'canvas', tooltip: false,
        actions: {export: true, source: false, compiled: false, editor: false}})).view;
      view.data('points', data.slice());
    }
    done.push(view.runAsync());
  }
  await Promise.all(done);
  await new Promise((r) => requestAnimationFrame(() => r()));
  return [imported, performance.now() - t1];
}"""


def build(out: Path) -> dict[str, str]:
    """name -> minified ESM source of each bundle."""
    sources = {}
    for name, entry in ENTRIES.items():
        dest = out / f"{name}.js"
        # from stdin, resolved against the repository's node_modules (the working directory)
        subprocess.run([str(ROOT / "node_modules" / ".bin" / "esbuild"), "--bundle", "--minify", "--format=esm",
                        f"--outfile={dest}", "--log-level=warning"], input=entry, text=True, check=True, cwd=ROOT)
        sources[name] = dest.read_text()
    return sources


def template() -> dict:
    """Curves' template as the front end compiles it with smoothing off (js/curves specFor)."""
    from wbnb.widgets.curves import KEY_PLACEHOLDER, RAW_LAYER, template_spec

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
    if not (ROOT / "node_modules" / "vega-embed").is_dir():
        sys.exit("node_modules/vega-embed is missing: run `npm install` first")
    import harness
    from playwright.sync_api import sync_playwright

    sources = build(Path(tempfile.mkdtemp(prefix="wbnb-bench-embed-")))
    for name, text in sources.items():
        print(f"bundle {name:10s} {len(text.encode()) / 1024:7.1f} KiB minified")
    spec = template()
    cases = [("views", "combined"), ("vega-embed", "with-embed")]
    got: dict[str, list[list[float]]] = {mode: [] for mode, _ in cases}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        for rep in range(args.reps):
            for mode, bundle in cases if rep % 2 == 0 else cases[::-1]:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                got[mode].append(page.evaluate(DRAW, [sources[bundle], spec, mode, args.charts, args.points]))
                page.close()
        browser.close()
    med = {mode: [statistics.median(r[i] for r in runs) for i in range(2)] for mode, runs in got.items()}
    for mode, (imported, drawn) in med.items():
        print(f"{mode:10s}: bundle imported in {imported:4.0f} ms; {args.charts} charts x {args.points} points "
              f"compiled and drawn in {drawn:4.0f} ms (median of {args.reps} fresh pages)")
    extra = med["vega-embed"][1] - med["views"][1]
    print(f"vega-embed / views: {med['vega-embed'][1] / med['views'][1]:.2f}x the drawing "
          f"(+{extra / args.charts:.1f} ms a chart), {med['vega-embed'][0] / med['views'][0]:.2f}x the import")
    print(json.dumps({"median_ms": med}))


if __name__ == "__main__":
    main()
