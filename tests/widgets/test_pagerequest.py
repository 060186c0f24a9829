"""``read_request``: a page's request read against its contract TypedDict, never raising."""

from __future__ import annotations

import importlib
from typing import Any, Literal

import pytest
from typing_extensions import NotRequired, TypedDict

from wbnb.widgets.charts.contract import FetchChart
from wbnb.widgets.gallery.contract import FetchRequest as GalleryFetch
from wbnb.widgets.pagerequest import read_request
from wbnb.widgets.tableview.contract import FetchRequest as TableFetch
from wbnb.widgets.typescript import modules


class Cell(TypedDict):
    row: int
    col: int


class Ask(TypedDict):
    type: Literal["fetch"]
    req: int
    what: Literal["columns", "images"]
    key: NotRequired[str]
    full: NotRequired[bool]
    cells: NotRequired[list[Cell]]


GOOD = {"type": "fetch", "req": 3, "what": "images", "key": "k", "full": True, "cells": [{"row": 1, "col": 2}]}


def test_a_request_of_its_shape_comes_back_typed_and_extra_keys_are_dropped() -> None:
    assert read_request(Ask, GOOD) == GOOD
    assert read_request(Ask, {**GOOD, "extra": object()}) == GOOD
    assert read_request(Ask, {"type": "fetch", "req": 0, "what": "columns"}) == {
        "type": "fetch",
        "req": 0,
        "what": "columns",
    }
    # an optional field sent as null (an ``undefined`` the page left in) is absent
    assert read_request(Ask, {"type": "fetch", "req": 0, "what": "columns", "key": None}) == {
        "type": "fetch",
        "req": 0,
        "what": "columns",
    }


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "fetch",
        [GOOD],
        {k: v for k, v in GOOD.items() if k != "req"},  # a required field missing
        {**GOOD, "req": None},
        {**GOOD, "req": "3"},  # a number as text
        {**GOOD, "req": 3.0},
        {**GOOD, "req": True},  # a bool is no int
        {**GOOD, "full": 1},  # nor an int a bool
        {**GOOD, "type": "other"},
        {**GOOD, "what": "rows"},
        {**GOOD, "what": ["columns"]},
        {**GOOD, "key": 7},
        {**GOOD, "cells": {"row": 1, "col": 2}},
        {**GOOD, "req": "9" * 100_000},  # a huge string where a number goes
    ],
)
def test_anything_else_the_page_might_send_is_refused_without_raising(bad: Any) -> None:
    assert read_request(Ask, bad) is None


def test_a_list_keeps_the_items_it_can_read() -> None:
    cells = [{"row": 1}, {"row": 1, "col": 2}, "x", None, {"row": True, "col": 0}]
    assert read_request(Ask, {**GOOD, "cells": cells}) == {**GOOD, "cells": [{"row": 1, "col": 2}]}


def test_a_huge_string_where_text_goes_is_text() -> None:
    huge = "k" * 1_000_000
    assert read_request(Ask, {**GOOD, "key": huge}) == {**GOOD, "key": huge}


@pytest.mark.parametrize("module", modules())
def test_every_message_a_page_sends_has_a_readable_contract(module: str) -> None:
    for shape in getattr(importlib.import_module(module), "FROM_PAGE", ()):
        assert read_request(shape, {}) is None  # builds its reader: no field type it cannot read


def test_components_fetches_read_back() -> None:
    assert read_request(FetchChart, {"type": "fetch", "req": 1, "key": "roc", "step": 2}) is not None
    assert read_request(GalleryFetch, {"type": "fetch", "req": 1, "items": [{"run": 0, "key": "k", "step": 0}]})
    assert read_request(TableFetch, {"type": "fetch", "req": 1, "what": "columns", "step": -1})


def test_a_contract_a_request_cannot_hold_is_a_programming_error() -> None:
    class Odd(TypedDict):
        x: dict[str, int]

    with pytest.raises(TypeError):
        read_request(Odd, {"x": {}})


BAD_FETCHES = [
    {"type": "fetch"},
    {"type": "fetch", "req": True, "id": 0, "step": 0, "key": "k", "what": "columns", "items": []},
    {"type": "fetch", "req": "9" * 100_000, "id": 0, "step": 0, "key": "k", "what": "columns", "items": []},
    {"type": "fetch", "req": 1, "id": "0", "step": None, "key": 5, "what": "rows", "items": "x"},
    {"type": "fetch", "req": 1, "what": "images", "version": 3, "cells": [{"row": 0}]},
]


@pytest.mark.parametrize(
    "component", ["Charts", "ConfusionMatrix", "Gallery", "MediaView", "PlotlyView", "Object3DView"]
)
def test_a_components_bad_fetch_is_not_answered(store_dir: Any, component: str) -> None:
    import wbnb
    import wbnb.widgets

    from .harness import record

    run = wbnb.init(project="p", name="a")
    run.log({"x": 1.0})
    w = getattr(wbnb.widgets, component)(run, live=False)
    comm = record(w)
    for bad in BAD_FETCHES:
        w._on_request(w, bad, [])
    assert comm.messages == []


def test_tableviews_bad_fetch_is_not_answered(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets import TableView

    from .harness import record

    run = wbnb.init(project="p", name="a")
    run.log({"t": wbnb.Table(columns=["a"], data=[[1]])})
    w = TableView(run, "t", live=False)
    comm = record(w)
    for bad in BAD_FETCHES:
        w._on_request(w, bad, [])
    assert comm.messages == []
