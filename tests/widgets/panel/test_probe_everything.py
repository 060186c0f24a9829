"""Probe: a run that logs every kind wandb's docs log (lists of media under one key, keys
with slashes, dots, spaces, unicode and markup) drawn in the run panel: every cell
mounts its view, and the page logs no error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import wbnb
from wbnb.widgets import RunPanel

from ..harness import Harness, record
from .test_dashboard import CELLS, _mount

XSS = '<img src=x onerror="window.__xss=1">'


def _everything() -> Any:
    import plotly.graph_objects as go

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 3, 60), rng.random((60, 3))
    t = np.arange(800) / 8000
    run = wbnb.init(project="every", name=f"all {XSS}")
    for step in range(2):
        run.log(
            {
                "loss": 1 / (step + 1),
                "audio/list": [wbnb.Audio(np.sin(440 * t), sample_rate=8000, caption=f"c{i}") for i in range(2)],
                "imgs": [wbnb.Image(np.full((8, 8, 3), 60 * i, dtype=np.uint8)) for i in range(2)],
                "tbl": wbnb.Table(columns=["a", XSS], data=[[step, XSS]]),
                f"tables/ü {XSS}": wbnb.Table(columns=["a"], data=[[2**60 + 1]]),
                "roc": wbnb.plot.roc_curve(y, p, labels=["cat", "dog", XSS]),
                "line": wbnb.plot.line(wbnb.Table(columns=["x", "y"], data=[[0, 1], [1, 2]]), "x", "y", title=XSS),
                "cm": wbnb.plot.confusion_matrix(y_true=y, preds=y),
                "page.html": wbnb.Html(f"<h1>hi</h1>{XSS}"),
                "clip": wbnb.Video(np.zeros((3, 3, 8, 8), dtype=np.uint8), fps=2),
                "fig": wbnb.Plotly(go.Figure(go.Scatter(x=[1, 2], y=[2, 1], name=XSS))),
                "cloud with space": wbnb.Object3D(rng.random((50, 3))),
                "hist": wbnb.Histogram(rng.random(100)),
            }
        )
    run.finish(quiet=True)
    return run


def test_every_kind_mounts_its_view_in_the_panel_without_a_page_error(store_dir: Path, harness: Harness) -> None:
    run = _everything()
    panel = RunPanel(f"every/{run.id}", live=False)
    parts = {}  # the parts whose page asks its kernel half for what it draws: their comms recorded
    for name in ("object3dview", "plotlyview"):
        parts[name] = (panel.parts[name], record(panel.parts[name]))
        parts[name][1].comm_id = f"recording-{name}"  # the model's id on the page: one each
    _mount(harness, panel)
    views = {c["id"]: c["view"] for sec in panel.sections for c in sec["cells"]}
    assert len(views) == 13, views
    for cid, view in views.items():
        target = harness.page.locator(CELLS).and_(harness.page.locator(f"[data-cell={_quoted(cid)}]"))
        target.scroll_into_view_if_needed()
        target.locator(f".wbnb-{view}").first.wait_for()
    drawn = {  # what each kind's view puts on the page once its data came
        "tableview:tables/ü " + XSS: f"text={2**60 + 1}",
        "charts:roc": "canvas, svg",
        "mediaview:page.html": "iframe[sandbox='allow-scripts']",
        "mediaview:audio/list": "audio",
        "object3dview:cloud with space": "canvas",
        "plotlyview:fig": ".wbnb-plotly",
    }
    for suffix, selector in drawn.items():
        cid = next(c for c in views if c.endswith(suffix.partition(":")[2]) and c.startswith(suffix.partition(":")[0]))
        target = harness.page.locator(CELLS).and_(harness.page.locator(f"[data-cell={_quoted(cid)}]"))
        target.scroll_into_view_if_needed()
        if cid.partition(":")[0] in parts:  # the page asks the part's kernel half for the object
            harness.answer(*parts[cid.partition(":")[0]])
        target.locator(selector).first.wait_for(state="attached")
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is None
    assert not harness.errors  # type: ignore[attr-defined]
    svg = panel.to_svg()
    assert "<img" not in svg


def _quoted(text: str) -> str:
    """A CSS attribute value in double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
