"""Widget performance figures (issue 3). Prints; asserts nothing.

    python benchmarks/bench_widgets.py [--steps 1000000] [--series 10] [--reps 5]

One run logs ``--series`` scalars for ``--steps`` steps into a fresh store. Then, while it
is live: building a Curves widget on it (reading and downsampling the history), one live
tick (new rows -> delta), log() cost with the widget listening; in headless Chromium (the
built bundles, the stand-in model of tests/widgets): the first draw of all charts, and
the time from a delta's arrival to the new points being drawn. After ``finish()``:
building a Curves of the finished run, cold (its first read, from the columnar cache
``finish()`` wrote) and warm, against the log-only read path that came before the cache.
Then "display -> painted" end to end in a real JupyterLab (``--jupyter-reps`` notebooks,
each with a kernel of its own, in one browser profile): from the cell calling
``Curves(...)`` to every chart painted, for the first chart widget of a notebook (the
vega bundle travels and loads too) and for a second one on the page. Medians of ``--reps``
repetitions. Also the bundle sizes and the saved widget state of ten Curves.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))
QUIET = {"silent": True, "system_interval": 0, "console": False}

# Mount the Curves view and wait until every chart has drawn its points; ms since mounting.
FIRST_DRAW = """async ([id, url, n]) => {
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
}"""

# Deliver one message and wait until it is drawn; ms.
DELIVER = """async ([id, d, b]) => {
    const dbg = document.querySelector('.wbnb-curves').__wbnb;
    const t0 = performance.now();
    window.wbnb.deliver(id, d, b);
    await new Promise(r => requestAnimationFrame(() => r()));  // deltas apply on the frame
    await dbg.idle();                                          // every chart in view re-rendered
    await new Promise(r => requestAnimationFrame(() => r()));  // painted
    return performance.now() - t0;
}"""


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def ms(xs: list[float]) -> str:
    """``median (all)`` of seconds, in ms."""
    return f"{statistics.median(xs) * 1e3:.0f} ms ({', '.join(f'{x * 1e3:.0f}' for x in xs)})"


@contextlib.contextmanager
def log_reads_only() -> Iterator[None]:
    """The read path before the columnar cache: every read decodes the whole log."""
    from wbnb.store import local

    read = local.read_columns
    local.read_columns = functools.partial(read, cache=False)
    try:
        yield
    finally:
        local.read_columns = read


# Resolves when a .wbnb-curves element that was not on the page at the start has all its
# charts drawn, at the next animation frame (painted): (epoch ms, the view's stats).
WATCH_NEW_CURVES = """([n]) => {
  const seen = new Set(document.querySelectorAll('.wbnb-curves'));
  window.__wbnbWatch = new Promise((resolve, reject) => {
    const limit = Date.now() + 120000;
    const tick = () => {
      if (Date.now() > limit) return reject(new Error('no new Curves drawn within 2 minutes: see the notebook'));
      for (const el of document.querySelectorAll('.wbnb-curves')) {
        if (seen.has(el) || !el.__wbnb) continue;
        const cs = [...el.__wbnb.charts.values()];
        if (cs.length === n && cs.every(c => c.view && c.view.data('points').length > 0)) {
          requestAnimationFrame(() => resolve([Date.now(), el.__wbnb.stats]));
          return;
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}"""

# Each measured cell writes when it began and how long Curves() took (kernel clock = page clock).
DISPLAY_CELL = """t0 = time.time()
w = Curves({ref!r})
build = time.time() - t0
display(w)
with open({out!r}, 'w') as f:
    json.dump([t0, build], f)"""


def jupyter_first_draw(store: Path, run_id: str, series: int, reps: int) -> None:
    """Display -> every chart painted, in JupyterLab: a notebook's first Curves, then a second."""
    import harness
    from playwright.sync_api import sync_playwright

    from tests.e2e.jupyter_server import jupyter_server, open_notebook, run_cell, wait_file, write_notebook

    root = Path(tempfile.mkdtemp(prefix="wbnb-bench-lab-"))
    ref = f"bench/{run_id}"
    results: dict[str, list[tuple[float, float, str]]] = {"first": [], "second": []}
    with jupyter_server(root, {"WBNB_DIR": str(store)}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        profile = browser.new_context(viewport={"width": 1400, "height": 1000})  # one profile: its storage stays
        for k in range(reps):
            name = f"draw{k}.ipynb"
            outs = [f"t-{k}-{which}.json" for which in results]
            write_notebook(
                root / name,
                [
                    "import json, time\nimport wbnb\nfrom wbnb.widgets import Curves\nprint('ready')",
                    *(DISPLAY_CELL.format(ref=ref, out=out) for out in outs),
                ],
            )
            page = profile.new_page()
            open_notebook(page, base, name)
            run_cell(page, "ready")
            for which, out in zip(results, outs):
                page.evaluate(WATCH_NEW_CURVES, [series])
                page.keyboard.press("Shift+Enter")
                drawn_ms, stats = page.evaluate("() => window.__wbnbWatch")
                wait_file(root / out, timeout=120)
                t0, build = json.loads((root / out).read_text())
                origin = ", ".join(f"{n} {o}" for o, n in stats["compiled"].items() if n)
                results[which].append((drawn_ms / 1e3 - t0, build, origin))
            page.close()
            time.sleep(1.0)
        browser.close()
    for which, got in results.items():
        what = (
            "the notebook's first chart widget (the vega bundle sent and loaded)"
            if which == "first"
            else "a second one (vega on the page)"
        )
        print(
            f"JupyterLab, display -> all {series} charts painted, {what}: median {ms([g[0] for g in got])}; "
            f"Curves() in the kernel {ms([g[1] for g in got])}; chart specs by origin: "
            f"{' | '.join(g[2] for g in got)}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--series", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--jupyter-reps", type=int, default=4, help="notebooks opened in JupyterLab (0: skip)")
    args = ap.parse_args()

    import harness  # tests/widgets/harness.py
    from playwright.sync_api import sync_playwright

    import wbnb
    from wbnb.store import colcache
    from wbnb.store.colread import compact
    from wbnb.widgets import Curves
    from wbnb.widgets.bundles import STATIC

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cpus)")
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
    print(
        f"logged {args.steps:,} steps x {args.series} scalars in {log_s:.1f} s "
        f"({log_s / args.steps * 1e6:.2f} us/log, no widget)"
    )

    # -- the run live: the kernel's own run, as a notebook shows it while training ------------
    t = time.perf_counter()
    first = Curves(run, live=False)  # the first read decodes the log and caches all but its last step
    returned_s = time.perf_counter() - t
    deferred = first.loading
    while first.loading:
        time.sleep(0.005)
    loaded_s = time.perf_counter() - t
    Curves.load_budget = None  # from here on a build waits for (and so times) the read, however long
    build_s, w = timed(lambda: Curves(run, min_interval=3600))  # the benchmark ticks by hand
    pts = sum(len(s["data"]) // 48 for s in w._snapshot["series"])
    how = (
        f"returned after {returned_s:.2f} s showing 'loading' (Curves.load_budget), the history in after "
        f"{loaded_s:.2f} s"
        if deferred
        else f"{returned_s:.2f} s"
    )
    print(
        f"Curves(run), run live, log never cached: {how}; the next: {build_s:.2f} s (cache + the rows after "
        f"it) -> {pts:,} points ({pts // args.series} per series)"
    )

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

    site = harness._site(tempfile.mkdtemp(prefix="wbnb-bench-site-"))
    base, server = harness.serve(site)
    url = f"{base}/curves.js"

    def fresh_page(browser: Any) -> tuple[Any, Any]:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        h = harness.Harness(page, base)
        # Let the page settle: the previous one is still being torn down, and its state
        # being collected (that added ~200 ms to a first draw).
        time.sleep(1.0)
        return page, h

    def show(h: Any, widget: Any) -> None:
        for ref in harness._referenced(widget):
            h.add_model(ref)
        h.add_model(widget)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        firsts, milestones = [], []
        for _ in range(3):  # a fresh page each time: every notebook opening pays it
            page, h = fresh_page(browser)
            show(h, w)
            firsts.append(page.evaluate(FIRST_DRAW, [w.model_id, url, args.series]) / 1e3)
            milestones.append(page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.stats"))
            page.close()
        loaded = ", ".join(f"{m.get('vegaLoaded', -1):.0f}" for m in milestones)
        print(
            f"browser: first draw of {args.series} charts ({pts:,} points, incl. loading vega), 3 fresh pages: "
            f"median {ms(firsts)}; vega loaded at {loaded} ms"
        )

        page, h = fresh_page(browser)
        show(h, w)
        page.evaluate(FIRST_DRAW, [w.model_id, url, args.series])
        times = []
        for _ in range(7):
            for _ in range(1000):
                run.log(row)
            assert w._feed.tick() == "delta"
            ((data, buffers),) = comm.take()
            times.append(page.evaluate(DELIVER, [w.model_id, data, harness.b64(buffers)]) / 1e3)
        for _ in range(1000):
            run.log(row)
        w.flush()  # the snapshot a live feed sends every few seconds instead of a delta
        ((data, buffers),) = comm.take()
        snap_ms = page.evaluate(DELIVER, [w.model_id, data, harness.b64(buffers)])
        same = page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.stats")
        in_view = page.evaluate(
            "() => [...document.querySelector('.wbnb-curves').__wbnb.charts.values()].filter(c => !c.away).length"
        )
        print(
            f"browser: delta (1,000 new steps x {args.series} series) to drawn, 7 in a row: median {ms(times)}; "
            f"a snapshot instead: {snap_ms:.0f} ms (embeds {same['embeds']}, changesets {same['changesets']}: "
            f"no re-embed); {in_view} of {args.series} charts in the 1280x900 view (and 200 px around) redraw, "
            "the others when scrolled to"
        )
        page.close()
        w.stop()

        # -- the run finished: what opening it later costs -------------------------------------
        finish_s, _ = timed(run.finish)
        history = Path(tmp) / "projects" / "bench" / run.id / "history.wal"
        cache = colcache.cache_path(history)
        print(
            f"finish(): {finish_s:.2f} s, compacting the logs included (cache {cache.stat().st_size / 1e6:.0f} MB "
            f"for a {history.stat().st_size / 1e6:.0f} MB log)"
        )

        def after_finish() -> float:
            """Back to how finish() left the run: its cache just written (timed)."""
            cache.unlink()
            return timed(lambda: compact(history))[0]

        compacts, colds, warms, olds = [], [], [], []
        for _ in range(args.reps):
            compacts.append(after_finish())
            colds.append(timed(lambda: Curves(run))[0])
            warms.append(timed(lambda: Curves(run))[0])
        with log_reads_only():
            for _ in range(args.reps):
                olds.append(timed(lambda: Curves(run))[0])
        print(
            f"Curves(run), run finished ({args.reps} times each): cold (its first read) {ms(colds)}; "
            f"warm {ms(warms)}; log-only read path (before the cache) {ms(olds)}: "
            f"{statistics.median(olds) / statistics.median(colds):.1f}x the cold build"
        )
        print(f"compacting the log as finish() does: {ms(compacts)}")

        browser.close()
    server.shutdown()
    if args.jupyter_reps:
        jupyter_first_draw(Path(tmp), run.id, args.series, args.jupyter_reps)

    from ipywidgets.embed import dependency_state, embed_data

    widgets = [Curves(run, live=False) for _ in range(10)]
    data = embed_data(views=widgets, state=dependency_state(widgets, drop_defaults=True))
    size = len(json.dumps(data["manager_state"]))
    vega = sum((STATIC / n).stat().st_size for n in ("vega.js", "vegalite.js"))
    print(f"saved widget state of 10 Curves of this run: {size / 1e6:.2f} MB", end=" ")
    print(f"(vega and vega-lite once: {vega / 1e6:.2f} MB)")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
