"""``wbnb.plot_table``: wandb's presets become the records ``wbnb.plot.*`` make; any
other spec is kept as a ``custom_chart`` over its table. Read back from a run."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb as wandb
from wbnb.data import Table, plot


def table() -> Table:
    return Table(columns=["step", "loss", "run"], data=[[0, 1.0, "a"], [1, 0.5, "a"], [0, 0.9, "b"]])


def logged(charts: dict) -> dict:
    """Log ``charts`` in one step and return the values as stored."""
    run = wandb.init(project="charts")
    run.log(charts)
    run.finish()
    stored = wandb.Api().run(f"charts/{run.id}")
    return stored.history(pandas=False)[0] | {"_run": stored}


def test_wandb_presets_are_stored_as_wbnb_plot_charts(store_dir: Path) -> None:
    t = table()
    rows = logged(
        {
            "line": wandb.plot_table("wandb/line/v0", t, {"x": "step", "y": "loss", "stroke": "run"}, {"title": "L"}),
            "same": plot.line(t, "step", "loss", stroke="run", title="L"),
            "bar": wandb.plot_table("wandb/bar/v0", t, {"label": "run", "value": "loss"}),
            "series": wandb.plot_table("wandb/lineseries/v0", t, {"step": "step", "lineKey": "run", "lineVal": "loss"}),
        }
    )
    assert rows["line"] == rows["same"]
    assert rows["line"]["kind"] == "line" and rows["line"]["title"] == "L"
    assert rows["bar"]["kind"] == "bar" and rows["bar"]["fields"] == {"label": "run", "value": "loss"}
    assert rows["series"]["fields"] == {"x": "step", "y": "loss", "stroke": "run"}


def test_wandbs_doc_example_with_a_constant_among_the_fields(store_dir: Path) -> None:
    t = Table(data=[[1, 1], [2, 2], [3, 3]], columns=["x", "y"])
    rows = logged(
        {"chart": wandb.plot_table("wandb/line/v0", t, {"x": "x", "y": "y", "title": "MY TITLE"}, {"title": "Title"})}
    )
    assert rows["chart"]["fields"] == {"x": "x", "y": "y", "stroke": None} and rows["chart"]["title"] == "Title"


def test_a_custom_spec_keeps_its_fields_and_table(store_dir: Path) -> None:
    rows = logged({"mine": wandb.plot_table("team/funnel/v2", table(), {"stage": "run", "n": "loss"}, {"title": "F"})})
    record = rows["mine"]
    assert record["_type"] == "custom_chart" and record["spec_name"] == "team/funnel/v2"
    assert record["fields"] == {"stage": "run", "n": "loss"} and record["string_fields"] == {"title": "F"}
    back = Table.from_record(record["table"], rows["_run"].media)
    assert back.columns == ["step", "loss", "run"] and back.data == table().data


def test_plot_table_errors_name_what_is_wrong() -> None:
    with pytest.raises(TypeError, match="data_table must be a wbnb Table, got list"):
        wandb.plot_table("wandb/line/v0", [[1, 2]], {"x": "x", "y": "y"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"needs fields \['y'\]"):
        wandb.plot_table("wandb/line/v0", table(), {"x": "step"})
    with pytest.raises(ValueError, match="the y column 'acc' is not in the table"):
        wandb.plot_table("wandb/scatter/v0", table(), {"x": "step", "y": "acc"})
    with pytest.raises(TypeError, match="fields must be a dict"):
        wandb.plot_table("team/spec", table(), ["step"])  # type: ignore[arg-type]


def test_split_table_is_accepted_and_said_to_mean_nothing_here() -> None:
    with pytest.warns(UserWarning, match="split_table=True.*kept with the chart"):
        chart = wandb.plot_table("wandb/histogram/v0", table(), {"value": "loss"}, split_table=True)
    assert chart.fields["kind"] == "histogram"
