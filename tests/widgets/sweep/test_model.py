"""The sweep panel's and Compare's Python half: importance ranks the parameter that drives
the metric first, correlations keep their sign, log axes where the distribution is log or a
positive column spans decades, the page's brushing becomes ``selected``, the trial rows,
best so far, Hyperband's traces and rungs, following a running sweep, and the picture."""

from __future__ import annotations

import builtins
import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_for
from wbnb.widgets.compare.importance import NO_SKLEARN, importance
from wbnb.widgets.compare.parallel import Row, parallel

from .fill import XSS, fill


def _rows(n: int = 40) -> list[Row]:
    rows = []
    for i in range(n):
        a, b = (i * 7919 % n) / n, (i * 104729 % 13) / 13
        rows.append(Row(str(i), f"r{i}", "finished", {"a": a, "b": b, "c": ["x", "y"][i % 2], "m": 3 * b - 0.1 * a}))
    return rows


def test_importance_ranks_the_driving_parameter_first_and_correlation_has_its_sign() -> None:
    ranked, method, note = importance(_rows(), ["a", "b", "c"], "m")
    assert [e["key"] for e in ranked][0] == "b" and "random-forest" in method and note == ""
    by = {e["key"]: e for e in ranked}
    assert by["b"]["correlation"] > 0.9 and by["a"]["correlation"] < 0  # type: ignore[operator]
    assert by["c"]["correlation"] is None  # a categorical has no Pearson correlation
    assert by["b"]["importance"] > by["a"]["importance"] > 0  # type: ignore[operator]


def test_without_scikit_learn_importance_says_so_and_keeps_correlation(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def no_sklearn(name: str, *a: Any, **k: Any) -> Any:
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    ranked, method, note = importance(_rows(), ["a", "b"], "m")
    assert note == NO_SKLEARN and "wbnb[sweeps]" in note and method == "Pearson correlation"
    assert ranked[0]["key"] == "b" and all(e["importance"] is None for e in ranked)


def test_log_axes_where_said_or_where_a_positive_column_spans_decades() -> None:
    rows = [
        Row(str(i), "r", "finished", {"wide": 10.0**i, "narrow": 1.0 + i, "neg": i - 2.0, "m": i}) for i in range(5)
    ]
    p = parallel(rows, [("wide", "wide"), ("narrow", "narrow"), ("neg", "neg")], ("m", "m"), logs={"narrow": True})
    logs = {a["key"]: a["log"] for a in p["axes"]}
    assert logs == {"wide": True, "narrow": True, "neg": False, "m": False}
    wide = [line["pos"][0] for line in p["lines"]]
    assert wide == pytest.approx([0, 0.25, 0.5, 0.75, 1])  # even steps of a decade
    assert [t["text"] for t in p["axes"][0]["ticks"]] == ["1", "10", "100", "1000", "10000"]


def test_sweep_panel_rows_best_so_far_hyperband_and_log_axis(store_dir: Path) -> None:
    from wbnb.widgets import SweepPanel

    book = fill()
    w = SweepPanel("sw/abcd1234", book=book, poll=None)  # type: ignore[arg-type]
    d = w._data
    assert d["params"] == ["lr", "dropout", "optimizer"]  # the constant epochs left out
    assert [a["label"] for a in d["parallel"]["axes"]] == ["lr", "dropout", "optimizer", "val_loss"]
    assert [a["log"] for a in d["parallel"]["axes"]] == [True, False, False, False]  # lr is log_uniform_values
    assert len(d["parallel"]["lines"]) == 12 and d["trials"][1]["name"] == XSS
    values = [r["value"] for r in d["trials"]]
    assert d["best"] == [min(values[: i + 1]) for i in range(12)]
    assert d["parallel"]["importance"][0]["key"] == "lr"
    cut = [t for t in d["traces"] if t["cut"] is not None]
    assert [len(t["y"]) for t in cut] == [2, 2, 2] and all(t["cut"] == 2 for t in cut)
    assert {len(t["y"]) for t in d["traces"] if t["cut"] is None} == {6}
    assert [r["band"] for r in d["rungs"]] == [2, 4]  # band 8: no run reached it


def test_brushing_message_selects_shown_runs_only(store_dir: Path) -> None:
    from wbnb.widgets import SweepPanel

    book = fill(n=6)
    w = SweepPanel("abcd1234", project="sw", book=book, poll=None)  # type: ignore[arg-type]
    ids = [t.run_id for t in book.list]
    w._on_request(w, {"type": "select", "ids": [ids[0], ids[2], "not-a-run", 3]}, [])
    assert w.selected == [ids[0], ids[2]]
    assert [r.id for r in w.selected_runs()] == [ids[0], ids[2]]
    w._on_request(w, {"type": "select", "ids": "nope"}, [])  # malformed: ignored
    assert w.selected == [ids[0], ids[2]]
    curves = w.curves(live=False)
    assert [r.id for r in curves.series.runs] == [ids[0], ids[2]]


def test_a_running_sweep_is_followed(store_dir: Path) -> None:
    import wbnb
    from wbnb.widgets import SweepPanel

    book = fill(n=4)
    w = SweepPanel("abcd1234", project="sw", book=book, poll=0.05)  # type: ignore[arg-type]
    run = wbnb.init(project="sw", name="late", config={"lr": 1e-3, "dropout": 0.1, "optimizer": "sgd"})
    book.add({"lr": 1e-3, "dropout": 0.1, "optimizer": "sgd", "epochs": 6}, "running", run.id)
    run.log({"val_loss": 0.25})
    wait_for(lambda: len(w._data["trials"]) == 5 and w._data["trials"][4]["value"] == 0.25, timeout=20)
    run.log({"val_loss": 0.125})
    wait_for(lambda: w._data["trials"][4]["value"] == 0.125, timeout=20)
    run.finish()
    book.update(4, state="finished", value=0.125)
    book.record = dataclasses.replace(book.record, state="FINISHED")
    wait_for(lambda: w._data["trials"][4]["state"] == "finished", timeout=20)
    wait_for(lambda: w.ended, timeout=20)  # the displayed pictures are redrawn once, now
    w.close()


def test_compare_any_project_metric_choice_and_picture(store_dir: Path) -> None:
    from wbnb.widgets import Compare

    fill(n=8)
    w = Compare("sw", poll=None)
    assert w._data["metrics"] == ["val_loss"] and w.metric == "val_loss" and w._data["runs"] == 8
    labels = [a["label"] for a in w.parallel["axes"]]
    assert labels == ["dropout", "lr", "optimizer", "val_loss"]  # epochs is the same in every run
    assert [a["log"] for a in w.parallel["axes"]][:2] == [False, True]  # lr spans 4 decades
    svg = w.to_svg()
    ET.fromstring(svg)
    assert "<img" not in svg and "&lt;img" in svg  # a hostile category (its tick, clipped), as text
    assert "random-forest importance" in svg


def test_sweep_picture_is_xml_with_user_strings_as_text(store_dir: Path) -> None:
    from wbnb.widgets import SweepPanel

    w = SweepPanel("abcd1234", project="sw", book=fill(), poll=None)  # type: ignore[arg-type]
    ids = [line["id"] for line in w.parallel["lines"]]
    w._on_request(w, {"type": "select", "ids": ids[:2]}, [])
    svg = w.to_svg()
    root = ET.fromstring(svg)
    assert XSS not in svg and root.iter()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert XSS in texts  # the hostile run name, as text
    assert "2 of 12 runs selected" in texts
    assert any(t and t.startswith("Hyperband") for t in texts) and "×" in texts


def test_compare_metric_chosen_on_the_page_is_read_again(store_dir: Path) -> None:
    import wbnb
    from wbnb.widgets import Compare

    for i in range(4):
        run = wbnb.init(project="m", config={"lr": 10.0**-i, "layers": i % 2}, reinit="create_new")
        run.log({"acc": 0.5 + i / 10, "loss": 1.0 / (i + 1)})
        run.finish()
    w = Compare("m", poll=None)
    assert w._data["metrics"] == ["acc", "loss"] and w.metric == "acc"
    assert w.parallel["axes"][-1]["label"] == "acc"
    w.set_state({"metric": "loss"})  # as the page's select sends it
    assert w.parallel["metric"] == "loss" and w._data["rev"] == 1
    assert w.parallel["lines"][0]["text"][-1] == "1"
    lr = next(e for e in w.parallel["importance"] if e["key"] == "lr")
    assert lr["correlation"] is not None and lr["correlation"] > 0  # loss falls as lr falls


def test_ended_trials_runs_are_read_once(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wbnb.widgets import SweepPanel

    book = fill(n=5)
    w = SweepPanel("abcd1234", project="sw", book=book, poll=None)
    first = w.data
    read: list[str] = []
    store = w.api.store
    for name in ("columns", "run"):
        real = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, _real=real, _n=name, **k: read.append(_n) or _real(*a, **k))
    book.update(0, state="finished")  # unchanged: every trial has ended
    w.refresh()
    assert read == [] and w.data == first
