"""SeriesSet: raw store rows -> one downsampled series per (run, key)."""

from __future__ import annotations

import numpy as np

from wbnb.store.local import LocalStore
from wbnb.widgets.curves.downsample import Y
from wbnb.widgets.curves.model import SeriesSet, sort_keys
from wbnb.widgets.runs import RunRef


def _ref(meta: dict | None = None) -> RunRef:
    return RunRef(store=LocalStore("/nonexistent"), project="p", id="r", name="r", meta=meta or {})


def _points(ss: SeriesSet, key: str) -> np.ndarray:
    return ss.series[(0, key)].buckets.points()


def test_keys_across_schemas_stay_in_order_and_non_numbers_are_skipped() -> None:
    rows = []
    for i in range(10):
        if i % 3 == 0:
            rows.append(
                (("loss", "val/acc", "img"), i, 100.0 + i, float(i), (1.0 / (i + 1), i / 10, {"_type": "image"}))
            )
        else:
            rows.append((("loss", "note"), i, 100.0 + i, float(i), (1.0 / (i + 1), "text")))
    ss = SeriesSet([_ref()])
    ss.ingest(0, rows)
    assert sorted(k for _, k in ss.series) == ["loss", "val/acc"]
    loss = _points(ss, "loss")
    assert loss[:, 1].tolist() == list(range(10)) and loss[:, 2].tolist() == [100.0 + i for i in range(10)]
    assert _points(ss, "val/acc")[:, 1].tolist() == [0, 3, 6, 9]


def test_an_int_too_large_for_a_float_is_skipped_like_inf_and_the_rest_still_updates() -> None:
    rows = [
        (("count", "loss"), i, 100.0 + i, float(i), (2**1030 if i == 2 else -(2**1030) if i == 3 else i, 0.5))
        for i in range(5)
    ]
    ss = SeriesSet([_ref()])
    ss.ingest(0, rows)  # raised OverflowError, which stopped the chart updating
    assert _points(ss, "count")[:, Y].tolist() == [0.0, 1.0, 4.0]
    assert set(_points(ss, "loss")[:, Y].tolist()) == {0.5}


def test_step_metric_is_forward_filled_across_batches_and_nan_dropped() -> None:
    ss = SeriesSet([_ref({"metrics": {"val/*": {"step_metric": "epoch"}}})], keys=["val/*"])
    ss.ingest(0, [(("epoch",), 0, 0.0, 0.0, (0,)), (("val/acc",), 1, 1.0, 1.0, (0.5,))])
    ss.ingest(
        0,
        [
            (("val/acc",), 2, 2.0, 2.0, (0.6,)),
            (("epoch",), 3, 3.0, 3.0, (1,)),
            (("val/acc",), 4, 4.0, 4.0, (float("nan"),)),
            (("val/acc",), 5, 5.0, 5.0, (0.7,)),
        ],
    )
    assert list(ss.series) == [(0, "val/acc")]  # keys= picks; epoch is not drawn
    p = _points(ss, "val/acc")
    assert p[:, 4].tolist() == [0, 0, 1] and p[:, 5].tolist() == [0.5, 0.6, 0.7]


def test_delta_then_snapshot() -> None:
    ss = SeriesSet([_ref()])
    ss.ingest(0, [(("a",), i, float(i), float(i), (float(i),)) for i in range(5)])
    content, buffers = ss.delta()
    assert content["upd"][0]["first"] == 0 and len(buffers[0]) == 5 * 6 * 8
    assert ss.delta() is None
    ss.ingest(0, [(("a",), 5, 5.0, 5.0, (5.0,))])
    snap = ss.snapshot()
    assert ss.delta() is None  # the snapshot carried it
    assert snap["series"][0]["count"] == 6
    assert snap["runs"] == [{"id": "r", "name": "r", "project": "p", "color": "#4c78a8"}]  # with its line colour


def test_sections_sort_unprefixed_first() -> None:
    assert sort_keys(["val/b", "z", "train/a", "a", "val/a"]) == ["a", "z", "train/a", "val/a", "val/b"]


def test_curves_chart_is_altair_and_set_chart_feeds_the_live_dataset(store_dir) -> None:  # type: ignore[no-untyped-def]
    import altair as alt

    import wbnb
    from wbnb.widgets import Curves

    run = wbnb.init(project="p")
    for i in range(30):
        run.log({"loss": 1 / (i + 1)})
    run.finish()
    w = Curves(run, live=False)
    chart = w.chart("loss")
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    values = next(iter(spec["datasets"].values()))
    assert len(values) == 30 and {"rid", "run", "s", "y", "ys"} <= set(values[0])
    custom = alt.Chart(w.series.frame("loss")).mark_point().encode(x="s:Q", y="y:Q", color="rid:N")
    w.set_chart("loss", custom)
    assert w._custom["loss"]["data"] == {"name": "points"} and "datasets" not in w._custom["loss"]
    assert w.chart("loss") is not None
    w.set_chart("loss", None)
    assert w._custom == {}


def test_loading_columns_gives_the_buckets_ingesting_rows_gives(store_dir) -> None:  # type: ignore[no-untyped-def]
    import math

    import wbnb
    from wbnb.widgets.runs import resolve_runs

    run = wbnb.init(project="p")
    run.define_metric("val/*", step_metric="epoch")
    for i in range(5000):
        row = {"loss": math.sin(i / 50) + (5.0 if i == 1234 else 0.0), "n": i}
        if i % 7 == 0:
            row |= {"val/acc": i / 5000, "epoch": i // 700, "gap": math.nan if i % 2 else 1.0}
        if i % 1000 == 0:
            row["note"] = "text"
        run.log(row)
    run.finish()
    refs = resolve_runs(f"p/{run.id}")
    by_columns, by_rows = SeriesSet(refs, max_buckets=100), SeriesSet(refs, max_buckets=100)
    by_columns.load_columns(0, refs[0].store.columns("p", run.id))
    by_rows.ingest(0, refs[0].store.rows("p", run.id)[0])
    assert list(by_columns.series) == list(by_rows.series)
    for key, s in by_rows.series.items():
        other = by_columns.series[key]
        assert (other.step_metric, other.buckets.width, other.buckets.count) == (
            s.step_metric,
            s.buckets.width,
            s.buckets.count,
        )
        np.testing.assert_array_equal(other.buckets.points(), s.buckets.points())
    assert by_columns._last_metric == by_rows._last_metric
    assert _points(by_columns, "loss")[:, 5].max() > 4  # the spike (sin + 5) survives


def test_the_altair_chart_is_the_template_the_page_draws() -> None:
    import pandas as pd

    from wbnb.widgets.curves.template import altair_chart, as_spec, template_spec

    points = pd.DataFrame({"rid": ["a"], "s": [1.0], "y": [2.0], "ys": [2.0]})
    for runs in ([("a", "#4c78a8")], [("a", "#4c78a8"), ("b", "#f58518")]):
        spec = template_spec("loss", runs, width=300, height=150)
        made = as_spec(altair_chart(spec, points))
        made.pop("$schema", None)
        assert made == spec


def test_making_a_curves_imports_no_altair(store_dir) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    code = (
        "import sys, wbnb\n"
        "from wbnb.widgets import Curves\n"
        "run = wbnb.init(project='p')\n"
        "run.log({'loss': 1.0})\n"
        "Curves(run, live=False)\n"
        "print('altair' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
