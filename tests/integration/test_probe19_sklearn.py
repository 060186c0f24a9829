"""Issue 19 acceptance / red-team probes for ``wbnb.sklearn``: wandb's tutorial code run as a
user runs it (``import wbnb as wandb``), then hostile inputs. The bar (BRIEF): the wandb keys read
back from the store; bad data warns and logs nothing, never a traceback from deep inside; a
programmer mistake is a clear error (or warning) naming what was expected."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

import wbnb as wandb


def keys(run: Any) -> set[str]:
    """The non-system keys of the run's history, read back from the store."""
    history = wandb.Api().run(f"{run.project}/{run.id}").history()
    return {c for c in history.columns if not c.startswith("_")}


def summary_keys(run: Any) -> set[str]:
    return {k for k in wandb.Api().run(f"{run.project}/{run.id}").summary.keys() if not k.startswith("_")}


def call_quietly(fn: Any, *args: Any, **kwargs: Any) -> list[str]:
    """Run a plot; it must not raise. Return the warning messages it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    return [str(w.message) for w in caught]


@pytest.fixture
def cancer() -> tuple[Any, ...]:
    wbcd = datasets.load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(wbcd.data, wbcd.target, test_size=0.2, random_state=0)
    model = RandomForestClassifier(n_estimators=8, random_state=0).fit(X_train, y_train)
    return wbcd, model, X_train, X_test, y_train, y_test


# --- the tutorial, unchanged ---------------------------------------------------------------


def test_tutorial_breast_cancer_classification(store_dir: Any, cancer: tuple[Any, ...]) -> None:
    wbcd, model, X_train, X_test, y_train, y_test = cancer
    labels = wbcd.target_names
    y_pred = model.predict(X_test)
    y_probas = model.predict_proba(X_test)
    run = wandb.init(project="my-scikit-integration", name="classification")
    wandb.sklearn.plot_class_proportions(y_train, y_test, labels)
    wandb.sklearn.plot_learning_curve(model, X_train, y_train)
    wandb.sklearn.plot_roc(y_test, y_probas, labels)
    wandb.sklearn.plot_precision_recall(y_test, y_probas, labels)
    wandb.sklearn.plot_feature_importances(model)
    wandb.sklearn.plot_classifier(
        model, X_train, X_test, y_train, y_test, y_pred, y_probas, labels, is_binary=True, model_name="RandomForest"
    )
    wandb.finish()
    got = keys(run)
    for key in (
        "class_proportions",
        "learning_curve",
        "roc",
        "precision_recall",
        "feature_importances",
        "confusion_matrix",
        "summary_metrics",
        "calibration_curve",
    ):
        assert key in got, f"{key} not logged; logged: {sorted(got)}"


def test_tutorial_regression_housing_like(store_dir: Any) -> None:
    X, y = datasets.make_regression(n_samples=120, n_features=5, noise=3.0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    reg = Ridge()
    reg.fit(X_train, y_train)
    run = wandb.init(project="my-scikit-integration", name="regression")
    wandb.sklearn.plot_residuals(reg, X_train, y_train)
    wandb.sklearn.plot_outlier_candidates(reg, X_train, y_train)
    wandb.sklearn.plot_regressor(reg, X_train, X_test, y_train, y_test, model_name="Ridge")
    wandb.finish()
    got = keys(run)
    for key in ("residuals", "outlier_candidates", "summary_metrics", "learning_curve"):
        assert key in got, f"{key} not logged; logged: {sorted(got)}"


def test_tutorial_clustering(store_dir: Any) -> None:
    X, _ = datasets.make_blobs(n_samples=90, centers=3, random_state=0)
    kmeans = KMeans(n_clusters=3, n_init=3, random_state=1)
    cluster_labels = kmeans.fit_predict(X)
    run = wandb.init(project="my-scikit-integration", name="clustering")
    wandb.sklearn.plot_clusterer(kmeans, X, cluster_labels, labels=None, model_name="KMeans")
    wandb.sklearn.plot_elbow_curve(kmeans, X)
    wandb.sklearn.plot_silhouette(kmeans, X, ["a", "b", "c"])
    wandb.finish()
    got = keys(run)
    for key in ("elbow_curve", "silhouette_plot"):
        assert key in got, f"{key} not logged; logged: {sorted(got)}"


def test_docs_calibration_curve_positional_name(store_dir: Any, cancer: tuple[Any, ...]) -> None:
    _, model, X_train, _, y_train, _ = cancer
    run = wandb.init(project="p")
    wandb.sklearn.plot_calibration_curve(model, X_train, y_train, "RandomForestClassifier")
    wandb.finish()
    assert "calibration_curve" in keys(run)


def test_docs_feature_importances_with_names(store_dir: Any) -> None:
    X = np.random.default_rng(0).random((40, 3))
    y = (X[:, 0] > 0.5).astype(int)
    model = RandomForestClassifier(n_estimators=4, random_state=0).fit(X, y)
    run = wandb.init(project="p")
    wandb.sklearn.plot_feature_importances(model, ["width", "height", "length"])
    wandb.finish()
    assert "feature_importances" in keys(run)


# --- shapes of data users have --------------------------------------------------------------


def test_multiclass_iris_with_target_names(store_dir: Any) -> None:
    iris = datasets.load_iris()
    X_train, X_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.3, random_state=0)
    model = LogisticRegression(max_iter=500).fit(X_train, y_train)
    run = wandb.init(project="p")
    wandb.sklearn.plot_classifier(
        model,
        X_train,
        X_test,
        y_train,
        y_test,
        model.predict(X_test),
        model.predict_proba(X_test),
        iris.target_names,
        model_name="LogReg",
        feature_names=iris.feature_names,
    )
    wandb.finish()
    got = keys(run)
    for key in ("roc", "precision_recall", "confusion_matrix", "class_proportions", "summary_metrics"):
        assert key in got, f"{key} not logged; logged: {sorted(got)}"


def test_string_labels_work_without_a_labels_list(store_dir: Any) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((80, 3))
    y = np.where(X[:, 0] > 0.5, "cat", "dog")
    model = LogisticRegression().fit(X[:60], y[:60])
    probas = model.predict_proba(X[60:])
    run = wandb.init(project="p")
    msgs: list[str] = []
    msgs += call_quietly(wandb.sklearn.plot_roc, y[60:], probas)
    msgs += call_quietly(wandb.sklearn.plot_precision_recall, y[60:], probas)
    msgs += call_quietly(wandb.sklearn.plot_confusion_matrix, y[60:], model.predict(X[60:]))
    msgs += call_quietly(wandb.sklearn.plot_class_proportions, y[:60], y[60:])
    wandb.finish()
    got = keys(run)
    assert {"roc", "precision_recall", "confusion_matrix", "class_proportions"} <= got, (sorted(got), msgs)


def test_pandas_dataframe_and_series(store_dir: Any) -> None:
    df = pd.DataFrame(datasets.load_breast_cancer().data[:, :4], columns=["a", "b", "c", "d"])
    target = pd.Series(datasets.load_breast_cancer().target, name="target")
    X_train, X_test, y_train, y_test = train_test_split(df, target, test_size=0.25, random_state=0)
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X_train, y_train)
    run = wandb.init(project="p")
    msgs = call_quietly(
        wandb.sklearn.plot_classifier,
        model,
        X_train,
        X_test,
        y_train,
        y_test,
        model.predict(X_test),
        model.predict_proba(X_test),
        ["malignant", "benign"],
        model_name="RF",
    )
    msgs += call_quietly(wandb.sklearn.plot_learning_curve, model, X_train, y_train)
    wandb.finish()
    got = keys(run)
    assert {"roc", "confusion_matrix", "summary_metrics", "learning_curve", "feature_importances"} <= got, (
        sorted(got),
        msgs,
    )


def test_pandas_regressor(store_dir: Any) -> None:
    X, y = datasets.make_regression(n_samples=80, n_features=3, random_state=0)
    X_df, y_s = pd.DataFrame(X, columns=["x", "y", "z"]), pd.Series(y)
    X_train, X_test, y_train, y_test = train_test_split(X_df, y_s, test_size=0.25, random_state=0)
    reg = RandomForestRegressor(n_estimators=4, random_state=0).fit(X_train, y_train)
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_regressor, reg, X_train, X_test, y_train, y_test, model_name="RF")
    wandb.finish()
    assert {"residuals", "outlier_candidates", "summary_metrics"} <= keys(run), msgs


def test_python_lists_as_labels_and_probabilities(store_dir: Any) -> None:
    y_true = [0, 1, 1, 0, 1, 0, 1, 1]
    y_probas = [[0.8, 0.2], [0.3, 0.7], [0.1, 0.9], [0.6, 0.4], [0.4, 0.6], [0.7, 0.3], [0.2, 0.8], [0.5, 0.5]]
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, y_true, y_probas, ["neg", "pos"])
    msgs += call_quietly(wandb.sklearn.plot_confusion_matrix, y_true, [0, 1, 1, 0, 0, 0, 1, 1], ["neg", "pos"])
    wandb.finish()
    assert {"roc", "confusion_matrix"} <= keys(run), msgs


def test_roc_classes_to_plot_and_flags_accepted(store_dir: Any, cancer: tuple[Any, ...]) -> None:
    wbcd, model, _, X_test, _, y_test = cancer
    run = wandb.init(project="p")
    msgs = call_quietly(
        wandb.sklearn.plot_roc,
        y_test,
        model.predict_proba(X_test),
        wbcd.target_names,
        plot_micro=False,
        plot_macro=False,
        classes_to_plot=[1],
    )
    wandb.finish()
    assert "roc" in keys(run), msgs


# --- hostile input: warn, log nothing, never a traceback ------------------------------------


def _assert_warned_nothing_logged(run: Any, msgs: list[str], *words: str) -> None:
    wandb.finish()
    assert keys(run) == set(), f"something was logged: {sorted(keys(run))}"
    assert msgs, "no warning at all"
    text = " ".join(msgs).lower()
    for word in words:
        assert word.lower() in text, f"warning does not name {word!r}: {msgs}"


def test_unfitted_model_in_plot_classifier_warns(store_dir: Any, cancer: tuple[Any, ...]) -> None:
    # As wandb: the label-only charts (roc, confusion matrix...) may still be logged; the ones
    # that need the model warn "not fitted" and are not logged.
    wbcd, fitted, X_train, X_test, y_train, y_test = cancer
    y_probas = fitted.predict_proba(X_test)
    run = wandb.init(project="p")
    msgs = call_quietly(
        wandb.sklearn.plot_classifier,
        RandomForestClassifier(),
        X_train,
        X_test,
        y_train,
        y_test,
        fitted.predict(X_test),
        y_probas,
        wbcd.target_names,
    )
    wandb.finish()
    assert any("fit" in m for m in msgs), msgs
    assert not {"feature_importances", "summary_metrics", "calibration_curve"} & keys(run)


def test_unfitted_model_in_feature_importances_warns(store_dir: Any) -> None:
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_feature_importances, RandomForestClassifier())
    _assert_warned_nothing_logged(run, msgs, "fit")


def test_nan_probabilities_warn_and_log_nothing(store_dir: Any) -> None:
    y_true = np.array([0, 1, 0, 1, 1, 0])
    probas = np.array([[0.9, 0.1], [np.nan, np.nan], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7], [0.8, 0.2]])
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, y_true, probas)
    msgs += call_quietly(wandb.sklearn.plot_precision_recall, y_true, probas)
    _assert_warned_nothing_logged(run, msgs, "nan")


def test_nan_features_in_learning_curve_warn(store_dir: Any) -> None:
    X = np.random.default_rng(0).random((40, 3))
    y = (X[:, 0] > 0.5).astype(int)
    X[3, 1] = np.nan
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_learning_curve, LogisticRegression(), X, y)
    _assert_warned_nothing_logged(run, msgs, "missing")


def test_lengths_that_do_not_match_warn(store_dir: Any) -> None:
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, np.array([0, 1, 0, 1]), np.full((6, 2), 0.5))
    msgs += call_quietly(wandb.sklearn.plot_confusion_matrix, [0, 1, 0], [0, 1])
    _assert_warned_nothing_logged(run, msgs)


def test_one_dimensional_probabilities_warn_or_are_read_as_the_positive_class(store_dir: Any) -> None:
    # A common slip: predict_proba(X)[:, 1] passed where wandb wants the (n, classes) matrix.
    from sklearn.metrics import roc_auc_score

    y_true = np.array([0, 1, 0, 1, 1, 0])
    p1 = np.array([0.1, 0.9, 0.7, 0.8, 0.6, 0.2])
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, y_true, p1)
    wandb.finish()
    if "roc" not in keys(run):
        assert any("y_probas" in m for m in msgs), msgs
        return
    roc = wandb.Api().run(f"p/{run.id}").history()["roc"].iloc[0]
    curves = {c["class"]: c for c in roc["curves"]}
    assert curves["1"]["auc"] == pytest.approx(roc_auc_score(y_true, p1))


def test_wrong_types_warn_naming_the_argument(store_dir: Any) -> None:
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, [0, 1, 0], "not probabilities")
    msgs += call_quietly(wandb.sklearn.plot_class_proportions, None, None)
    msgs += call_quietly(wandb.sklearn.plot_learning_curve, "not a model", np.zeros((4, 2)), [0, 1, 0, 1])
    _assert_warned_nothing_logged(run, msgs, "y_probas", "model")


def test_a_regressor_given_to_plot_classifier_warns(store_dir: Any) -> None:
    X, y = datasets.make_regression(n_samples=40, n_features=3, random_state=0)
    reg = Ridge().fit(X, y)
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_classifier, reg, X, X, y, y, reg.predict(X), None, None)
    wandb.finish()
    assert any("classifier" in m for m in msgs), msgs
    assert not {"roc", "precision_recall", "confusion_matrix", "calibration_curve"} & keys(run)


def test_a_warning_never_prints_the_whole_data(store_dir: Any) -> None:
    # Continuous targets where class labels belong: the warning must say so in a line, not
    # print 500 floats (sklearn's "Unknown label type: (array([...]))" passed on verbatim).
    y = np.random.default_rng(0).normal(size=500)
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_class_proportions, y, y)
    _assert_warned_nothing_logged(run, msgs)
    assert max(len(m) for m in msgs) < 400, f"a {max(len(m) for m in msgs)}-character warning"


def test_feature_importances_of_a_model_without_them_warns(store_dir: Any) -> None:
    X = np.random.default_rng(0).random((30, 2))
    y = (X[:, 0] > 0.5).astype(int)
    model = SVC().fit(X, y)  # rbf kernel: no feature_importances_, no coef_
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_feature_importances, model)
    _assert_warned_nothing_logged(run, msgs, "feature_importances_")


def test_multiclass_calibration_curve_warns_binary_only(store_dir: Any) -> None:
    iris = datasets.load_iris()
    model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_calibration_curve, model, iris.data, iris.target, "LogReg")
    _assert_warned_nothing_logged(run, msgs, "binary")


def test_labels_outside_the_classes_warn(store_dir: Any) -> None:
    wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_confusion_matrix, [0, 1, 2], [0, 1, 7], ["a", "b"])
    wandb.finish()
    assert msgs, "no warning"  # logging the matrix anyway is acceptable; raising is not


# --- no run, finished run ----------------------------------------------------------------------


def test_plot_without_a_run_says_to_call_init(store_dir: Any) -> None:
    assert wandb.run is None
    try:
        msgs = call_quietly(wandb.sklearn.plot_roc, [0, 1, 0, 1], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    except Exception as error:  # a clear wbnb error is acceptable too
        assert "init" in str(error), f"unclear error: {error!r}"
        return
    assert any("init" in m for m in msgs), f"no warning naming init(): {msgs}"


def test_plot_after_finish_says_to_call_init_and_logs_nothing(store_dir: Any) -> None:
    run = wandb.init(project="p")
    wandb.finish()
    try:
        msgs = call_quietly(wandb.sklearn.plot_roc, [0, 1, 0, 1], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    except Exception as error:
        assert "init" in str(error) or "finish" in str(error), f"unclear error: {error!r}"
        msgs = [str(error)]
    assert msgs
    assert keys(run) == set()


# --- the user's model is left alone ----------------------------------------------------------


def test_every_plot_leaves_the_fitted_model_unchanged(store_dir: Any) -> None:
    X, y = datasets.make_classification(n_samples=80, n_features=4, random_state=0)
    model = LogisticRegression().fit(X, y)
    coef = model.coef_.copy()
    wandb.init(project="p")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wandb.sklearn.plot_learning_curve(model, X, y)
        wandb.sklearn.plot_calibration_curve(model, X, y, "LogReg")
        wandb.sklearn.plot_summary_metrics(model, X, y, X, y)
        wandb.sklearn.plot_classifier(model, X, X, y, y, model.predict(X), model.predict_proba(X), ["a", "b"])
    wandb.finish()
    np.testing.assert_array_equal(model.coef_, coef)


def test_summary_metrics_values_are_finite_numbers(store_dir: Any, cancer: tuple[Any, ...]) -> None:
    _, model, X_train, X_test, y_train, y_test = cancer
    run = wandb.init(project="p")
    wandb.sklearn.plot_summary_metrics(model, X_train, y_train, X_test, y_test)
    wandb.finish()
    assert "summary_metrics" in keys(run)
    assert "summary_metrics" in summary_keys(run)


def test_fewer_label_names_than_classes_warns(store_dir: Any) -> None:
    run = wandb.init(project="p")
    msgs = call_quietly(wandb.sklearn.plot_roc, np.array([0, 1, 2, 0]), np.full((4, 3), 1 / 3), ["a", "b"])
    _assert_warned_nothing_logged(run, msgs, "3")


def test_a_large_test_set_logs_a_bounded_record(store_dir: Any) -> None:
    import json

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 50_000)
    p = rng.random((50_000, 3))
    p /= p.sum(axis=1, keepdims=True)
    run = wandb.init(project="p")
    wandb.sklearn.plot_roc(y, p)
    wandb.finish()
    roc = wandb.Api().run(f"p/{run.id}").history()["roc"].iloc[0]
    assert len(json.dumps(roc)) < 1_000_000
