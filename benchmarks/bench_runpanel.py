"""RunPanel figures (issue 18 item 4). Prints; asserts nothing.

    python benchmarks/bench_runpanel.py [--steps 500] [--reps 3]

One finished run logs 50 scalars (in train/, val/ and no section) for ``--steps`` steps,
5 tables, 5 ``plot.*`` charts (roc, pr, line, scatter, bar), images and 3 media keys
(audio, video, html). Printed: the panel's cells per component (a component not on this
branch draws nothing yet: ``widgets/kinds.py`` skips it), building ``RunPanel``, its first
draw in headless Chromium at 1400 px (the built bundles, the stand-in model of
tests/widgets: mount -> the panel's ``ready`` -> every chart in view drawn), and the saved
notebook's widget state per extra panel. Targets: first draw <= 1 s, <= 100 KB per panel.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))
QUIET = {"silent": True, "system_interval": 0, "console": False, "live_panel": False}

# Mount the panel; ms until the views of the cells in view are ready, then until their charts have drawn.
FIRST_DRAW = """async ([id, url]) => {
    const t0 = performance.now();
    await window.wbnb.mount(id, url);
    await document.querySelector('.wbnb-dashboard').__wbnb.settled();  // the cells in view mounted
    const ready = performance.now() - t0;
    await new Promise((resolve) => {
      const check = () => {
        const charts = [...document.querySelectorAll('.wbnb-dashboard .wbnb-curves')]
          .flatMap(el => el.__wbnb ? [...el.__wbnb.charts.values()] : []);
        if (charts.filter(c => !c.away).every(c => c.view)) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    return [ready, performance.now() - t0];
}"""


def log_run(steps: int, scalars: int = 50) -> Any:
    import numpy as np

    import wbnb

    run = wbnb.init(project="bench", name="panel", settings=QUIET, reinit="create_new")
    sections = ("train", "val", "")
    keys = [f"{sections[j % 3]}/m{j}".lstrip("/") for j in range(scalars)]
    for i in range(steps):
        run.log({k: float(np.sin(i / 50 + j)) for j, k in enumerate(keys)})
    rng = np.random.default_rng(0)
    table = wbnb.Table(columns=["x", "y", "label"], data=[[i, float(rng.random()), f"c{i % 3}"] for i in range(50)])
    y = rng.integers(0, 2, 100)
    probs = np.stack([1 - rng.random(100), rng.random(100)], axis=1)
    run.log(
        {
            **{f"tables/t{j}": table for j in range(5)},
            "charts/roc": wbnb.plot.roc_curve(y, probs),
            "charts/pr": wbnb.plot.pr_curve(y, probs),
            "charts/line": wbnb.plot.line(table, "x", "y"),
            "charts/scatter": wbnb.plot.scatter(table, "x", "y"),
            "charts/bar": wbnb.plot.bar(table, "label", "y"),
            "media/audio": wbnb.Audio(np.sin(np.arange(8000) / 10).astype(np.float32), sample_rate=8000),
            "media/video": wbnb.Video(rng.integers(0, 255, (4, 3, 16, 16), dtype=np.uint8), fps=4),
            "media/html": wbnb.Html("<p>hello</p>"),
            "samples": [wbnb.Image(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8))],
        }
    )
    run.finish(quiet=True)
    return run


def saved_size(panel: Any) -> int:
    from ipywidgets.embed import dependency_state, embed_data

    data = embed_data(views=[panel], state=dependency_state([panel], drop_defaults=True))
    return len(json.dumps(data["manager_state"]))


def cells(panel: Any) -> int:
    return sum(len(s["cells"]) for s in panel.sections)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()

    import harness  # tests/widgets/harness.py
    from playwright.sync_api import sync_playwright

    from wbnb.widgets import RunPanel
    from wbnb.widgets.kinds import KINDS, component

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cpus)")
    os.environ["WBNB_DIR"] = tempfile.mkdtemp(prefix="wbnb-bench-panel-")
    run = log_run(args.steps)
    missing = sorted({KINDS[k] for k in KINDS if component(k) is None})
    t = time.perf_counter()
    panel = RunPanel(f"bench/{run.id}", live=False)
    build_s = time.perf_counter() - t
    per_view = Counter(c["view"] for s in panel.sections for c in s["cells"])
    print(f"RunPanel of a run with 50 scalars x {args.steps} steps, 5 tables, 5 charts, 3 media, images:")
    print(f"  built in {build_s:.2f} s; {cells(panel)} panels in {len(panel.sections)} sections: {dict(per_view)}")
    if missing:
        print(f"  not on this branch (their keys get no panel yet): {', '.join(missing)}")

    site = harness._site(tempfile.mkdtemp(prefix="wbnb-bench-site-"))
    base, server = harness.serve(site)
    readies, draws = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        for _ in range(args.reps):  # a fresh page each time: every notebook opening pays it
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            h = harness.Harness(page, base)
            page.evaluate("() => { document.body.style.width = '1400px'; }")
            for ref in harness._referenced(panel):
                h.add_model(ref)
            h.add_model(panel)
            ready, drawn = page.evaluate(FIRST_DRAW, [panel.model_id, f"{base}/panel.js"])
            readies.append(ready)
            draws.append(drawn)
            page.close()
        browser.close()
    server.shutdown()
    print(
        f"  first draw in Chromium at 1400 px, {args.reps} fresh pages (incl. loading vega): views ready "
        f"median {statistics.median(readies):.0f} ms, charts in view drawn median {statistics.median(draws):.0f} ms "
        f"(target <= 1000 ms)"
    )

    base_size = saved_size(panel)
    small = log_run(args.steps, scalars=5)
    small_panel = RunPanel(f"bench/{small.id}", live=False)
    small_size = saved_size(small_panel)
    per_panel = (base_size - small_size) / (cells(panel) - cells(small_panel))
    print(
        f"  saved widget state: {cells(small_panel)} panels {small_size / 1e6:.2f} MB, {cells(panel)} panels "
        f"{base_size / 1e6:.2f} MB: {per_panel / 1e3:.1f} kB per extra panel (target <= 100 KB)"
    )


if __name__ == "__main__":
    main()
