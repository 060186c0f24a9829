"""Cells as wandb users log them (probe): values the page must show exactly."""

from __future__ import annotations

import re
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
    assert w._answer({"type": "fetch", "what": "images", "req": 2, "version": version, "cells": "abc"}) is None
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


def test_an_image_cells_masks_and_boxes_are_painted_on_it_as_wandbs_table_shows_them(store_dir: Any) -> None:
    """wandb's segmentation / detection tutorials log ``wandb.Image(x, masks=..., boxes=...)``
    in a Table: the cell showed the bare image."""
    import numpy as np

    import wbnb
    from wbnb.data.png import decode_png
    from wbnb.widgets.imageoverlay import ALPHA, COLORS

    grey = np.full((80, 80, 3), 100, dtype=np.uint8)
    mask = np.zeros((80, 80), dtype=np.uint8)
    mask[0:10] = 1
    masks = {"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat"}}}
    box = {"position": {"minX": 0.5, "maxX": 0.75, "minY": 0.5, "maxY": 0.75}, "class_id": 2, "box_caption": "dog"}
    pixel_box = {"position": {"middle": [20, 60], "width": 10, "height": 10}, "domain": "pixel", "class_id": 3}
    boxes = {"pred": {"box_data": [box, pixel_box], "class_labels": {2: "dog", 3: "cow"}}}
    run = wbnb.init(project="p", name="seg")
    row = [wbnb.Image(grey), wbnb.Image(grey, masks=masks, boxes=boxes)]
    run.log({"t": wbnb.Table(columns=["plain", "labelled"], data=[row])})
    run.finish()
    w = _view(run, "t")
    version = w._snapshot["preview"]["version"]
    cells = [{"row": 0, "col": 0}, {"row": 0, "col": 1}]
    reply, (plain, labelled) = w._answer(
        {"type": "fetch", "what": "images", "req": 1, "version": version, "cells": cells, "full": True}
    )
    assert decode_png(plain).tolist() == grey.tolist()  # no overlay: as logged
    px = decode_png(labelled)
    cat = np.round((1 - ALPHA) * 100 + ALPHA * COLORS[1]).tolist()
    assert px[5, 40].tolist() == cat and px[20, 20].tolist() == [100, 100, 100]  # the mask's class 1, background clear
    assert px[40, 50].tolist() == COLORS[2].tolist() and px[50, 50].tolist() == [
        100,
        100,
        100,
    ]  # the box's edge, inside
    assert px[55, 20].tolist() == COLORS[3].tolist()  # the pixel-domain box's top edge
    thumbs = re.findall(r'href="(data:image/[^"]+)"', w.to_svg())
    assert len(thumbs) == 2 and thumbs[0] != thumbs[1]  # the picture's thumbnail is painted too


def test_wandb_classes_from_the_segmentation_tutorial_name_an_images_classes(store_dir: Any) -> None:
    import numpy as np

    import wbnb

    class_set = wbnb.Classes([{"id": 0, "name": "bg"}, {"id": 1, "name": "cat"}])
    mask = {"pred": {"mask_data": np.eye(8, dtype=np.uint8), "class_labels": {0: "bg", 1: "cat"}}}
    run = wbnb.init(project="p", name="classes")
    run.log({"t": wbnb.Table(columns=["img"], data=[[wbnb.Image(np.zeros((8, 8, 3)), masks=mask, classes=class_set)]])})
    run.finish()
    (cell,) = _view(run, "t").df["img"]
    assert cell["classes"] == [{"id": 0, "name": "bg"}, {"id": 1, "name": "cat"}]
