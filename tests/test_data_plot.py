"""wbnb.plot: confusion matrices and curves checked against sklearn, table charts by their records."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics

from wbnb.data import Table, plot
from wbnb.store.media import MediaStore


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path)


def scores(n: int, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and somewhat informative, tied-in-places class scores."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    probs = rng.random((n, classes)).round(2) + np.eye(classes)[y] * 0.3
    return y, probs / probs.sum(axis=1, keepdims=True)


def plain(record: dict) -> dict:
    """The record after a JSON round trip (fails on numpy types, NaN and inf)."""
    return json.loads(json.dumps(record, allow_nan=False))


# --- confusion matrix ---------------------------------------------------------------------


def test_confusion_matrix_from_preds_matches_sklearn(store: MediaStore) -> None:
    y, probs = scores(200, 4)
    preds = probs.argmax(axis=1)
    record = plot.confusion_matrix(y_true=y, preds=preds, class_names=["a", "b", "c", "d"], title="cm").to_json(store)
    assert record == plain(record)
    assert record["_type"] == "confusion_matrix" and record["title"] == "cm"
    assert record["class_names"] == ["a", "b", "c", "d"]
    assert record["matrix"] == metrics.confusion_matrix(y, preds, labels=range(4)).tolist()


def test_confusion_matrix_from_probs_takes_the_argmax(store: MediaStore) -> None:
    y, probs = scores(50, 3, seed=1)
    record = plot.confusion_matrix(probs=probs, y_true=y).to_json(store)
    assert record["class_names"] == ["0", "1", "2"]
    assert record["matrix"] == metrics.confusion_matrix(y, probs.argmax(axis=1), labels=range(3)).tolist()


def test_confusion_matrix_accepts_class_name_labels(store: MediaStore) -> None:
    record = plot.confusion_matrix(y_true=["cat", "dog", "dog"], preds=["cat", "cat", "dog"]).to_json(store)
    assert record["class_names"] == ["cat", "dog"]
    assert record["matrix"] == [[1, 0], [1, 1]]


def test_confusion_matrix_errors_say_what_they_got() -> None:
    with pytest.raises(ValueError, match=r"y_true has 3 entries but preds has 2; they must match"):
        plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1])
    with pytest.raises(
        ValueError, match=r"preds holds the label 5, outside the 2 classes; accepted: ids 0..1 of \['no', 'yes'\]"
    ):
        plot.confusion_matrix(y_true=[0, 1], preds=[0, 5], class_names=["no", "yes"])
    with pytest.raises(
        ValueError, match=r"y_true holds the label 'cow', which is not a class name; accepted: \['cat', 'dog'\]"
    ):
        plot.confusion_matrix(y_true=["cow", "dog"], preds=["cat", "dog"], class_names=["cat", "dog"])
    with pytest.raises(ValueError, match=r"exactly one of probs or preds; got both"):
        plot.confusion_matrix(probs=[[0.1, 0.9]], y_true=[1], preds=[1])
    with pytest.raises(ValueError, match=r"got 2 class names \['a', 'b'\] but the probabilities have 3 columns"):
        plot.confusion_matrix(probs=np.ones((2, 3)), y_true=[0, 1], class_names=["a", "b"])


# --- ROC and PR curves ----------------------------------------------------------------------


def test_roc_curves_match_sklearn(store: MediaStore) -> None:
    y, probs = scores(300, 3, seed=2)
    record = plot.roc_curve(y, probs, labels=["a", "b", "c"], title="roc").to_json(store)
    assert record == plain(record)
    assert record["_type"] == "roc_curve" and record["title"] == "roc"
    assert [c["class"] for c in record["curves"]] == ["a", "b", "c"]
    for i, curve in enumerate(record["curves"]):
        fpr, tpr, _ = metrics.roc_curve(y == i, probs[:, i], drop_intermediate=False)
        np.testing.assert_allclose(curve["x"], fpr, atol=1e-12)
        np.testing.assert_allclose(curve["y"], tpr, atol=1e-12)
        assert curve["auc"] == pytest.approx(metrics.roc_auc_score(y == i, probs[:, i]), abs=1e-9)


def test_pr_curves_match_sklearn(store: MediaStore) -> None:
    y, probs = scores(300, 3, seed=3)
    record = plot.pr_curve(y, probs).to_json(store)
    assert record["_type"] == "pr_curve" and record == plain(record)
    for i, curve in enumerate(record["curves"]):
        precision, recall, _ = metrics.precision_recall_curve(y == i, probs[:, i])
        np.testing.assert_allclose(curve["x"], recall[::-1], atol=1e-12)
        np.testing.assert_allclose(curve["y"], precision[::-1], atol=1e-12)
        assert curve["auc"] == pytest.approx(metrics.average_precision_score(y == i, probs[:, i]), abs=1e-9)


def test_long_curves_are_thinned_keeping_the_ends_and_the_auc(store: MediaStore) -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 5000)
    p = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1)  # 1-D: the positive-class score
    record = plot.roc_curve(y, p).to_json(store)
    curve = record["curves"][1]
    assert len(curve["x"]) <= 500
    assert (curve["x"][0], curve["y"][0], curve["x"][-1], curve["y"][-1]) == (0.0, 0.0, 1.0, 1.0)
    assert curve["auc"] == pytest.approx(metrics.roc_auc_score(y, p), abs=1e-9)
    assert record["curves"][0]["auc"] == pytest.approx(metrics.roc_auc_score(y == 0, 1 - p), abs=1e-9)


def test_classes_to_plot_picks_by_id_or_name(store: MediaStore) -> None:
    y, probs = scores(60, 3, seed=5)
    by_id = plot.pr_curve(y, probs, labels=["a", "b", "c"], classes_to_plot=[2]).to_json(store)
    by_name = plot.pr_curve(y, probs, labels=["a", "b", "c"], classes_to_plot=["c"]).to_json(store)
    assert [c["class"] for c in by_id["curves"]] == ["c"]
    assert by_id == by_name
    with pytest.raises(ValueError, match=r"classes_to_plot holds the label 'z', which is not a class name"):
        plot.pr_curve(y, probs, labels=["a", "b", "c"], classes_to_plot=["z"])


def test_a_class_missing_from_y_true_is_left_out_with_a_warning(store: MediaStore) -> None:
    y = np.array([0, 1, 0, 1])
    probs = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.2, 0.3], [0.1, 0.8, 0.1]])
    with pytest.warns(UserWarning, match=r"no positive samples of class '2'"):
        record = plot.roc_curve(y, probs).to_json(store)
    assert [c["class"] for c in record["curves"]] == ["0", "1"]


def test_curve_errors_say_what_they_got() -> None:
    with pytest.raises(ValueError, match=r"y_true has 3 entries but y_probas has 2"):
        plot.roc_curve([0, 1, 1], [[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match=r"y_probas must be an \(N, C\) array.*got shape \(2, 2, 2\)"):
        plot.roc_curve([0, 1], np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"y_true holds the label 3, outside the 2 classes"):
        plot.roc_curve([0, 3], [[0.5, 0.5], [0.2, 0.8]])


# --- table charts ---------------------------------------------------------------------------


@pytest.fixture
def table() -> Table:
    return Table(columns=["step", "loss", "run"], data=[[0, 1.0, "a"], [1, 0.5, "a"], [0, 0.9, "b"]])


def test_table_charts_keep_their_fields_and_table(store: MediaStore, table: Table) -> None:
    charts = {
        "line": (
            plot.line(table, "step", "loss", stroke="run", title="t"),
            {"x": "step", "y": "loss", "stroke": "run"},
        ),
        "scatter": (plot.scatter(table, "step", "loss"), {"x": "step", "y": "loss"}),
        "bar": (plot.bar(table, "run", "loss"), {"label": "run", "value": "loss"}),
        "histogram": (plot.histogram(table, "loss"), {"value": "loss"}),
    }
    for kind, (chart, fields) in charts.items():
        record = chart.to_json(store)
        assert record == plain(record)
        assert (record["_type"], record["kind"], record["fields"]) == ("plot", kind, fields)
        assert record["table"]["columns"] == ["step", "loss", "run"] and record["table"]["nrows"] == 3
        assert json.loads(store.get(record["table"]["path"]))["data"] == table.data
    assert charts["line"][0].to_json(store)["title"] == "t"


def test_table_charts_name_the_missing_column(table: Table) -> None:
    with pytest.raises(
        ValueError,
        match=r"plot.line: the y column 'acc' is not in the table; available columns: \['step', 'loss', 'run'\]",
    ):
        plot.line(table, "step", "acc")
    with pytest.raises(ValueError, match=r"plot.bar: the label column 'name'"):
        plot.bar(table, "name", "loss")
    with pytest.raises(TypeError, match=r"expects a wbnb Table, got list"):
        plot.scatter([[1, 2]], "x", "y")


# --- line series ----------------------------------------------------------------------------


def test_line_series_with_shared_xs(store: MediaStore) -> None:
    record = plot.line_series(
        np.arange(3), [[1, 2, 3], np.array([1.0, 4.0, np.nan])], title="s", xname="epoch"
    ).to_json(store)
    assert record == plain(record)
    assert record == {
        "_type": "line_series",
        "xs": [[0, 1, 2], [0, 1, 2]],
        "ys": [[1, 2, 3], [1.0, 4.0, None]],
        "keys": ["key_0", "key_1"],
        "title": "s",
        "xname": "epoch",
    }


def test_line_series_with_one_xs_per_series(store: MediaStore) -> None:
    record = plot.line_series([[0, 1], [0, 2, 4]], [[5, 6], [7, 8, 9]], keys=["a", "b"]).to_json(store)
    assert record["xs"] == [[0, 1], [0, 2, 4]] and record["keys"] == ["a", "b"]


def test_line_series_errors_say_what_they_got() -> None:
    with pytest.raises(ValueError, match=r"series 1 has 2 x values but 3 y values"):
        plot.line_series([0, 1], [[1, 2], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"got 3 x sequences for 2 y series"):
        plot.line_series([[0], [0], [0]], [[1], [2]])
    with pytest.raises(ValueError, match=r"got 1 keys for 2 series"):
        plot.line_series([0], [[1], [2]], keys=["only"])


def test_every_plot_takes_wandbs_split_table_and_pr_curves_interp_size(table: Table) -> None:
    """wandb's docs pass ``split_table`` to each ``wandb.plot.*`` and ``interp_size`` to
    ``pr_curve`` (positionally before ``title``): a call copied from them must work here."""
    y, p = scores(60, 3)
    made = [
        plot.line(table, "step", "loss", title="t", split_table=False),
        plot.scatter(table, "step", "loss", "t", False),
        plot.bar(table, "run", "loss", title="t", split_table=False),
        plot.histogram(table, "loss", title="t", split_table=False),
        plot.line_series([0, 1], [[1, 2]], keys=["a"], title="t", xname="x", split_table=False),
        plot.roc_curve(y, p, None, None, "t", False),
        plot.pr_curve(y, p, None, None, 21, "t", False),
        plot.confusion_matrix(y_true=y, preds=y, title="t", split_table=False),
    ]
    assert all(c.fields["title"] == "t" for c in made if "title" in c.fields)
    with pytest.warns(UserWarning, match="split_table=True.*kept with the chart"):
        plot.scatter(table, "step", "loss", split_table=True)
