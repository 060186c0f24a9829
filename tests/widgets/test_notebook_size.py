"""The heavy charting code travels once, however many charts a notebook shows."""

from __future__ import annotations

import json
from pathlib import Path

from ipywidgets.embed import dependency_state, embed_data

from wbnb.widgets.bundles import STATIC

LIMIT = int(1.5 * 1024 * 1024)


def test_bundle_sizes() -> None:
    sizes = {p.name: p.stat().st_size for p in STATIC.glob("*.js")}
    print("bundle sizes:", sizes)
    assert sizes["vega.js"] + sizes["vegalite.js"] < LIMIT  # the shared code: vega, and vega-lite on its own
    assert sizes["curves.js"] < 64 * 1024  # a component alone stays small


def test_saved_notebook_holds_vega_once(store_dir: Path) -> None:
    import wbnb
    from wbnb.widgets import Curves

    run = wbnb.init(project="p")
    for i in range(2000):
        run.log({"loss": 1 / (i + 1), "acc": i / 2000})
    run.finish()
    vega = (STATIC / "vega.js").stat().st_size + (STATIC / "vegalite.js").stat().st_size

    def saved_size(n: int) -> int:
        widgets = [Curves(run, live=False) for _ in range(n)]
        data = embed_data(views=widgets, state=dependency_state(widgets, drop_defaults=True))
        text = json.dumps(data["manager_state"])  # what a notebook's widget metadata stores
        loaders = [s for s in data["manager_state"]["state"].values() if s["state"].get("source")]
        assert len(loaders) == 1
        for w in widgets:
            w.close()
        return len(text)

    one, ten = saved_size(1), saved_size(10)
    print(f"saved widget state: 1 chart widget {one / 1e6:.2f} MB, 10 widgets {ten / 1e6:.2f} MB")
    assert one > vega  # the one loader carries the bundle
    per_widget = (ten - one) / 9
    print(f"each further widget: {per_widget / 1e3:.0f} kB (its bundle, spec and data snapshot)")
    assert per_widget < vega / 4  # the bundle is not repeated: ten carrying it would be > 10 * vega
    assert ten < one + 9 * (one - vega) * 1.1
