"""Cells as wandb users log them (probe): values the page must show exactly."""

from __future__ import annotations

from typing import Any

from .test_model import _decode, _view

BIG = [2**53 + 1, 2**64 + 5, -(2**62) - 1]


def test_ints_past_2_53_keep_every_digit_in_the_preview_the_columns_and_the_picture(store_dir: Any) -> None:
    """An id column of 64-bit ints (hashes, snowflake ids) as float64 showed 9007199254740992
    for 9007199254740993: past 2**53 a column travels as text, exact."""
    import wbnb

    run = wbnb.init(project="p", name="ids")
    run.log({"t": wbnb.Table(columns=["id", "small"], data=[[v, i] for i, v in enumerate(BIG)])})
    run.finish()
    w = _view(run, "t")
    preview = w._snapshot["preview"]
    assert [c["kind"] for c in preview["columns"]] == ["text", "number"]
    assert [r[0] for r in preview["rows"]] == [str(v) for v in BIG]
    cols = _decode(*w._answer({"type": "fetch", "what": "columns", "req": 1, "step": -1}))
    assert cols["id"] == [str(v) for v in BIG] and cols["small"] == [0.0, 1.0, 2.0]
    assert str(BIG[0]) in w.to_svg()
    assert w.df["id"].tolist() == BIG


def test_a_request_the_page_cannot_have_made_gets_no_answer_and_raises_nothing(store_dir: Any) -> None:
    """The page's JSON is read defensively (as every other component's ``_answer``): a bad
    number, a cell that is no dict, cells that are no list."""
    import numpy as np

    import wbnb

    run = wbnb.init(project="p", name="junk")
    run.log({"t": wbnb.Table(columns=["a", "img"], data=[[1, wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8))]])})
    run.finish()
    w = _view(run, "t")
    for junk in ({"req": "x"}, {"req": None}, {"step": "abc"}, {"step": float("nan")}, {"step": None}):
        assert w._answer({"type": "fetch", "what": "columns", **junk}) is None
    version = w._snapshot["preview"]["version"]
    assert w._answer({"type": "fetch", "what": "images", "req": 2, "version": version, "cells": "abc"}) == (
        {"type": "images", "req": 2, "version": version, "full": False, "items": []},
        [],
    )
    reply, buffers = w._answer(
        {
            "type": "fetch",
            "what": "images",
            "req": 3,
            "version": version,
            "cells": [1, None, {"row": "x"}, {"row": 0, "col": 1}],
        }
    )
    assert reply["items"] == [{"row": 0, "col": 1, "mime": "image/png"}] and len(buffers) == 1
