"""wbnb.sklearn against a real store: each plot_* logs wandb's key, the records read back
have the right shape, Charts (ConfusionMatrix for the matrix) draws them, the user's model
is never refitted, and bad input warns and logs nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split

from wbnb.integration.sklearn.checks import RefitNotice

LABELS = ["no", "yes"]


def charts(run: Any) -> Any:
    from wbnb.widgets import Charts

    return Charts(run, min_interval=3600)


def record(w: Any, key: str) -> tuple[dict[str, Any], list[str], list[list[Any]]]:
    """A key's logged record as read back from the store, with its table's columns and rows."""
    rec = w.charts.entries[key][0].recs[-1]
    body = json.loads(w.charts.runs[0].store.media(rec["table"]["path"]))
    return rec, body["columns"], body["data"]


def logged_keys(run: Any) -> set[str]:
    import wbnb

    history = wbnb.Api().run(f"{run.project}/{run.id}").history()
    return {c for c in history.columns if not c.startswith("_")}


@pytest.fixture
def binary() -> tuple[Any, ...]:
    X, y = make_classification(n_samples=240, n_features=6, n_informative=4, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, y_train)
    return model, X_train, X_test, y_train, y_test


def test_import_wbnb_does_not_import_sklearn_and_wbnb_sklearn_is_an_attribute() -> None:
    code = (
        "import sys, wbnb; from wbnb import *; assert 'sklearn' not in sys.modules, 'import wbnb imported sklearn';"
        "from wbnb.sklearn import plot_roc; assert wbnb.sklearn.plot_roc is plot_roc;"
        "import wbnb.integration.sklearn as s; print(len(s.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "15"


def test_without_scikit_learn_wbnb_sklearn_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None; import wbnb\n"
        "try:\n    wbnb.sklearn\nexcept ModuleNotFoundError as e:\n    print(e.name, e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "sklearn wbnb.sklearn charts scikit-learn models: pip install scikit-learn"


def test_plot_classifier_logs_wandb_keys_drawn_by_charts(store_dir: Any, binary: tuple[Any, ...]) -> None:
    import wbnb
    from wbnb.widgets import ConfusionMatrix

    model, X_train, X_test, y_train, y_test = binary
    trees = [t.tree_.node_count for t in model.estimators_]
    run = wbnb.init(project="p")
    names = [f"f{i}" for i in range(6)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefitNotice)
        wbnb.sklearn.plot_classifier(
            model,
            X_train,
            X_test,
            y_train,
            y_test,
            model.predict(X_test),
            model.predict_proba(X_test),
            LABELS,
            model_name="RF",
            feature_names=names,
            log_learning_curve=True,
        )
    run.finish()
    assert [t.tree_.node_count for t in model.estimators_] == trees  # the model was not refitted
    drawn = {
        "feature_importances",
        "learning_curve",
        "summary_metrics",
        "class_proportions",
        "calibration_curve",
        "roc",
        "precision_recall",
    }
    assert logged_keys(run) == drawn | {"confusion_matrix"}
    w = charts(run)
    snapshot = w.charts.snapshot()["charts"]
    assert {c["key"] for c in snapshot} == drawn
    assert all(c["data"].get("y") and c["legend"] for c in snapshot)  # every chart has series to draw

    _, columns, rows = record(w, "feature_importances")
    assert columns == ["feature_names", "importances"] and sorted(r[0] for r in rows) == names
    assert [r[1] for r in rows] == sorted(model.feature_importances_, reverse=True)
    _, columns, rows = record(w, "learning_curve")
    assert columns == ["dataset", "score", "train_size"] and len(rows) == 10
    assert sorted(i["label"] for i in w.charts.chart("learning_curve")["legend"]) == ["test", "train"]
    _, columns, rows = record(w, "summary_metrics")
    assert [r[0] for r in rows] == ["accuracy_score", "precision", "recall", "f1_score"]
    assert rows[0][2] == "RandomForestClassifier" and 0.5 < rows[0][1] <= 1
    _, columns, rows = record(w, "calibration_curve")
    assert columns == ["model", "fraction_of_positives", "mean_predicted_value", "hist_dict", "edge_dict"]
    models = [i["label"] for i in w.charts.chart("calibration_curve")["legend"]]
    assert models == ["Perfectly calibrated", "Logistic", "RF Isotonic", "RF Sigmoid"]
    roc = w.charts.chart("roc")
    assert roc["kind"] == "roc" and [i["label"].split(" (")[0] for i in roc["legend"]] == LABELS
    assert w.charts.chart("precision_recall")["kind"] == "pr"

    matrices = ConfusionMatrix(run, min_interval=3600).matrices
    (series,) = matrices.snapshot()["series"]
    assert series["key"] == "confusion_matrix" and series["k"] == 2
    assert sum(np.frombuffer(series["data"], dtype=np.float64)) == len(y_test)


def test_class_proportions_are_bars_side_by_side_per_class(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p")
    wbnb.sklearn.plot_class_proportions([0, 0, 1, 2, 2, 2], [0, 1, 1], ["cat", "dog", "owl"])
    run.finish()
    w = charts(run)
    _, columns, rows = record(w, "class_proportions")
    assert columns == ["class", "dataset", "count"]
    assert rows == [["cat", "train", 2], ["cat", "test", 1], ["dog", "train", 1], ["dog", "test", 2]] + [
        ["owl", "train", 3],
        ["owl", "test", 0],
    ]
    state = w.charts.chart("class_proportions")
    assert [i["label"] for i in state["legend"]] == ["train", "test"]
    assert state["spec"]["layer"][-1]["encoding"]["xOffset"]["field"] == "s"  # grouped, not stacked
    assert "<rect" in w._picture().markup()


def test_plot_regressor_leaves_the_model_as_it_was(store_dir: Any) -> None:
    import wbnb

    X, y = make_regression(n_samples=200, n_features=4, noise=5.0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = Ridge().fit(X_train[:40], y_train[:40])
    coef = model.coef_.copy()
    run = wbnb.init(project="p")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefitNotice)
        wbnb.sklearn.plot_regressor(model, X_train, X_test, y_train, y_test, "Ridge")
    run.finish()
    assert np.array_equal(model.coef_, coef)  # wandb refits it on X_train; wbnb fits copies
    keys = {"summary_metrics", "learning_curve", "outlier_candidates", "residuals"}
    assert logged_keys(run) == keys
    w = charts(run)
    assert set(w.chart_keys) == keys and all(w.charts.chart(k)["data"]["y"] for k in keys)
    _, columns, rows = record(w, "summary_metrics")
    assert [r[0] for r in rows] == ["mae", "mse", "r2_score"]
    rec, columns, rows = record(w, "outlier_candidates")
    assert columns == ["distance", "instance_indicies", "outlier_percentage", "influence_threshold"]
    assert len(rows) == len(X_train) and rows[0][3] == pytest.approx(4 / len(X_train))
    assert w.charts.chart("outlier_candidates")["kind"] == "bar"
    _, columns, rows = record(w, "residuals")
    assert columns == ["dataset", "y_pred", "residuals", "train_score", "test_score"]
    splits = [r[0] for r in rows]
    assert (splits.count("train"), splits.count("test")) == (100, 30)  # 80 / 20 of 150, at most 100 each
    assert w.charts.chart("residuals")["kind"] == "scatter"


def test_plot_clusterer_kmeans_elbow_and_silhouette(store_dir: Any) -> None:
    import wbnb

    X, _ = make_blobs(n_samples=120, centers=3, n_features=2, random_state=0)
    kmeans = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
    centers = kmeans.cluster_centers_.copy()
    run = wbnb.init(project="p")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefitNotice)
        wbnb.sklearn.plot_clusterer(kmeans, X, kmeans.labels_, model_name="KMeans")
    run.finish()
    assert np.array_equal(kmeans.cluster_centers_, centers) and kmeans.n_clusters == 3
    assert logged_keys(run) == {"elbow_curve", "silhouette_plot"}
    w = charts(run)
    _, columns, rows = record(w, "elbow_curve")
    assert columns == ["cluster_ranges", "errors", "clustering_time"] and [r[0] for r in rows] == [1, 3, 5, 7, 9]
    assert rows[0][1] > rows[1][1] > 0  # more clusters, less error
    _, columns, rows = record(w, "silhouette_plot")
    assert columns[:5] == ["x", "y", "colors", "centerx", "centery"] and len(rows) == len(X)
    silhouette = w.charts.chart("silhouette_plot")
    assert [i["label"] for i in silhouette["legend"]] == ["0", "1", "2"]
    assert silhouette["title"].startswith("Silhouette (average ")
    assert rows[0][3] is not None  # KMeans: the cluster's centre


def test_confusion_matrix_normalized_rows_and_feature_importances_of_a_linear_model(
    store_dir: Any, binary: tuple[Any, ...]
) -> None:
    import wbnb

    _, X_train, _, y_train, _ = binary
    logistic = LogisticRegression().fit(X_train, y_train)
    run = wbnb.init(project="p")
    wbnb.sklearn.plot_confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], LABELS, normalize=True)
    wbnb.sklearn.plot_feature_importances(logistic, max_num_features=3)
    run.finish()
    w = charts(run)
    from wbnb.widgets import ConfusionMatrix

    (series,) = ConfusionMatrix(run, min_interval=3600).matrices.snapshot()["series"]
    assert np.frombuffer(series["data"], dtype=np.float64).tolist() == [0.5, 0.5, 0.33, 0.67]
    _, _, rows = record(w, "feature_importances")
    top = np.argsort(logistic.coef_[0])[::-1][:3]
    assert [r[0] for r in rows] == top.tolist()  # feature indices, largest coefficient first


def _bad_calls(binary: tuple[Any, ...]) -> list[tuple[str, Any, dict[str, Any]]]:
    import wbnb

    model, X_train, X_test, y_train, y_test = binary
    sk = wbnb.sklearn
    X_nan = X_train.copy()
    X_nan[0, 0] = np.nan
    X_inf = X_train.copy()
    X_inf[1, 1] = np.inf
    probas_nan = model.predict_proba(X_test)
    probas_nan[2] = np.nan
    three = np.arange(len(y_train)) % 3
    continuous = X_train[:, 0]
    return [
        ("y_true is None", sk.plot_roc, {"y_probas": model.predict_proba(X_test)}),
        ("y_pred is None", sk.plot_confusion_matrix, {"y_true": y_test}),
        ("outside the 2 classes", sk.plot_roc, {"y_true": y_test + 5, "y_probas": model.predict_proba(X_test)}),
        ("not a scikit-learn classifier or regressor", sk.plot_feature_importances, {"model": KMeans()}),
        (
            "not fitted",
            sk.plot_summary_metrics,
            {"model": Ridge(), "X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test},
        ),
        ("1 missing values", sk.plot_learning_curve, {"model": model, "X": X_nan, "y": y_train}),
        ("X has 1 infinite values", sk.plot_learning_curve, {"model": model, "X": X_inf, "y": y_train}),
        (
            "y_probas has 2 NaN or infinite values; expected finite probabilities",
            sk.plot_precision_recall,
            {"y_true": y_test, "y_probas": probas_nan},
        ),
        ("y_true has 1 NaN or infinite values", sk.plot_roc, {"y_true": [0.0, np.inf], "y_probas": [[1, 0], [0, 1]]}),
        (
            "y_train holds continuous targets; expected class labels",
            sk.plot_class_proportions,
            {"y_train": continuous, "y_test": y_test},
        ),
        ("y holds continuous targets", sk.plot_learning_curve, {"model": model, "X": X_train, "y": continuous}),
        ("y_pred holds multilabel-indicator", sk.plot_confusion_matrix, {"y_true": [0, 1], "y_pred": [[0, 1], [1, 0]]}),
        (
            r"model is not a scikit-learn classifier or regressor \(got str\)",
            sk.plot_learning_curve,
            {"model": "not a model", "X": X_train, "y": y_train},
        ),
        (
            "got the class RandomForestClassifier: pass an instance",
            sk.plot_summary_metrics,
            {"model": RandomForestClassifier, "X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test},
        ),
        ("not a scikit-learn clusterer", sk.plot_elbow_curve, {"clusterer": object(), "X": X_train}),
        (
            r"X_test must be a 2-D array \(samples, features\), got shape \(72,\)",
            sk.plot_summary_metrics,
            {"model": model, "X": X_train, "y": y_train, "X_test": X_test[:, 0], "y_test": y_test},
        ),
        (
            "y_test has 5 entries for the 72 samples of X_test",
            sk.plot_summary_metrics,
            {"model": model, "X": X_train, "y": y_train, "X_test": X_test, "y_test": y_test[:5]},
        ),
        (
            "y has 3 entries for the 168 samples of X",
            sk.plot_learning_curve,
            {"model": model, "X": X_train, "y": y_train[:3]},
        ),
        (
            "y_true is not a rectangular array: its rows have different lengths",
            sk.plot_roc,
            {"y_true": [[0], [1, 0]], "y_probas": [[1, 0], [0, 1]]},
        ),
        (r"y_train is not an array \(got dict\)", sk.plot_class_proportions, {"y_train": {"a": 1}, "y_test": y_test}),
        ("y_test is empty", sk.plot_class_proportions, {"y_train": y_train, "y_test": []}),
        ("not numbers", sk.plot_learning_curve, {"model": model, "X": np.array([["a", "b"]] * 4), "y": [0, 1] * 2}),
        ("not an array", sk.plot_class_proportions, {"y_train": 3, "y_test": [1]}),
        (
            "do not all index the 2 labels",
            sk.plot_class_proportions,
            {"y_train": [0, 2], "y_test": [1], "labels": LABELS},
        ),
        ("only binary", sk.plot_calibration_curve, {"clf": model, "X": X_train, "y": three}),
        ("has no n_clusters", sk.plot_elbow_curve, {"clusterer": DBSCAN().fit(X_train), "X": X_train}),
        (
            "at least 2 features",
            sk.plot_silhouette,
            {"clusterer": KMeans(2, n_init=1).fit(X_train[:, :1]), "X": X_train[:, :1]},
        ),
        ("not a scikit-learn regressor", sk.plot_residuals, {"regressor": model, "X": X_train, "y": y_train}),
        ("is None", sk.plot_outlier_candidates, {"X": X_train, "y": y_train}),
        (
            "not a scikit-learn clusterer",
            sk.plot_silhouette,
            {"clusterer": model, "X": X_train, "cluster_labels": y_train},
        ),
    ]


def test_bad_input_warns_and_logs_nothing(store_dir: Any, binary: tuple[Any, ...]) -> None:
    import wbnb

    run = wbnb.init(project="p")
    for says, plot, kwargs in _bad_calls(binary):
        with pytest.warns(UserWarning, match=f"wbnb.sklearn.{plot.__name__}: .*{says}.*; logged nothing"):
            plot(**kwargs)
    run.finish()
    assert logged_keys(run) == set()


class _Broken(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose predict fails as a third-party model might: a long message, no ValueError."""

    def fit(self, X: Any, y: Any) -> _Broken:
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> Any:
        raise RuntimeError(f"cannot predict {np.asarray(X).tolist()}")


def test_any_error_inside_a_plot_warns_in_one_short_line_and_logs_nothing(
    store_dir: Any, binary: tuple[Any, ...]
) -> None:
    import wbnb
    from wbnb.integration.sklearn.checks import MESSAGE_LIMIT

    _, X_train, X_test, y_train, y_test = binary
    run = wbnb.init(project="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wbnb.sklearn.plot_summary_metrics(_Broken().fit(X_train, y_train), X_train, y_train, X_test, y_test)
        wbnb.sklearn.plot_class_proportions(X_train[:, 0], X_train[:, 1])
    run.finish()
    said = [str(c.message) for c in caught]
    assert len(said) == 2 and all("\n" not in m for m in said), said
    assert said[0].startswith("wbnb.sklearn.plot_summary_metrics: RuntimeError: cannot predict [[")
    assert said[0].endswith("…; logged nothing")
    assert len(said[0]) < MESSAGE_LIMIT + 60
    assert said[1] == (
        "wbnb.sklearn.plot_class_proportions: y_train holds continuous targets; expected class labels"
        " (binary or multiclass: ints or strings); y_test holds continuous targets; expected class labels"
        " (binary or multiclass: ints or strings); logged nothing"
    )
    assert logged_keys(run) == set()


def test_a_mistake_in_the_call_raises_type_error_as_python_does(store_dir: Any) -> None:
    import wbnb

    wbnb.init(project="p")
    with pytest.raises(TypeError, match="y_prob"):
        wbnb.sklearn.plot_roc([0, 1], y_prob=[[1, 0], [0, 1]])
    with pytest.raises(TypeError, match="positional"):
        wbnb.sklearn.plot_class_proportions([0], [1], ["a"], "extra")
    wbnb.finish()


def test_without_a_run_a_plot_warns_and_does_nothing(store_dir: Any) -> None:
    import wbnb

    with pytest.warns(UserWarning, match="call wbnb.init"):
        wbnb.sklearn.plot_class_proportions([0, 1], [1, 0])
    with pytest.warns(UserWarning, match="call wbnb.init"):
        wbnb.sklearn.plot_clusterer(KMeans(), [[0, 0]], [0])


def test_a_plot_that_fits_copies_says_so_once_and_leaves_the_model_alone(
    store_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wbnb
    from wbnb.integration.sklearn import checks

    monkeypatch.setattr(checks, "_noticed", set())
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    model = Ridge().fit(X, y)
    run = wbnb.init(project="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wbnb.sklearn.plot_learning_curve(model, X, y)
        unfitted = Ridge()
        wbnb.sklearn.plot_learning_curve(unfitted, X, y)  # as wandb's: copies are fitted, so no need to fit it
    run.finish()
    assert not hasattr(unfitted, "coef_")
    assert len(charts(run).charts.entries["learning_curve"][0].steps) == 2
    notices = [str(c.message) for c in caught if issubclass(c.category, checks.RefitNotice)]
    assert notices == [
        "wbnb.sklearn: plot_learning_curve fits copies of your model on subsets of X; your model itself is not changed"
    ]
