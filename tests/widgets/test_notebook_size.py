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


def test_saved_run_panel_grows_little_per_extra_panel(store_dir: Path) -> None:
    """A panel per key adds its cell and its key's points, never code: the parts' bundles
    and the charting code travel once however many panels the run has."""
    import numpy as np

    import wbnb
    from wbnb.widgets import RunPanel

    def saved(keys: int) -> tuple[int, int]:
        run = wbnb.init(project="nb", reinit="create_new")
        for i in range(300):
            run.log({f"train/k{j}": (i * (j + 1)) % 17 / 17 for j in range(keys)})
        run.log({"samples": wbnb.Image(np.zeros((8, 8, 3), dtype=np.uint8))})
        run.finish(quiet=True)
        panel = RunPanel(f"nb/{run.id}", live=False)
        widgets = [panel]
        data = embed_data(views=widgets, state=dependency_state(widgets, drop_defaults=True))
        state = data["manager_state"]["state"]
        assert len([s for s in state.values() if s["state"].get("source")]) == 1  # one VegaLoader
        assert {f"IPY_MODEL_{m}" for m in state} >= set(panel.get_state()["_parts"].values())  # parts saved too
        cells = sum(len(s["cells"]) for s in panel.sections)
        panel.close()
        return len(json.dumps(data["manager_state"])), cells

    (small, few), (big, many) = saved(2), saved(22)
    per_panel = (big - small) / (many - few)
    print(
        f"saved run panel: {few} panels {small / 1e6:.2f} MB, {many} panels {big / 1e6:.2f} MB;",
        f"{per_panel / 1e3:.1f} kB per panel",
    )
    assert per_panel <= 100 * 1024
