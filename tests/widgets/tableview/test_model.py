"""TableView's Python half against a real store: the step index, the preview in the
snapshot, the column buffers and image answers, several runs stacked or joined, ``df``,
a table read back, and the static picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np

from wbnb.widgets.tableview.frame import PREVIEW_CHARS

XSS = "<img src=x onerror=alert(1)>"
NS = "{http://www.w3.org/2000/svg}"


def _image(v: int) -> Any:
    import wbnb

    return wbnb.Image(np.full((8, 8, 3), v % 256, dtype=np.uint8))


def _log_tables(run: Any, steps: range, rows: int = 4, key: str = "preds") -> None:
    """At each step a table of ``rows`` rows: id, an image, a score that grows with the step, a label."""
    import wbnb

    for s in steps:
        data = [[i, _image(i * 40 + s), i + 10.0 * s, f"row-{i}"] for i in range(rows)]
        run.log({key: wbnb.Table(columns=["id", "img", "score", "label"], data=data)}, step=s)


def _view(runs: Any, key: str = "preds", **kw: Any) -> Any:
    from wbnb.widgets import TableView

    return TableView(runs, key, live=False, **kw)


def _decode(reply: dict[str, Any], buffers: list[bytes]) -> dict[str, list[Any]]:
    """A ColumnsReply's columns as the page reads them (``js/tableview/columns.ts``)."""
    out: dict[str, list[Any]] = {}
    for c in reply["columns"]:
        b = c["buf"]
        if c["kind"] in ("number", "bool"):
            out[c["name"]] = np.frombuffer(buffers[b], dtype=np.float64).tolist()
            continue
        text = bytes(buffers[b]).decode("utf-8").encode("utf-16-le")
        off = np.frombuffer(buffers[b + 1], dtype=np.uint32)
        distinct = [text[2 * off[i] : 2 * off[i + 1]].decode("utf-16-le") for i in range(len(off) - 1)]
        codes = np.frombuffer(buffers[b + 2], dtype=np.int32)
        assert len(codes) == reply["nrows"] and len(np.frombuffer(buffers[b + 3], dtype=np.int32)) == len(distinct)
        out[c["name"]] = [None if k < 0 else distinct[k] for k in codes]
    return out


def test_steps_preview_columns_and_image_answers(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="a")
    _log_tables(run, range(3))
    run.log({"other": 1.0}, step=3)
    w = _view(run)
    assert w.steps == [0, 1, 2] and w._snapshot["steps"] == [[0, 1, 2]] and w._snapshot["key"] == "preds"
    p = w._snapshot["preview"]
    assert p["step"] == -1 and p["version"] == "2" and p["nrows"] == 4  # the last step by default
    assert [(c["name"], c["kind"]) for c in p["columns"]] == [
        ("id", "number"),
        ("img", "media"),
        ("score", "number"),
        ("label", "text"),
    ]
    assert p["rows"][1] == [1.0, {"media": "image"}, 21.0, "row-1"]
    reply, buffers = w._answer({"type": "fetch", "req": 5, "what": "columns", "step": 0})
    assert reply["req"] == 5 and reply["version"] == "0" and reply["nrows"] == 4
    cols = _decode(reply, buffers)
    assert cols["score"] == [0.0, 1.0, 2.0, 3.0] and cols["img"] == ["image"] * 4 and cols["label"][3] == "row-3"
    # only the cells asked for come back, as PNG thumbnails, from the table of that version
    reply, buffers = w._answer(
        {
            "type": "fetch",
            "req": 6,
            "what": "images",
            "version": "0",
            "cells": [{"row": 2, "col": 1}, {"row": 2, "col": 2}],
        }
    )
    assert [(i["row"], i["col"], i["mime"]) for i in reply["items"]] == [(2, 1, "image/png")]
    assert buffers[0][:8] == b"\x89PNG\r\n\x1a\n"
    rec = w.df["img"][2]
    assert rec["_type"] == "image" and len(buffers) == 1
    # a malformed request from the page is answered with nothing
    assert (
        w._answer({"type": "fetch", "req": 7, "what": "images", "version": "x,y", "cells": [{"row": 0, "col": 1}]})[0][
            "items"
        ]
        == []
    )
    run.finish()


def test_text_columns_keep_unicode_missing_values_and_mixed_kinds(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="u")
    data = [["é😀x", True, 1, None], [None, False, "two", [1, 2]], ["plain", None, 3.5, {"a": 1}]]
    run.log({"t": wbnb.Table(columns=["s", "b", "mixed", "obj"], data=data, allow_mixed_types=True)})
    w = _view(run, "t")
    reply, buffers = w._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    assert [c["kind"] for c in reply["columns"]] == ["text", "bool", "text", "text"]
    cols = _decode(reply, buffers)
    assert cols["s"] == ["é😀x", None, "plain"]
    assert cols["b"][:2] == [1.0, 0.0] and np.isnan(cols["b"][2])
    assert cols["mixed"] == ["1", "two", "3.5"] and cols["obj"] == [None, "[1, 2]", '{"a": 1}']
    run.log({"long": wbnb.Table(columns=["s"], data=[["x" * 10_000]])})
    w = _view(run, "long")
    (cell,) = w._snapshot["preview"]["rows"][0]  # cut in the saved state, whole in the columns
    assert len(cell) == PREVIEW_CHARS and cell.endswith("…")
    reply, buffers = w._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    assert _decode(reply, buffers)["s"] == ["x" * 10_000]
    run.finish()


def test_text_columns_come_ranked_in_natural_order(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="k")
    names = ["row-10", "row-2", None, "Row-3", "row-1", "row-2"]
    run.log({"t": wbnb.Table(columns=["name", "img"], data=[[n, _image(i)] for i, n in enumerate(names)])})
    w = _view(run, "t")
    reply, buffers = w._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    name, img = reply["columns"]
    codes = np.frombuffer(buffers[name["buf"] + 2], dtype=np.int32)
    ranks = np.frombuffer(buffers[name["buf"] + 3], dtype=np.int32)
    row_ranks = [None if c < 0 else int(ranks[c]) for c in codes]
    order = sorted(range(len(names)), key=lambda r: (row_ranks[r] is None, row_ranks[r] or 0, r))
    assert [names[r] for r in order] == ["row-1", "row-2", "row-2", "Row-3", "row-10", None]
    # the preview's rows carry the same ranks (among themselves); numbers none; media by their kind
    preview = w._snapshot["preview"]["ranks"]
    assert preview[0] == [r if r is not None else -1 for r in row_ranks] and preview[1] == [0] * 6
    assert img["kind"] == "media" and len(np.frombuffer(buffers[img["buf"] + 3], dtype=np.int32)) == 1
    run.finish()


def test_the_step_trait_moves_the_preview_and_df(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="s")
    _log_tables(run, range(0, 6, 2))
    w = _view(run)
    assert w.df["score"].tolist() == [40.0, 41.0, 42.0, 43.0]
    w.step = 2
    assert w._snapshot["preview"]["version"] == "2" and w._snapshot["preview"]["step"] == 2
    assert w.df["score"].tolist() == [20.0, 21.0, 22.0, 23.0]
    w.step = 3  # between two steps: the table last logged at or before it
    assert w.df["score"].tolist() == [20.0, 21.0, 22.0, 23.0]
    run.finish()


def test_a_table_read_back_gives_its_dataframe(store_dir: Any) -> None:
    import wbnb
    from wbnb.data.table import Table

    run = wbnb.init(project="p", name="r")
    _log_tables(run, range(1))
    w = _view(run)
    rec = w.tables.record(0, 0)
    assert rec is not None and rec["nrows"] == 4 and rec["columns"] == ["id", "img", "score", "label"]
    df = Table.from_record(rec, run._store.media).get_dataframe()
    assert list(df.columns) == ["id", "img", "score", "label"] and df["score"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert df["img"][0]["_type"] == "image"
    assert w.df.drop(columns="img").equals(df.drop(columns="img"))
    run.finish()


def _two_runs() -> list[Any]:
    import wbnb

    runs = []
    for name, ids in (("left", [1, 2, 3]), ("right", [2, 3, 4])):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        rows = [[i, _image(i * 50), float(i * 10 + len(name)), f"{name}-{i}"] for i in ids]
        run.log({"preds": wbnb.Table(columns=["id", "img", "score", "label"], data=rows)}, step=0)
        run.finish()
        runs.append(run)
    return runs


def test_several_runs_are_stacked_under_a_run_column(store_dir: Any) -> None:
    runs = _two_runs()
    w = _view(runs)
    df = w.df
    assert list(df.columns) == ["run", "id", "img", "score", "label"]
    assert df["run"].tolist() == ["left"] * 3 + ["right"] * 3 and df["id"].tolist() == [1, 2, 3, 2, 3, 4]
    # the image of a right-run row is read from that run's store
    reply, buffers = w._answer(
        {"type": "fetch", "req": 1, "what": "images", "version": "0,0", "cells": [{"row": 5, "col": 2}]}
    )
    assert len(reply["items"]) == 1 and buffers[0][:4] == b"\x89PNG"


def test_several_runs_joined_on_a_column(store_dir: Any) -> None:
    runs = _two_runs()
    w = _view(runs, join="id")
    df = w.df
    assert list(df.columns) == [
        "id",
        "img (left)",
        "score (left)",
        "label (left)",
        "img (right)",
        "score (right)",
        "label (right)",
    ]
    assert df["id"].tolist() == [1, 2, 3, 4]  # an outer join, in first-seen order
    assert df["label (left)"].tolist()[:3] == ["left-1", "left-2", "left-3"] and df["label (left)"].isna()[3]
    assert df["label (right)"].tolist()[1:] == ["right-2", "right-3", "right-4"] and df["label (right)"].isna()[0]
    reply, _ = w._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    assert reply["nrows"] == 4 and [c["kind"] for c in reply["columns"]][4] == "media"
    reply, buffers = w._answer(
        {"type": "fetch", "req": 2, "what": "images", "version": "0,0", "cells": [{"row": 3, "col": 4}]}
    )
    assert len(reply["items"]) == 1 and buffers[0][:4] == b"\x89PNG"


def test_new_steps_of_a_live_run_come_as_deltas(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets import TableView

    from ..harness import record

    run = wbnb.init(project="p", name="live")
    _log_tables(run, range(1))
    w = TableView(run, "preds", min_interval=3600)
    comm = record(w)
    _log_tables(run, range(1, 3))
    assert w._feed.tick() == "delta"
    ((data, bufs),) = comm.take()
    assert data["content"]["steps"] == [[0, 1, 2]] and bufs == []
    assert w._feed.tick() is None
    run.finish()
    w.close()


def test_picture_shows_the_first_rows_thumbnails_and_the_size_escaped(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="pic")
    data = [[i, _image(i * 30), XSS if i == 1 else f"r{i}"] for i in range(30)]
    run.log({"preds": wbnb.Table(columns=["id", "img", XSS], data=data)})
    w = _view(run)
    svg = w.to_svg()
    root = ET.fromstring(svg)
    words = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert any("30 rows × 3 columns" in t for t in words)
    shown = [t for t in words if t.startswith("<img src=x")]  # the column name and the cell, as text (clipped)
    assert len(shown) == 2 and svg.count("&lt;img src=x") == 2
    assert "<img" not in svg and not any(el.tag.endswith("script") for el in root.iter())
    assert len(list(root.iter(f"{NS}image"))) == 20  # a thumbnail per row shown
    assert "r19" in words and "r20" not in words and any("first 20 rows" in t for t in words)
    w.hidden = ["img"]
    assert not list(ET.fromstring(w.to_svg()).iter(f"{NS}image"))
    run.finish()


def test_a_key_with_no_table_yet_shows_an_empty_table_and_says_so(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="none")
    run.log({"loss": 1.0})
    w = _view(run, "preds")
    assert w._snapshot["preview"]["columns"] == [] and w._snapshot["steps"] == [[]]
    assert w.df.empty and "no table logged yet" in w.to_svg()
    reply, buffers = w._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    assert reply["nrows"] == 0 and reply["columns"] == [] and buffers == []
    run.finish()
