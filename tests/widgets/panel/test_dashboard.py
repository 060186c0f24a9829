"""RunPanel as a dashboard: its parts and cells from what the run logged (kinds.py), new
keys of a live run, the viewer's arrangement; in Chromium: sections in a responsive grid,
collapsing, enlarging, and a saved arrangement restored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import pytest

import wbnb
from tests.waiting import wait_for
from wbnb.widgets import Gallery, RunPanel
from wbnb.widgets.kinds import KINDS, NUMBERS, component, one_key_each, summary_kinds
from wbnb.widgets.panel.contract import SYSTEM_SECTION
from wbnb.widgets.panel.layout import cell, sections
from wbnb.widgets.pictures.svg import Picture

from ..harness import Harness


def _run(project: str = "dash") -> Any:
    """A finished run with scalars under train/ and val/, one without a prefix, images,
    a table and a ROC curve."""
    run = wbnb.init(project=project)
    for i in range(3):
        run.log(
            {
                "train/loss": 1 / (i + 1),
                "train/acc": i / 3,
                "train/lr": 0.1,
                "val/loss": 2 / (i + 1),
                "val/acc": i / 4,
                "epoch": i,
                "samples": [wbnb.Image(np.full((8, 8, 3), 40 * i, dtype=np.uint8))],
            }
        )
    run.log(
        {
            "val/preds": wbnb.Table(columns=["id", "label"], data=[[1, "cat"], [2, "dog"]]),
            "roc": wbnb.plot.roc_curve([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]]),
        }
    )
    run.finish(quiet=True)
    return run


def test_kinds_of_summary_values() -> None:
    image = {"_type": "image", "path": "x.png"}
    summary = {
        "loss": 0.5,
        "epoch": 3,
        "flag": True,  # not drawn
        "note": "text",
        "_runtime": 1.0,  # wbnb's own
        "samples": [image],
        "best": {"last": [image]},  # define_metric's aggregation
        "low": {"min": 0.1},
        "preds": {"_type": "table", "columns": []},
        "roc": {"_type": "roc_curve"},
        "line": {"_type": "plot", "table": {"_type": "table"}},  # the chart, not its table
    }
    assert summary_kinds(summary) == {
        "loss": NUMBERS,
        "epoch": NUMBERS,
        "samples": "image",
        "best": "image",
        "low": NUMBERS,
        "preds": "table",
        "roc": "roc_curve",
        "line": "plot",
    }
    assert component(NUMBERS).__name__ == "Curves" and component("image") is Gallery
    assert component("no such kind") is None
    assert not one_key_each(Gallery)
    for kind in KINDS:  # every component there is imports; one not yet merged is None
        found = component(kind)
        assert found is None or hasattr(found, "esm_name"), kind


def test_a_missing_component_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, "wav", ".no_such_component:Player")
    component.cache_clear()
    try:
        assert component("wav") is None
    finally:
        component.cache_clear()


def test_the_page_has_a_view_for_every_part_the_panel_can_make() -> None:
    """The contract names parts by reference and each cell's view by its part's ``esm_name``;
    js/panel/registry.ts must register each installed component's (a merged component
    joins the panel with its line there)."""
    import re

    from wbnb.widgets import System
    from wbnb.widgets.typescript import ROOT, render

    contract = render("wbnb.widgets.panel.contract")
    assert "_parts: Record<string, string>;" in contract and "_header: string;" in contract
    registered = set(re.findall(r"^  (\w+): part\(", (ROOT / "js" / "panel" / "registry.ts").read_text(), re.M))
    views = {cls.esm_name for cls in map(component, KINDS) if cls is not None} | {System.esm_name}
    assert views <= registered, f"js/panel/registry.ts lacks {views - registered}"


def test_sections_by_prefix_system_last() -> None:
    laid = sections(
        [cell("curves", "curves", "val/acc"), cell("gallery", "gallery", "samples"), cell("curves", "curves", "loss")],
        [cell("system", "curves", "CPU/cpu_percent")],
    )
    assert [(s["id"], s["title"], [c["id"] for c in s["cells"]]) for s in laid] == [
        ("", "Charts", ["curves:loss", "gallery:samples"]),
        ("val", "val", ["curves:val/acc"]),
        (SYSTEM_SECTION, "System", ["system:CPU/cpu_percent"]),
    ]


def test_parts_and_cells_of_what_the_run_logged(store_dir: Path) -> None:
    run = _run()
    panel = RunPanel(f"dash/{run.id}", live=False)
    laid = {s["id"]: [c["key"] for c in s["cells"]] for s in panel.sections}
    assert [s["id"] for s in panel.sections][:3] == ["", "train", "val"]
    assert laid["train"] == ["train/acc", "train/loss", "train/lr"]
    assert "val/acc" in laid["val"] and "val/loss" in laid["val"]
    assert {"epoch", "samples"} <= set(laid[""])
    # one part per component, each key a cell of it; a table, a chart: theirs where installed
    assert [c["part"] for s in panel.sections for c in s["cells"] if c["key"] in ("samples", "epoch")] == [
        "curves",
        "gallery",
    ]
    assert sum(isinstance(p, Gallery) for p in panel.parts.values()) == 1
    for key, kind in (("val/preds", "table"), ("roc", "roc_curve")):
        cls = component(kind)
        drawn = [c for s in panel.sections for c in s["cells"] if c["key"] == key]
        assert len(drawn) == (cls is not None), key
        if cls is not None:
            assert isinstance(panel.parts[drawn[0]["part"]], cls) and drawn[0]["view"] == cls.esm_name
    state = panel.get_state()
    assert set(state["_parts"]) == set(panel.parts)
    assert all(ref == f"IPY_MODEL_{panel.parts[n].model_id}" for n, ref in state["_parts"].items())
    assert state["_header"] == f"IPY_MODEL_{panel.header.model_id}"


class OneKey(anywidget.AnyWidget):
    """A component that shows one key per widget, as ``TableView(runs, key)`` does."""

    esm_name = "onekey"
    _esm = "export default {}"

    def __init__(self, runs: Any, key: str, *, store: Any = None, live: bool = True) -> None:
        self.key = key
        super().__init__()

    def flush(self) -> None:
        pass

    def _redraw_sources(self) -> list[Any]:
        return []

    def _still_picture(self) -> Picture:
        return Picture(40, 10, "")


def test_a_component_of_one_key_gets_a_part_per_key(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, "table", f"{__name__}:OneKey")
    component.cache_clear()
    try:
        run = wbnb.init(project="dash")
        run.log({"a": wbnb.Table(columns=["x"], data=[[1]]), "val/b": wbnb.Table(columns=["x"], data=[[2]])})
        run.finish(quiet=True)
        panel = RunPanel(f"dash/{run.id}", live=False)
        assert one_key_each(OneKey)
        assert {n: p.key for n, p in panel.parts.items() if isinstance(p, OneKey)} == {
            "onekey:a": "a",
            "onekey:val/b": "val/b",
        }
        cells = [c for s in panel.sections for c in s["cells"]]
        assert [(c["part"], c["view"], c["key"]) for c in cells] == [
            ("onekey:a", "onekey", "a"),
            ("onekey:val/b", "onekey", "val/b"),
        ]
    finally:
        component.cache_clear()


def test_a_key_logged_for_the_first_time_appears_in_a_live_run(store_dir: Path) -> None:
    run = wbnb.init(project="dash")
    panel = RunPanel(run)
    assert panel.sections == []  # nothing logged yet
    run.log({"train/loss": 1.0})
    wait_for(lambda: [s["id"] for s in panel.sections] == ["train"], what="the train section")
    run.log({"val/acc": 0.5, "samples": wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8))})
    wait_for(lambda: len(panel.sections) == 3, what="the samples and val cells")
    assert [c["id"] for c in panel.sections[0]["cells"]] == ["gallery:samples"]
    assert "gallery" in panel.get_state()["_parts"]  # the new part's model travels too
    run.finish(quiet=True)


def test_the_arrangement_round_trips(store_dir: Path) -> None:
    run = _run()
    panel = RunPanel(f"dash/{run.id}", live=False)
    assert panel.arrangement == {"collapsed": [], "enlarged": "", "hidden": []}
    chosen = {"collapsed": ["train"], "enlarged": "curves:val/acc", "hidden": ["curves:epoch"]}
    panel.set_state({"arrangement": chosen})  # what the page's save_changes does
    assert panel.arrangement == chosen and panel.get_state()["arrangement"] == chosen
    again = RunPanel(f"dash/{run.id}", live=False, arrangement=chosen)  # a saved one, given back
    assert again.get_state()["arrangement"] == chosen


# -- in Chromium --------------------------------------------------------------------------

CELLS = ".wbnb-dashboard .wbnb-dash-cell"


def _mount(harness: Harness, panel: RunPanel, width: int = 1400) -> None:
    harness.page.set_viewport_size({"width": width + 100, "height": 900})
    harness.page.evaluate(f"() => {{ document.body.style.width = '{width}px'; }}")
    harness.mount(panel, "panel")
    harness.page.locator(".wbnb-dashboard .wbnb-run-header").wait_for()


def _shown(harness: Harness, run: Any = None, **kwargs: Any) -> tuple[RunPanel, str]:
    """A still panel of ``run`` (default ``_run()``) mounted; its page model, to evaluate."""
    panel = RunPanel(f"dash/{(run or _run()).id}", live=False, **kwargs)
    _mount(harness, panel)
    return panel, f"window.wbnb.models['{panel.model_id}']"


def _rows(harness: Harness, section: str) -> list[int]:
    """How many cells of ``section`` each row of its grid holds."""
    tops = harness.page.evaluate(
        "(s) => [...document.querySelectorAll(`[data-section='${s}'] .wbnb-dash-cell`)].map(c => c.offsetTop)",
        section,
    )
    return [tops.count(t) for t in sorted(set(tops))]


def test_sections_in_a_grid_three_per_row_at_1400px(store_dir: Path, harness: Harness) -> None:
    _shown(harness)
    heads = harness.page.locator(".wbnb-dash-head .wbnb-dash-title").all_inner_texts()
    assert heads[:3] == ["Charts", "train", "val"]
    for cell_id, view in (("curves:train/loss", "wbnb-curves"), ("gallery:samples", "wbnb-gallery")):
        shown = harness.page.locator(f"{CELLS}[data-cell='{cell_id}']")
        shown.scroll_into_view_if_needed()  # a cell mounts its view once near the screen
        shown.locator(f".{view}").wait_for()
        assert shown.locator(f".{view}").count() == 1
    assert _rows(harness, "train") == [3]  # three panels side by side at 1400 px
    harness.screenshot("panel-dashboard")
    assert not harness.errors  # type: ignore[attr-defined]


def test_collapsing_a_section_hides_its_panels_and_sets_the_trait(store_dir: Path, harness: Harness) -> None:
    _panel, model = _shown(harness)
    loss = harness.page.locator(f"{CELLS}[data-cell='curves:train/loss']")
    assert loss.is_visible()
    harness.page.locator("[data-section='train'] .wbnb-dash-head").click()
    loss.wait_for(state="hidden")
    assert harness.page.evaluate(f"() => [{model}.get('arrangement').collapsed, {model}.saved > 0]") == [
        ["train"],
        True,
    ]
    harness.page.locator("[data-section='train'] .wbnb-dash-head").click()  # open again
    loss.wait_for(state="visible")
    assert harness.page.evaluate(f"() => {model}.get('arrangement').collapsed") == []


def test_enlarging_a_panel_spans_the_row_and_escape_restores(store_dir: Path, harness: Harness) -> None:
    _panel, model = _shown(harness)
    acc = harness.page.locator(f"{CELLS}[data-cell='curves:train/acc']")
    acc.scroll_into_view_if_needed()
    grid = harness.page.locator("[data-section='train'] > .wbnb-dash-grid")
    narrow = acc.bounding_box()["width"]
    acc.locator(".wbnb-dash-enlarge").click()
    harness.page.wait_for_function(
        "() => document.querySelector(\"[data-cell='curves:train/acc']\").classList.contains('wbnb-enlarged')"
    )
    assert acc.bounding_box()["width"] > 0.95 * grid.bounding_box()["width"] > 2 * narrow
    assert harness.page.evaluate(f"() => {model}.get('arrangement').enlarged") == "curves:train/acc"
    acc.locator(".wbnb-curves").wait_for()  # drawn again at its new width
    harness.page.evaluate("() => document.activeElement.blur()")
    harness.page.keyboard.press("Escape")  # outside the panel (JupyterLab's command mode): not for it
    assert harness.page.evaluate(f"() => {model}.get('arrangement').enlarged") == "curves:train/acc"
    acc.locator(".wbnb-dash-enlarge").focus()
    harness.page.keyboard.press("Escape")
    harness.page.wait_for_function(f"() => {model}.get('arrangement').enlarged === ''")
    assert abs(acc.bounding_box()["width"] - narrow) < 2 and _rows(harness, "train") == [3]


def test_reopening_with_a_saved_arrangement_restores_it(store_dir: Path, harness: Harness) -> None:
    _shown(harness, arrangement={"collapsed": ["train"], "enlarged": "curves:val/acc", "hidden": ["curves:val/loss"]})
    assert harness.page.locator("[data-section='train']").get_attribute("class").split().count("wbnb-collapsed") == 1
    assert harness.page.locator(f"{CELLS}[data-cell='curves:train/loss']").is_hidden()
    # a collapsed section mounts nothing until it is opened
    assert harness.page.locator("[data-section='train'] .wbnb-curves").count() == 0
    enlarged = harness.page.locator(f"{CELLS}.wbnb-enlarged")
    assert enlarged.count() == 1 and enlarged.get_attribute("data-cell") == "curves:val/acc"
    assert harness.page.locator(f"{CELLS}[data-cell='curves:val/loss']").is_hidden()
    assert harness.page.locator("[data-section='val'] .wbnb-dash-unhide").inner_text() == "show 1 hidden"
    harness.page.locator("[data-section='train'] .wbnb-dash-head").click()
    harness.page.locator("[data-section='train'] .wbnb-dash-cell").first.scroll_into_view_if_needed()
    harness.page.locator("[data-section='train'] .wbnb-curves").first.wait_for()


def test_hiding_a_panel_removes_it_until_its_section_shows_it_again(store_dir: Path, harness: Harness) -> None:
    _panel, model = _shown(harness)
    loss = harness.page.locator(f"{CELLS}[data-cell='curves:train/loss']")
    unhide = harness.page.locator("[data-section='train'] .wbnb-dash-unhide")
    assert unhide.is_hidden()  # nothing hidden yet
    loss.scroll_into_view_if_needed()
    loss.locator(".wbnb-dash-hide").click()
    loss.wait_for(state="hidden")
    assert loss.locator(".wbnb-curves").count() == 0  # its view is gone, not only out of sight
    assert harness.page.evaluate(f"() => {model}.get('arrangement').hidden") == ["curves:train/loss"]
    assert unhide.inner_text() == "show 1 hidden"
    assert harness.page.locator("[data-section='train'] .wbnb-dash-cell:visible").count() == 2
    unhide.click()
    loss.locator(".wbnb-curves").wait_for()
    assert harness.page.evaluate(f"() => {model}.get('arrangement').hidden") == [] and unhide.is_hidden()


def test_cells_far_below_the_screen_mount_when_scrolled_to(store_dir: Path, harness: Harness) -> None:
    run = wbnb.init(project="dash")
    for i in range(2):
        run.log({f"k{j:02d}": i * j for j in range(40)})
    run.finish(quiet=True)
    _shown(harness, run)
    first, last = (harness.page.locator(f"{CELLS}[data-cell='curves:{k}']") for k in ("k00", "k39"))
    first.locator(".wbnb-curves").wait_for()
    assert last.locator(".wbnb-curves").count() == 0  # 14 rows down: not mounted yet
    last.scroll_into_view_if_needed()
    last.locator(".wbnb-curves").wait_for()


# Every mounted Curves view in the panel's cells: whether each chart draws with smoothing ``a``.
SMOOTHED = """(a) => {
    const views = [...document.querySelectorAll('.wbnb-dash-cell .wbnb-curves')].map(el => el.__wbnb);
    return views.length > 1 && views.every(v => v.charts.size === 1 && [...v.charts.values()].every(
        c => c.view && c.view.signal('smoothing') === a && c.view.data('points').every(d => Number.isFinite(d.ys))));
}"""


def test_one_curves_settings_bar_for_every_curve_cell(store_dir: Path, harness: Harness) -> None:
    """Curves' settings are its model's, shared by every cell: the cells draw compact and
    the panel shows the part's bar once; its smoothing re-draws every curve cell."""
    _panel, model = _shown(harness)
    curves = harness.page.locator(".wbnb-dash-cell .wbnb-curves")
    wait_for(lambda: curves.count() >= 4, what="the curve cells in view mounted")
    harness.page.wait_for_function(SMOOTHED, arg=0)
    bar = harness.page.locator(".wbnb-dashboard .wbnb-curves .wbnb-bar")
    assert bar.count() == 1  # not one per cell
    assert harness.page.locator(".wbnb-dash-cell .wbnb-curves :is(.wbnb-bar, .wbnb-legend)").count() == 0  # compact
    shared = harness.page.locator(".wbnb-dash-bar[data-part='curves']")
    assert shared.locator(".wbnb-bar").count() == 1 and shared.locator(".wbnb-legend-item").count() == 1
    assert shared.evaluate(
        "b => b.parentElement.parentElement.classList.contains('wbnb-dashboard')"
    )  # above the sections
    shared.locator("input[type=range]").fill("0.5")
    harness.page.wait_for_function(SMOOTHED, arg=0.5)  # every curve cell, not only one
    assert harness.page.evaluate(f"() => {model}.saved") == 0  # the part's trait, not the panel's
    curves_model = f"window.wbnb.models['{_panel.curves.model_id}']"
    assert harness.page.evaluate(f"() => [{curves_model}.get('smoothing'), {curves_model}.saved > 0]") == [0.5, True]
    # the trait set elsewhere (the kernel, another view): the bar shows it
    harness.page.evaluate(f"() => {{ {curves_model}.set('log_y', true); }}")
    assert shared.locator("input[type=checkbox]").is_checked()
    assert not harness.errors  # type: ignore[attr-defined]


def test_a_part_in_one_section_has_its_bar_there(store_dir: Path, harness: Harness) -> None:
    """A part whose cells are all in one section (a confusion matrix under val/) shows its
    settings bar in that section, its cells without one."""
    run = wbnb.init(project="dash")
    for step in range(2):
        run.log({"loss": 1.0 / (step + 1), "train/acc": 0.5}, step=step)
    run.log({"val/cm": wbnb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=["a", "b"])})
    run.finish(quiet=True)
    _shown(harness, run)
    cm = harness.page.locator("[data-section='val'] .wbnb-dash-bar[data-part='confusionmatrix']")
    cm.locator(".wbnb-normalize").wait_for()
    assert harness.page.locator(".wbnb-dash-bar").evaluate_all(
        "bs => bs.map(b => [b.dataset.part, b.closest('[data-section]')?.dataset.section ?? null])"
    ) == [["curves", None], ["confusionmatrix", "val"]]
    harness.page.locator(f"{CELLS}[data-cell='confusionmatrix:val/cm'] .wbnb-confusion canvas").wait_for()
    assert harness.page.locator(f"{CELLS} .wbnb-confusion .wbnb-bar").count() == 0
    assert not harness.errors  # type: ignore[attr-defined]


def test_a_gallery_cell_keeps_its_step_and_the_bar_its_size(store_dir: Path, harness: Harness) -> None:
    """A Gallery cell keeps what is its own (the step slider); the thumbnail size is the
    part's, in its bar (in the section of all its cells), and sets the part's trait."""
    panel, _model = _shown(harness)
    samples = harness.page.locator(f"{CELLS}[data-cell='gallery:samples']")
    samples.locator(".wbnb-gallery .wbnb-step-slider").wait_for()
    assert samples.locator(".wbnb-size, .wbnb-columns").count() == 0
    size = harness.page.locator("[data-section=''] .wbnb-dash-bar[data-part='gallery'] .wbnb-size")
    size.fill("200")
    gallery = f"window.wbnb.models['{panel.parts['gallery'].model_id}']"
    harness.page.wait_for_function(f"() => {gallery}.get('size') === 200 && {gallery}.saved > 0")
    assert not harness.errors  # type: ignore[attr-defined]


def test_the_picture_puts_the_parts_in_a_grid_under_their_titles(store_dir: Path) -> None:
    import re
    import xml.etree.ElementTree as ET

    from wbnb.widgets.panel.picture import panel_picture
    from wbnb.widgets.pictures.svg import Picture

    head = Picture(300, 30, "")
    parts = [(f"<b>part {i}</b>", Picture(380, 100 + i, f'<rect data-part="{i}"/>')) for i in range(4)]
    svg = panel_picture([head], parts).markup()
    root = ET.fromstring(svg)  # well-formed: titles escaped
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert titles == [f"<b>part {i}</b>" for i in range(4)]
    places = [(float(x), float(y)) for x, y in re.findall(r'translate\(([\d.]+),([\d.]+)\)"><rect data-part', svg)]
    assert [x for x, _ in places] == [0, 396, 792, 0]  # three per row, then the next row
    assert places[0][1] == places[1][1] == places[2][1] < places[3][1]
    run = _run()
    words = [t.text for t in ET.fromstring(RunPanel(f"dash/{run.id}", live=False).to_svg()).iter()]
    assert "Curves" in words and "Gallery" in words and "train/loss" in words
