"""Run table in headless Chromium: sort and filter times over 10k runs x 50 columns.

    python benchmarks/bench_table.py [--runs 10000] [--repeat 5]

Builds the columnar data in Python (what ``RunTable`` sends), mounts the built
``table.js`` in Debian's chromium through the test harness, and times, inside the page,
a click-equivalent sort (one key, then two keys), a filter expression, and the redraw
of the visible window that follows each. Prints the median and worst of ``--repeat``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "widgets"))

CASES = [
    ("sort  summary.m0 (1 key, numeric)", "sort", ["-summary.m0"]),
    ("sort  name (1 key, strings)", "sort", ["name"]),
    ("sort  config.p1, -summary.m3 (2 keys)", "sort", ["config.p1", "-summary.m3"]),
    ("filter summary.m1 > 0.5 and config.p2 < 7", "filter", "summary.m1 > 0.5 and config.p2 < 7"),
    ("filter tags has even or name ~ 'run-9.*7$'", "filter", "tags has even or name ~ 'run-9.*7$'"),
    ("filter (cleared)", "filter", ""),
]


def rows(n: int) -> list[dict]:
    out = []
    for i in range(n):
        row = {
            "id": f"r{i:05d}",
            "name": f"run-{i}",
            "state": ("finished", "crashed", "running")[i % 3],
            "created": 1.7e9 + i * 60,
            "duration": float(i % 977),
            "tags": ["even"] if i % 2 == 0 else ["odd"],
        }
        row.update({f"config.p{j}": (i * 31 + j) % 101 / 7 for j in range(20)})
        row.update({f"summary.m{j}": ((i * 17 + j * 7) % 1000) / 1000 for j in range(25)})
        out.append(row)
    return out  # 5 base + 20 config + 25 summary = 50 columns


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import harness  # tests/widgets/harness.py
    from playwright.sync_api import sync_playwright

    from wbnb.store.local import LocalStore
    from wbnb.widgets.table import RunTable, columnar

    w = RunTable("none", store=LocalStore(tempfile.mkdtemp(prefix="wbnb-bench-store-")), sort=[])
    w._data = columnar(rows(args.runs))
    print(
        f"run table: {args.runs} runs x {len(w._data['columns'])} columns, headless chromium, "
        f"median / worst of {args.repeat} (ms, includes redrawing the visible rows)"
    )
    site = harness._site(tempfile.mkdtemp(prefix="wbnb-bench-site-"))
    base, server = harness.serve(site)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        h = harness.Harness(page, base)
        h.mount(w, "table")
        page.wait_for_selector(".wbnb-row")
        for label, trait, value in CASES:
            times = []
            for r in range(args.repeat):
                # alternate the direction of sorts so each run really reorders
                v = value if trait != "sort" or r % 2 == 0 else [s[1:] if s.startswith("-") else "-" + s for s in value]
                ms = page.evaluate(
                    """([id, trait, value]) => {
                    const m = window.wbnb.models[id];
                    const t0 = performance.now();
                    m.set(trait, value);           // what a header click or a keystroke does
                    return performance.now() - t0;
                }""",
                    [w.model_id, trait, v],
                )
                times.append(ms)
            rows_in_dom = page.locator(".wbnb-row").count()
            shown = page.text_content(".wbnb-count")
            median, worst = statistics.median(times), max(times)
            print(f"  {label:44s} {median:7.1f} / {worst:7.1f}   ({shown}; {rows_in_dom} row elements)")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
