"""Widget performance figures (issue 3). Prints; asserts nothing.

    python benchmarks/bench_widgets.py [--steps 1000000] [--series 10]

One run logs ``--series`` scalars for ``--steps`` steps into a fresh store. Then:
Python side: building a Curves widget (reading and downsampling the history), one live
tick (new rows -> delta), and log() cost with the widget listening. Browser side
(headless Chromium, the built bundles, the stand-in model of tests/widgets): the first
draw of all charts, and the time from a delta's arrival to the new points being drawn.
Also the bundle sizes and the saved widget state of ten Curves.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))
QUIET = {"silent": True, "system_interval": 0, "console": False}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--series", type=int, default=10)
    args = ap.parse_args()

    import harness  # tests/widgets/harness.py
    import wbnb
    from wbnb.widgets import Curves
    from wbnb.widgets.loader import STATIC

    print("bundles (minified):")
    for p in sorted(STATIC.glob("*.js")):
        print(f"  {p.name:12s} {p.stat().st_size / 1024:8.1f} KiB")

    tmp = tempfile.mkdtemp(prefix="wbnb-bench-widgets-")
    os.environ["WBNB_DIR"] = tmp
    run = wbnb.init(project="bench", name="bench", settings=QUIET)
    keys = [f"{'train' if j % 2 else 'val'}/m{j}" for j in range(args.series)]
    t = time.perf_counter()
    for i in range(args.steps):
        v = math.sin(i * 1e-3)
        run.log({k: v + j for j, k in enumerate(keys)})
    log_s = time.perf_counter() - t
    print(f"logged {args.steps:,} steps x {args.series} scalars in {log_s:.1f} s "
          f"({log_s / args.steps * 1e6:.2f} us/log, no widget)")

    t = time.perf_counter()
    w = Curves(run, min_interval=3600)  # the benchmark ticks by hand
    build_s = time.perf_counter() - t
    pts = sum(len(s["data"]) // 48 for s in w._snapshot["series"])
    print(f"Curves(run): read + downsample {args.series} x {args.steps:,} points in {build_s:.2f} s "
          f"-> {pts:,} points ({pts // args.series} per series)")

    row = {k: 0.5 for k in keys}
    t = time.perf_counter()
    for _ in range(20_000):
        run.log(row)
    print(f"log() with the widget listening: {(time.perf_counter() - t) / 20_000 * 1e6:.2f} us")
    comm = harness.record(w)
    t = time.perf_counter()
    w._feed.tick()  # those 20k rows -> one delta
    print(f"one live tick (20,000 new rows x {args.series} keys -> delta): {(time.perf_counter() - t) * 1e3:.1f} ms")
    # The page is made from the state as it is now, so it needs a snapshot with that delta
    # in (a page that missed delta n waits for the next snapshot). Then only deltas: the
    # next snapshot is timed on its own below.
    w._feed.snapshot_interval = float("inf")
    w.flush()
    comm.take()

    from playwright.sync_api import sync_playwright

    site = harness._site(tempfile.mkdtemp(prefix="wbnb-bench-site-"))
    base, server = harness.serve(site)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        firsts, milestones = [], []
        page = None
        for _ in range(3):  # a fresh page each time: every notebook opening pays it
            if page is not None:
                page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            h = harness.Harness(page, base)
            for ref in harness._referenced(w):
                h.add_model(ref)
            h.add_model(w)
            # Let the page settle first: the previous page is still being torn down and
            # the 0.8 MB of state just passed in is being collected (that added ~200 ms).
            time.sleep(1.0)
            firsts.append(page.evaluate("""async ([id, url, n]) => {
                const t0 = performance.now();
                await window.wbnb.mount(id, url);
                await new Promise((resolve) => {
                  const check = () => {
                    const el = document.querySelector('.wbnb-curves');
                    const cs = el && el.__wbnb ? [...el.__wbnb.charts.values()] : [];
                    if (cs.length === n && cs.every(c => c.view && c.view.data('points').length > 0)) resolve();
                    else setTimeout(check, 5);
                  };
                  check();
                });
                await new Promise(r => requestAnimationFrame(() => r()));
                return performance.now() - t0;
            }""", [w.model_id, f"{base}/curves.js", args.series]))
            milestones.append(page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.stats"))
        loaded = ", ".join(f"{m.get('vegaLoaded', -1):.0f}" for m in milestones)
        print(f"browser: first draw of {args.series} charts ({pts:,} points, incl. loading vega), 3 fresh pages: "
              f"{', '.join(f'{x:.0f}' for x in firsts)} ms (median {sorted(firsts)[1]:.0f}; vega loaded at "
              f"{loaded} ms)")

        deliver = """async ([id, d, b]) => {
                const dbg = document.querySelector('.wbnb-curves').__wbnb;
                const t0 = performance.now();
                window.wbnb.deliver(id, d, b);
                await new Promise(r => requestAnimationFrame(() => r()));  // deltas apply on the frame
                await dbg.idle();                                          // every chart re-rendered
                await new Promise(r => requestAnimationFrame(() => r()));  // painted
                return performance.now() - t0;
            }"""
        times = []
        for k in range(7):
            for i in range(1000):
                run.log(row)
            assert w._feed.tick() == "delta"
            msgs = comm.take()
            data, buffers = msgs[0]
            times.append(page.evaluate(deliver, [w.model_id, data, harness.b64(buffers)]))
        for i in range(1000):
            run.log(row)
        w.flush()  # the snapshot a live feed sends every few seconds instead of a delta
        (data, buffers), = comm.take()
        snap_ms = page.evaluate(deliver, [w.model_id, data, harness.b64(buffers)])
        same = page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.stats")
        print(f"browser: delta (1,000 new steps x {args.series} series) to drawn, 7 in a row: "
              f"{', '.join(f'{x:.0f}' for x in times)} ms (median {sorted(times)[len(times) // 2]:.0f}); "
              f"a snapshot instead: {snap_ms:.0f} ms "
              f"(embeds {same['embeds']}, changesets {same['changesets']}: no re-embed)")
        browser.close()
    server.shutdown()
    w.stop()
    run.finish()

    from ipywidgets.embed import dependency_state, embed_data

    widgets = [Curves(run, live=False) for _ in range(10)]
    data = embed_data(views=widgets, state=dependency_state(widgets, drop_defaults=True))
    size = len(json.dumps(data["manager_state"]))
    print(f"saved widget state of 10 Curves of this run: {size / 1e6:.2f} MB "
          f"(vega bundle once: {(STATIC / 'vega.js').stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
