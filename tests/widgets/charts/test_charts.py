"""Charts' model against a real store: each plot.* record read back, its legend, spec and rows;
steps, several runs, large tables, custom charts, the altair chart and the picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest

XSS = "<img src=x onerror=alert(1)>"
LABELS = ["cat", "dog", "bird"]


def scores(seed: int, n: int = 300, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Labels and (n, k) class scores that rank the true class high, more or less."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    p = rng.random((n, k))
    p[np.arange(n), y] += 0.6
    return y, p / p.sum(axis=1, keepdims=True)


def charts(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import Charts

    return Charts(runs, min_interval=3600, **kw)


def table(n: int) -> Any:
    import wbnb

    return wbnb.Table(
        columns=["epoch", "acc", "split"], data=[[i, (i % 7) / 7, "train" if i % 2 else "val"] for i in range(n)]
    )


def layer(state: Any) -> dict[str, Any]:
    """The data's layer of a chart's spec (ROC's chance line comes first)."""
    spec: dict[str, Any] = state["spec"]["layer"][-1]
    return spec


def test_roc_and_pr_legends_carry_each_class_auc(store_dir: Any) -> None:
    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name="clf")
    roc, pr = wbnb.plot.roc_curve(y, p, labels=LABELS, title="ROC"), wbnb.plot.pr_curve(y, p, labels=LABELS)
    run.log({"val/roc": roc, "val/pr": pr})
    run.finish()
    w = charts(run)
    assert w.chart_keys == ["val/roc", "val/pr"]
    state = w.charts.chart("val/roc")
    aucs = [c["auc"] for c in roc.fields["curves"]]
    assert [item["label"] for item in state["legend"]] == [f"{n} (AUC {a:.2f})" for n, a in zip(LABELS, aucs)]
    assert state["title"] == "ROC" and state["kind"] == "roc"
    enc = layer(state)["encoding"]
    assert enc["color"]["scale"]["domain"] == [item["label"] for item in state["legend"]]
    assert enc["x"]["title"] == "False positive rate" and enc["y"]["title"] == "True positive rate"
    assert state["spec"]["layer"][0]["data"]["values"] == [{"x": 0, "y": 0}, {"x": 1, "y": 1}]  # chance
    assert state["spec"]["data"] == {"name": "table"}
    n = sum(len(c["x"]) for c in roc.fields["curves"])
    assert len(state["data"]["x"]) == len(state["data"]["s"]) == n
    pr_state = w.charts.chart("val/pr")
    aps = [c["auc"] for c in pr.fields["curves"]]
    assert [item["label"] for item in pr_state["legend"]] == [f"{n} (AP {a:.2f})" for n, a in zip(LABELS, aps)]
    assert layer(pr_state)["encoding"]["x"]["title"] == "Recall" and len(pr_state["spec"]["layer"]) == 1


def test_auc_computed_when_a_record_lacks_it() -> None:
    from wbnb.data.plot import _pr, _roc
    from wbnb.widgets.charts.records import Version, draw

    positive = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=bool)
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    fpr, tpr, auc = _roc(positive, score)
    recall, precision, _ = _pr(positive, score)
    for kind, (x, yv), what, area in (
        ("roc_curve", (fpr, tpr), "AUC", auc),
        ("pr_curve", (recall, precision), "AP", float(np.sum(np.diff(recall) * precision[1:]))),
    ):
        rec = {"_type": kind, "curves": [{"class": "pos", "x": x.tolist(), "y": yv.tolist()}]}
        d = draw("k", [Version("r", "#000", rec, lambda path: b"")])
        assert d.legend[0]["label"] == f"pos ({what} {area:.2f})"


def test_table_charts_line_scatter_bar_histogram_and_line_series(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    t = table(40)
    run.log(
        {
            "line": wbnb.plot.line(t, "epoch", "acc", stroke="split", title="Accuracy"),
            "scatter": wbnb.plot.scatter(t, "epoch", "acc"),
            "bar": wbnb.plot.bar(table(4), "split", "acc", title="by split"),
            "hist": wbnb.plot.histogram(t, "acc"),
            "series": wbnb.plot.line_series([0, 1, 2], [[1, 2, 3], [3, 2, 1]], keys=["up", "down"], xname="epoch"),
            "preset": wbnb.plot_table("wandb/scatter/v0", t, {"x": "epoch", "y": "acc"}, {"title": "preset"}),
        }
    )
    run.finish()
    w = charts(run)
    line = w.charts.chart("line")
    assert line["title"] == "Accuracy" and line["kind"] == "line"
    assert sorted(item["label"] for item in line["legend"]) == ["train", "val"]
    enc = layer(line)["encoding"]
    assert (enc["x"]["title"], enc["y"]["title"]) == ("epoch", "acc") and enc["x"]["type"] == "quantitative"
    assert len(line["data"]["x"]) == 40
    scatter = w.charts.chart("scatter")
    assert layer(scatter)["mark"]["type"] == "point" and len(scatter["data"]["y"]) == 40
    bar = w.charts.chart("bar")
    assert layer(bar)["mark"]["type"] == "bar" and layer(bar)["encoding"]["x"]["type"] == "nominal"
    assert bar["data"]["x"] == ["val", "train", "val", "train"]
    hist = w.charts.chart("hist")
    assert sum(hist["data"]["y"]) == 40  # every value counted once, in bins [x, x2)
    assert all(a < b for a, b in zip(hist["data"]["x"], hist["data"]["x2"]))
    assert layer(hist)["encoding"]["x2"] == {"field": "x2"}
    series = w.charts.chart("series")
    assert [item["label"] for item in series["legend"]] == ["up", "down"]
    assert layer(series)["encoding"]["x"]["title"] == "epoch"
    assert w.charts.chart("preset")["kind"] == "scatter" and w.charts.chart("preset")["title"] == "preset"


def test_a_bar_chart_with_a_stroke_column_draws_its_bars_side_by_side(store_dir: Any) -> None:
    import wbnb
    from wbnb.data.plot import _table_chart
    from wbnb.widgets.charts.model import decoded

    t = wbnb.Table(columns=["class", "split", "n"], data=[["cat", "train", 3], ["cat", "test", 1], ["dog", "train", 2]])
    run = wbnb.init(project="p", name="r")
    run.log({"bars": _table_chart("bar", t, {"label": "class", "value": "n", "stroke": "split"}, None)})
    run.finish()
    w = charts(run)
    state = w.charts.chart("bars")
    assert [item["label"] for item in state["legend"]] == ["train", "test"]
    assert layer(state)["encoding"]["xOffset"]["field"] == "s"  # grouped within a label, not stacked
    rows = list(zip(*(decoded(state)[c] for c in ("x", "s", "y"))))
    assert rows == [("cat", "train", 3), ("dog", "train", 2), ("cat", "test", 1)]
    assert w._picture().markup().count("<rect") >= 3 + 1  # the three bars and the frame


def test_a_chart_with_nothing_to_draw_says_so(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    run.log({"h": wbnb.plot.histogram(wbnb.Table(columns=["v"], data=[["a"], [None]]), "v")})
    run.finish()
    state = charts(run).charts.chart("h")
    assert state["data"] == {} and "nothing to draw" in state["note"]
    assert "nothing to draw" in charts(run)._picture().markup()


def test_a_large_table_is_sampled_and_says_so(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets.charts.contract import MAX_ROWS

    run = wbnb.init(project="p", name="r")
    big = wbnb.Table(columns=["x", "y"], data=[[i, float(i) ** 0.5] for i in range(12_000)])
    run.log({"big": wbnb.plot.line(big, "x", "y"), "hist": wbnb.plot.histogram(big, "y")})
    run.finish()
    w = charts(run)
    state = w.charts.chart("big")
    xs = state["data"]["x"]
    assert len(xs) == MAX_ROWS and xs[0] == 0 and xs[-1] == 11_999  # evenly, ends kept
    assert "12,000 rows, 5,000 drawn" in state["note"]
    assert "5,000 drawn" in state["spec"]["title"]["subtitle"]
    assert sum(w.charts.chart("hist")["data"]["y"]) == 12_000  # binned in Python: nothing sampled
    from wbnb.widgets.charts.picture import PLOT_W, panel

    line = panel(state).body.split('<polyline fill="none"', 1)[1].split("/>", 1)[0]
    assert len(line.split('points="', 1)[1].split()) <= 2 * (
        PLOT_W + 1
    )  # thinned as Curves' lines: extremes per column


def test_custom_chart_of_an_unknown_spec_is_a_note_over_its_rows(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    run.log({"cc": wbnb.plot_table("me/funnel/v1", table(30), {"stage": "split", "n": "epoch"}, {"title": "Funnel"})})
    run.finish()
    w = charts(run)
    state = w.charts.chart("cc")
    assert state["kind"] == "custom" and state["spec"] == {} and state["title"] == "Funnel"
    (t,) = state["custom"]
    assert t["spec_name"] == "me/funnel/v1" and t["fields"] == {"stage": "split", "n": "epoch"}
    assert t["columns"] == ["epoch", "acc", "split"] and t["total"] == 30 and len(t["rows"]) == 12
    assert t["rows"][1] == ["1", str(1 / 7), "train"]
    with pytest.raises(ValueError, match="me/funnel/v1"):
        w.chart("cc")
    svg = w._picture().markup()
    assert "me/funnel/v1" in svg and "stage → split" in svg


def test_steps_newest_in_snapshot_older_on_fetch_and_deltas(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    for step, seed in ((0, 1), (5, 2)):
        y, p = scores(seed, n=60)
        run.log({"roc": wbnb.plot.roc_curve(y, p, labels=LABELS)}, step=step)
    w = charts(run)
    (snap,) = w._snapshot["charts"]
    assert snap["steps"] == [0, 5] and snap["step"] == 5
    reply, buffers = w._answer({"type": "fetch", "req": 3, "key": "roc", "step": 0})
    assert buffers == [] and reply["req"] == 3 and reply["chart"]["step"] == 0
    assert reply["chart"]["legend"] != snap["legend"] and reply["chart"]["data"] != snap["data"]
    assert w._answer({"type": "fetch", "req": 4, "key": "nope", "step": 0})[0]["chart"] is None
    assert w._answer({"type": "fetch", "key": "roc", "step": 0}) is None  # not a fetch the page makes
    y, p = scores(3, n=60)
    run.log({"roc": wbnb.plot.roc_curve(y, p, labels=LABELS)}, step=9)
    w._feed.tick(final=False)
    w.flush()
    assert w._snapshot["charts"][0]["steps"] == [0, 5, 9]
    run.finish()
    w.close()


def test_delta_carries_the_keys_logged_anew(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets.charts.model import ChartSet
    from wbnb.widgets.runs import resolve_runs

    run = wbnb.init(project="p", name="r")
    run.finish()
    rec = {"_type": "line_series", "xs": [[0, 1]], "ys": [[1, 2]], "keys": ["a"], "title": None}
    model = ChartSet(resolve_runs(run))
    model.ingest(0, [(["s", "loss"], 0, 0.0, 0.0, [rec, 1.0])])
    assert [c["key"] for c in model.snapshot()["charts"]] == ["s"]
    assert model.delta() is None
    model.ingest(0, [(["s"], 1, 0.0, 0.0, [rec])])
    delta, buffers = model.delta()  # type: ignore[misc]
    assert [(c["key"], c["steps"]) for c in delta["upd"]] == [("s", [0, 1])] and buffers == []


def test_two_runs_overlaid_each_in_its_colour(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets.charts.model import decoded

    runs = []
    for name, seed in (("alpha", 0), ("beta", 1)):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        y, p = scores(seed)
        run.log({"roc": wbnb.plot.roc_curve(y, p, labels=LABELS[:2] + ["bird"])})
        run.log({"acc": wbnb.plot.line(table(10), "epoch", "acc")})
        run.finish()
        runs.append(run)
    w = charts(runs)
    state = w.charts.chart("roc")
    labels = [item["label"] for item in state["legend"]]
    assert len(labels) == 6 and labels[0].startswith("alpha · cat (AUC ") and labels[3].startswith("beta · cat (AUC ")
    colors = w.charts.colors
    assert [item["color"] for item in state["legend"]] == [colors[runs[0].id]] * 3 + [colors[runs[1].id]] * 3
    assert len({tuple(item["dash"]) for item in state["legend"][:3]}) == 3  # classes told apart by dash
    assert "strokeDash" in layer(state)["encoding"]
    assert set(decoded(state)["run"]) == {"alpha", "beta"}
    line = w.charts.chart("acc")
    assert [item["label"] for item in line["legend"]] == ["alpha", "beta"]


def test_chart_is_an_altair_chart_that_validates(store_dir: Any) -> None:
    import altair as alt

    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name="r")
    t = table(20)
    run.log(
        {
            "roc": wbnb.plot.roc_curve(y, p, labels=LABELS),
            "pr": wbnb.plot.pr_curve(y, p),
            "line": wbnb.plot.line(t, "epoch", "acc", stroke="split"),
            "scatter": wbnb.plot.scatter(t, "epoch", "acc"),
            "bar": wbnb.plot.bar(t, "split", "acc"),
            "hist": wbnb.plot.histogram(t, "acc"),
            "series": wbnb.plot.line_series([0, 1], [[1, 2]]),
        }
    )
    run.finish()
    w = charts(run)
    for key in w.chart_keys:
        chart = w.chart(key)
        assert isinstance(chart, alt.LayerChart)
        spec = chart.to_dict()  # validates against Vega-Lite's schema
        assert spec["layer"][-1]["encoding"]["color"]["field"] == "s"
        rows = spec["datasets"][spec["data"]["name"]]
        assert len(rows) == len(w.charts.chart(key)["data"]["x"])
    assert list(w.data("roc").columns) == ["x", "y", "s", "i"]  # "run" too with several runs
    with pytest.raises(KeyError):
        w.chart("missing")


def test_picture_draws_lines_legend_with_auc_and_escapes_text(store_dir: Any) -> None:
    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name=XSS)
    run.log({XSS: wbnb.plot.roc_curve(y, p, labels=[XSS, "dog", "bird"], title=XSS)})
    run.log({"bars": wbnb.plot.bar(table(4), "split", "acc"), "hist": wbnb.plot.histogram(table(50), "acc")})
    run.finish()
    w = charts(run)
    svg = w._picture().markup()
    assert XSS not in svg and "&lt;img src=x onerror=alert(1)&gt; (AUC " in svg
    assert svg.count("<polyline") == 3 and 'stroke-dasharray="4 4"' in svg  # a curve per class, the chance line
    assert svg.count("<rect") > 4  # the bars and bins
    assert "(AUC " in svg and "False positive rate" in svg
    ET.fromstring(svg)  # well-formed whatever the names hold
    data, _ = w._repr_mimebundle_()
    assert data["image/svg+xml"] == svg and data["text/plain"].startswith("wbnb Charts")


def test_picture_draws_the_step_the_viewer_chose(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    for step in (0, 3):
        y, p = scores(step, n=50)
        run.log({"roc": wbnb.plot.roc_curve(y, p, labels=LABELS)}, step=step)
    run.finish()
    w = charts(run)
    assert "step 3 (2/2)" in w._picture().markup()
    w.steps_shown = {"roc": 0}
    svg = w._picture().markup()
    first = w.charts.chart("roc", 0)
    assert "step 0 (1/2)" in svg and first["legend"][0]["label"] in svg


def test_snapshot_carries_each_label_once_and_curves_thinned(store_dir: Any) -> None:
    import json

    import wbnb
    from wbnb.data.plot import MAX_CURVE_POINTS

    y, p = scores(0, n=20_000, k=10)
    run = wbnb.init(project="p", name="r")
    run.log({"roc": wbnb.plot.roc_curve(y, p)})
    run.finish()
    (state,) = charts(run)._snapshot["charts"]
    assert len(state["data"]["x"]) <= 10 * MAX_CURVE_POINTS
    assert len(state["codes"]["s"]) == 10 and set(state["data"]["s"]) == set(range(10))
    assert "run" not in state["data"]  # one run: its name is not repeated per point
    assert len(json.dumps(state)) < 120_000  # ~22 bytes a point: x, y to 4 decimals, series index, order
