"""PlotlyView and Object3DView figures (issue 18 item 3). Prints; asserts nothing.

    python benchmarks/bench_plotly3d.py [--points 1000000] [--reps 20]

The bundle sizes; answering the page's fetch of a ``--points`` cloud (read the .npy, thin
to 100k, the float32 reply); in headless Chromium (the built bundles, the stand-in model
of tests/widgets): one repaint of a 100k-point cloud as a drag makes it (median of
``--reps``), and a PlotlyView from mounted to its figure drawn (the fetch answered at once),
for the first of a page (plotly.js imported from its loader's source) and for a second one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAINT = """([reps]) => {
  const c = document.querySelector('.wbnb-object3d').__wbnb.clouds.get(0);
  const out = [];
  for (let i = 0; i < reps; i++) {
    c.yaw += 0.05;
    const t = performance.now();
    c.paint();
    out.push(performance.now() - t);
  }
  return out;
}"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    os.environ.update(WBNB_DIR=tempfile.mkdtemp(), WBNB_SILENT="1", WBNB_SYSTEM_INTERVAL="0", WBNB_CONSOLE="0")
    import plotly.graph_objects as go
    from playwright.sync_api import sync_playwright

    import wbnb
    from tests.widgets.harness import CHROMIUM, CHROMIUM_ARGS, STATIC, Harness, _site, record, serve
    from wbnb.widgets import Object3DView, PlotlyView

    for name in ("plotlyjs", "plotly", "object3d"):
        print(f"bundle {name}.js: {(STATIC / f'{name}.js').stat().st_size / 1024:.1f} KiB")
    run = wbnb.init(project="bench", name="p3d")
    rng = np.random.default_rng(0)
    run.log(
        {
            "cloud": wbnb.Object3D(rng.normal(size=(args.points, 3))),
            "small": wbnb.Object3D(rng.normal(size=(100_000, 6)) * 50),
        }
    )
    x = np.arange(2000)
    run.log(
        {
            "fig": go.Figure([go.Scatter(x=x, y=np.sin(x / 50 + k), name=f"t{k}") for k in range(5)]),
            "fig2": go.Figure(go.Bar(y=[1, 2, 3])),
        }
    )
    run.finish()
    view = Object3DView(run, keys="cloud", live=False)
    sid = view.objects.entries[(0, "cloud")].id
    times = []
    for _ in range(5):
        t = time.perf_counter()
        reply, buffers = view._answer({"type": "fetch", "req": 1, "id": sid, "step": 0})
        times.append(time.perf_counter() - t)
    print(
        f"fetch of a {args.points}-point cloud -> {reply['shown']} points, {len(buffers[0]) / 1e6:.1f} MB: "
        f"{statistics.median(times) * 1000:.0f} ms (median of 5)"
    )
    base, server = serve(_site(tempfile.mkdtemp()))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        h = Harness(browser.new_page(viewport={"width": 1280, "height": 900}), base)
        w = Object3DView(run, keys="small", live=False)
        comm = record(w)
        h.mount(w, "object3d")
        h.answer(w, comm)
        h.page.wait_for_selector(".wbnb-object3d canvas")
        paints = h.page.evaluate(PAINT, [args.reps])
        h.page.evaluate("() => window.wbnb.cleanup()")  # the figures below are then in view: fetched at once
        print(f"repaint of 100k points (one drag frame): {statistics.median(paints):.1f} ms (median of {args.reps})")
        for key in ("fig", "fig2"):
            pv = PlotlyView(run, keys=key, live=False)
            comm = record(pv)
            for model in (pv._plotly, pv):  # the models' state reaches the page first (the harness's cost)
                h.add_model(model)
            t = time.perf_counter()
            h.page.evaluate("([id, url]) => window.wbnb.mount(id, url)", [pv.model_id, f"{h.base}/plotly.js"])
            h.answer(pv, comm)
            h.page.wait_for_selector(f".wbnb-panel[data-key='{key}'] .js-plotly-plot .main-svg")
            first = "first figure (imports plotly.js)" if key == "fig" else "second figure"
            print(f"plotly {first}: mounted -> drawn {(time.perf_counter() - t) * 1000:.0f} ms (wall, one run)")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
