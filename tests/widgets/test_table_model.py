"""RunTable's Python half: flattening runs into columns, refresh, polling, saved state."""

from __future__ import annotations

import math
import struct
from pathlib import Path

from tests.waiting import wait_for
from wbnb.widgets.table import columnar, run_row


def _col(data: dict, key: str) -> dict:
    return next(c for c in data["columns"] if c["key"] == key)


def _nums(col: dict) -> list[float]:
    raw = bytes(col["values"])
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def test_rows_flatten_config_and_summary_and_skip_media() -> None:
    row = run_row(
        {
            "id": "a1",
            "name": "x",
            "state": "finished",
            "created_at": 100.0,
            "runtime": 5.0,
            "tags": ["t"],
            "config": {
                "lr": 0.1,
                "opt": {"name": "adam", "beta": [0.9, 0.99]},
                "wd": {"value": 0.01, "desc": None},
                "_private": 1,
            },
            "summary": {"val/acc": 0.9, "img": {"_type": "image-file", "path": "p"}, "_step": 3},
        }
    )
    assert row["config.lr"] == 0.1 and row["config.opt.name"] == "adam" and row["config.opt.beta"] == [0.9, 0.99]
    assert row["config.wd"] == 0.01 and "config._private" not in row
    assert row["summary.val/acc"] == 0.9 and not any(k.startswith("summary.img") for k in row)
    assert row["duration"] == 5.0 and row["created"] == 100.0


def test_columnar_types_numbers_as_float64_bytes_missing_as_nan() -> None:
    rows = [
        {
            "id": "a",
            "name": "n1",
            "created": 1.0,
            "duration": 2.0,
            "tags": [],
            "config.lr": 0.1,
            "config.act": "relu",
            "config.mix": 1,
            "summary.acc": float("inf"),
        },
        {"id": "b", "name": "n2", "created": 3.0, "duration": None, "tags": ["x"], "config.mix": "a"},
    ]
    data = columnar(rows)
    assert data["n"] == 2 and data["ids"] == ["a", "b"]
    keys = [c["key"] for c in data["columns"]]
    assert keys[:5] == ["name", "state", "created", "duration", "tags"]
    assert keys[5:] == ["config.act", "config.lr", "config.mix", "summary.acc"]
    assert _col(data, "config.lr")["type"] == "num"
    lr = _nums(_col(data, "config.lr"))
    assert lr[0] == 0.1 and math.isnan(lr[1])
    assert _col(data, "duration")["type"] == "dur" and math.isnan(_nums(_col(data, "duration"))[1])
    assert _col(data, "config.act") == {"key": "config.act", "type": "str", "values": ["relu", None]}
    assert _col(data, "config.mix")["type"] == "any"
    assert _col(data, "summary.acc")["type"] == "num"  # inf travels in float64 bytes


def test_refresh_and_poll_follow_new_runs_and_state_is_saved(store_dir: Path) -> None:
    import wbnb
    from wbnb.widgets import RunTable

    run = wbnb.init(project="p", name="first", config={"lr": 0.1})
    run.log({"loss": 1.0})
    table = RunTable("p", filter="config.lr > 0", sort=["-summary.loss", "name"], poll=0.1)
    try:
        assert table.run_ids == [run.id]
        assert _col(table._data, "state")["values"] == ["running"]
        assert _col(table._data, "summary.loss")["type"] == "num"  # a running run's summary is rebuilt
        run.finish()
        second = wbnb.init(project="p", name="second", reinit="create_new")
        second.finish()
        wait_for(lambda: _col(table._data, "state")["values"] == ["finished", "finished"], what="both runs finished")
        assert table.run_ids == [second.id, run.id]  # newest first
        state = table.get_state()
        assert state["filter"] == "config.lr > 0" and state["sort"] == ["-summary.loss", "name"]
        assert "_data" in state and "summary.loss" in table.all_columns
    finally:
        table.close()


def test_refresh_counts_revisions_and_sends_nothing_for_an_unchanged_project(store_dir: Path) -> None:
    import wbnb
    from wbnb.widgets import RunTable

    with wbnb.init(project="rev", name="one"):
        wbnb.log({"loss": 1.0})
    table = RunTable("rev")
    sent: list[object] = []
    table.observe(sent.append, names="_data")
    assert table._data["rev"] == 0
    table.refresh()
    assert not sent and table._data["rev"] == 0  # the same rows: nothing sent
    with wbnb.init(project="rev", name="two", reinit="create_new"):
        pass
    table.refresh()
    assert len(sent) == 1 and table._data["rev"] == 1 and table._data["n"] == 2
