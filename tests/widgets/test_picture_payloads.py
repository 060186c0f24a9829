"""An HTML payload in any string a picture draws (key, run name, caption, class name, table
cell or column, chart title) is shown as text (issue 18, item 5): the picture output's SVG,
decoded from its data URL as a page gets it, parses as XML and holds nothing but SVG's
drawing elements. One table of cases, ``CASES``: a component is covered by adding a line."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wbnb
from wbnb.widgets import (
    Charts,
    ConfusionMatrix,
    Curves,
    Gallery,
    Histograms,
    MediaView,
    Object3DView,
    PlotlyView,
    RunPanel,
    RunTable,
    TableView,
)
from wbnb.widgets.pictures.show import PICTURE_CLASS, picture_bundle

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PAYLOADS = ("<img src=x onerror=alert(1)>", "</svg><script>alert(1)</script>", "\"'><foreignObject>&amp;")
# What a picture may be made of: SVG's shapes, text and grouping, and raster images only as
# embedded PNG (checked below). No script, foreignObject, a, use, iframe, style, animation.
DRAWING = {"svg", "g", "defs", "clipPath", "rect", "line", "polyline", "polygon", "path", "circle", "text", "tspan"}
DRAWING |= {"title", "image"}


@dataclass(frozen=True)
class Case:
    """A string a picture draws: ``widget(payload)`` logs a run with ``payload`` in that
    place and returns the widget showing it."""

    place: str
    widget: Callable[[str], Any]


def logged(row: dict[str, Any], *, name: str = "run", project: str = "payloads", steps: int = 3) -> str:
    """A finished run that logged ``row`` at ``steps`` steps; its path."""
    run = wbnb.init(project=project, name=name, config={"lr": 0.1})
    for _ in range(steps):
        wbnb.log(row)
    run.finish(quiet=True)
    return f"{project}/{run.id}"


def _table(p: str) -> RunTable:
    with wbnb.init(project="payload-table", name=p, config={p: p, "lr": 0.1}, tags=[p]):
        wbnb.log({p: 1.0, "acc": 0.5})
    return RunTable("payload-table")


def _confusion(p: str, key: str = "cm") -> ConfusionMatrix:
    cm = wbnb.plot.confusion_matrix(y_true=[0, 1, 1, 2], preds=[0, 1, 2, 2], class_names=["cat", p, "bird"])
    return ConfusionMatrix(logged({key: cm}), live=False)


def _roc(p: str, *, title: str | None = None, key: str = "roc") -> Charts:
    roc = wbnb.plot.roc_curve(
        [0, 1, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]], labels=["cat", p], title=title
    )
    return Charts(logged({key: roc}), live=False)


def _audio(caption: str | None = None) -> Any:
    return wbnb.Audio(np.sin(np.arange(800.0) / 5), sample_rate=8000, caption=caption)


class _Figure:
    """A plotly-like figure (anything with ``to_plotly_json``) with ``p`` as its title and trace name."""

    def __init__(self, p: str) -> None:
        self.p = p

    def to_plotly_json(self) -> dict[str, Any]:
        trace = {"type": "scatter", "x": [0, 1], "y": [1, 0], "name": self.p}
        return {"data": [trace], "layout": {"title": {"text": self.p}}}


def _image(caption: str | None = None) -> Any:
    return wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8), caption=caption)


CASES = [
    Case("Curves key", lambda p: Curves(logged({p: 1.0}), live=False)),
    Case("Curves run name (legend)", lambda p: Curves(logged({"loss": 1.0}, name=p), live=False)),
    Case("Gallery caption", lambda p: Gallery(logged({"samples": [_image(p)]}), live=False)),
    Case("Gallery key", lambda p: Gallery(logged({p: [_image()]}), live=False)),
    Case("ConfusionMatrix class name", _confusion),
    Case("ConfusionMatrix key", lambda p: _confusion("dog", key=p)),
    Case("Histograms key", lambda p: Histograms(logged({p: wbnb.Histogram(np.arange(10.0))}), live=False)),
    Case("RunPanel header run name", lambda p: RunPanel(logged({"loss": 1.0}, name=p), live=False)),
    Case("RunTable cells, columns, run name, tags", _table),
    Case("Charts class name (ROC legend)", _roc),
    Case("Charts title", lambda p: _roc("dog", title=p)),
    Case("Charts key", lambda p: _roc("dog", key=p)),
    Case("MediaView audio caption", lambda p: MediaView(logged({"speech": _audio(p)}), live=False)),
    Case("MediaView key", lambda p: MediaView(logged({p: _audio()}), live=False)),
    Case(
        "TableView cell and column",
        lambda p: TableView(logged({"t": wbnb.Table(columns=[p], data=[[p]])}), "t", live=False),
    ),
    Case("PlotlyView title and trace", lambda p: PlotlyView(logged({"fig": wbnb.Plotly(_Figure(p))}), live=False)),
    Case("Object3DView key", lambda p: Object3DView(logged({p: wbnb.Object3D(np.eye(3))}), live=False)),
]


def shown_svg(widget: Any) -> str:
    """The SVG a page gets from the widget's picture output: the data URL of the ``<img>`` in
    its HTML (what nbconvert, nbviewer and GitHub show), decoded."""
    html = picture_bundle(widget.to_svg())["text/html"]
    img = r'<img alt="wbnb picture" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">'
    found = re.fullmatch(rf'<div class="{PICTURE_CLASS}">{img}</div>', html)
    assert found, html[:200]  # nothing of the payload reaches the HTML around the picture
    return base64.b64decode(found[1]).decode()


def _shows(text: str, payload: str) -> bool:
    """``text`` holds ``payload``, whole or clipped to its room (a start of it, then "…")."""
    if payload in text:
        return True
    head = text.removesuffix("…")
    return head != text and any(payload.startswith(head[i:]) for i in range(len(head) - 5))


def assert_drawn_as_text(svg: str, payload: str) -> None:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    for el in root.iter():
        assert el.tag.startswith(SVG) and el.tag[len(SVG) :] in DRAWING, el.tag
        assert not any(a.lower().startswith("on") for a in el.attrib), el.attrib
        href = el.get(XLINK_HREF, el.get("href"))
        assert href is None or href.startswith("data:image/png;base64,"), href[:80]
    words = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(_shows(w, payload) for w in words), (payload, words)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.place)
def test_an_html_payload_in_a_picture_is_drawn_as_text(store_dir: Path, case: Case, payload: str) -> None:
    assert_drawn_as_text(shown_svg(case.widget(payload)), payload)
