"""Classifier plots (wandb's ``wandb.sklearn`` classifier functions, same names, arguments and keys).

Each logs one chart record under wandb's key: ``roc``, ``precision_recall``,
``confusion_matrix``, ``feature_importances``, ``class_proportions``, ``calibration_curve``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn import model_selection, naive_bayes
from sklearn.calibration import CalibratedClassifierCV
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import unique_labels

from wbnb.data.plot import Chart, _table_chart, bar, confusion_matrix, line, pr_curve, roc_curve
from wbnb.data.table import Table
from wbnb.sdk.lifecycle import current_run

from .checks import BadInput, as_array, limited, notice_refit, plot, require
from .shared import plot_learning_curve, plot_summary_metrics


@plot("roc")
def plot_roc(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    plot_micro: bool = True,
    plot_macro: bool = True,
    classes_to_plot: Sequence[Any] | None = None,
) -> Chart:
    """Log one-vs-rest ROC curves (``wbnb.plot.roc_curve``) under ``roc``.

    ``labels`` names the classes by index. ``plot_micro`` / ``plot_macro`` are in wandb's
    signature and unused there too.
    """
    require(class_labels=("y_true",), y_true=y_true, y_probas=y_probas)
    return roc_curve(y_true, y_probas, labels, classes_to_plot)


@plot("precision_recall")
def plot_precision_recall(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    plot_micro: bool = True,
    classes_to_plot: Sequence[Any] | None = None,
) -> Chart:
    """Log one-vs-rest precision-recall curves (``wbnb.plot.pr_curve``) under ``precision_recall``."""
    require(class_labels=("y_true",), y_true=y_true, y_probas=y_probas)
    return pr_curve(y_true, y_probas, labels, classes_to_plot)


@plot("confusion_matrix")
def plot_confusion_matrix(
    y_true: Any = None,
    y_pred: Any = None,
    labels: Sequence[str] | None = None,
    true_labels: Sequence[Any] | None = None,
    pred_labels: Sequence[Any] | None = None,
    normalize: bool = False,
) -> Chart:
    """Log the confusion matrix of ``y_pred`` against ``y_true`` under ``confusion_matrix``
    (``wbnb.plot.confusion_matrix``: rows true classes, drawn by ``ConfusionMatrix``).

    ``labels`` names the classes by index; ``normalize`` divides each row by its total
    (rounded to 2 places, as wandb). ``true_labels`` / ``pred_labels`` (a subset of rows /
    columns; wandb's own raises for them) are not supported: the whole matrix is logged.
    """
    require(class_labels=("y_true", "y_pred"), y_true=y_true, y_pred=y_pred)
    if true_labels is not None or pred_labels is not None:
        warnings.warn(
            "wbnb.sklearn.plot_confusion_matrix: true_labels / pred_labels are not supported;"
            " the whole matrix is logged",
            stacklevel=3,
        )
    chart = confusion_matrix(y_true=as_array(y_true), preds=as_array(y_pred), class_names=labels)
    if normalize:
        counts = np.asarray(chart.fields["matrix"], dtype=float)
        totals = counts.sum(axis=1, keepdims=True)
        rates = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        chart.fields["matrix"] = np.around(rates, 2).tolist()
    return chart


def _importances(model: Any) -> np.ndarray:
    """The model's feature importances as wandb reads them (a 1-D array)."""
    for attr in ("feature_importances_", "feature_log_prob_", "coef_"):
        if hasattr(model, attr):
            values = np.asarray(getattr(model, attr), dtype=float)
            break
    else:
        raise BadInput(f"{type(model).__name__} has none of feature_importances_, feature_log_prob_, coef_")
    if sum(n > 1 for n in values.shape) > 1:
        raise BadInput(f"its importances are {values.ndim}-dimensional {values.shape}; only one dimension is plotted")
    return values.reshape(-1)


@plot("feature_importances")
def plot_feature_importances(
    model: Any = None,
    feature_names: Sequence[str] | None = None,
    title: str = "Feature Importance",
    max_num_features: int | None = 50,
) -> Chart:
    """Log the model's feature importances, largest first, as a bar chart under ``feature_importances``.

    Read from ``feature_importances_`` (trees), ``feature_log_prob_`` (naive Bayes) or
    ``coef_`` (linear models). ``feature_names`` default: the model's
    ``feature_names_in_`` (fitted on a DataFrame), else the feature indices. Only the
    ``max_num_features`` largest are kept (wandb takes the argument and keeps all).
    """
    require(model=model)
    importances = _importances(model)
    order = np.argsort(importances)[::-1][:max_num_features]
    names = feature_names if feature_names is not None else getattr(model, "feature_names_in_", None)
    if names is not None and len(names) != len(importances):
        raise BadInput(f"feature_names has {len(names)} names for {len(importances)} features")
    shown = [str(names[i]) if names is not None else int(i) for i in order]
    table = Table(
        columns=["feature_names", "importances"], data=[[n, float(importances[i])] for n, i in zip(shown, order)]
    )
    return bar(table, "feature_names", "importances", title=title)


@plot("class_proportions")
def plot_class_proportions(y_train: Any = None, y_test: Any = None, labels: Sequence[str] | None = None) -> Chart:
    """Log how many samples of each class the training and test sets hold, as bars side by
    side (``train`` / ``test``) under ``class_proportions``; ``labels`` names the classes by index."""
    require(class_labels=("y_train", "y_test"), y_train=y_train, y_test=y_test)
    train, test = as_array(y_train), as_array(y_test)
    classes = unique_labels(train, test)
    named = labels is not None and classes.dtype.kind in "iu"
    if named and labels is not None and not 0 <= classes.min() <= classes.max() < len(labels):
        raise BadInput(f"the class ids {classes.tolist()} do not all index the {len(labels)} labels {list(labels)}")
    rows = []
    for c in classes[: limited(len(classes), "class_proportions")]:
        name = str(labels[int(c)]) if named and labels is not None else c.item()
        rows += [[name, "train", int(np.sum(train == c))], [name, "test", int(np.sum(test == c))]]
    table = Table(columns=["class", "dataset", "count"], data=rows)
    return _table_chart("bar", table, {"label": "class", "value": "count", "stroke": "dataset"}, None)


@plot("calibration_curve")
def plot_calibration_curve(clf: Any = None, X: Any = None, y: Any = None, clf_name: str = "Classifier") -> Chart:
    """Log calibration curves (fraction of positives against mean predicted probability,
    10 bins) under ``calibration_curve``: a logistic regression baseline and ``clf``
    calibrated by isotonic and by sigmoid regression, beside the perfect diagonal.

    As wandb's, this fits copies of ``clf`` (``CalibratedClassifierCV``, cv=2) and a
    ``LogisticRegression`` on 10 % of ``X`` and scores the rest; ``clf`` itself is not
    refitted. Binary labels (0 / 1) only.
    """
    require(clf=clf, X=X, y=y)
    x, labels = as_array(X), as_array(y)
    if labels.dtype.kind not in "biuf" or not np.isin(labels, (0, 1)).all():
        raise BadInput("only binary classification is supported: y must hold 0 and 1")
    notice_refit("plot_calibration_curve fits a LogisticRegression and two calibrated copies of your classifier")
    if isinstance(clf, naive_bayes.ComplementNB):  # it needs non-negative features
        x = x - x.min()
    x_train, x_test, y_train, y_test = model_selection.train_test_split(x, labels, test_size=0.9, random_state=42)
    models = {
        "Logistic": LogisticRegression(C=1.0),
        f"{clf_name} Isotonic": CalibratedClassifierCV(clf, cv=2, method="isotonic"),
        f"{clf_name} Sigmoid": CalibratedClassifierCV(clf, cv=2, method="sigmoid"),
    }
    rows: list[list[Any]] = [["Perfectly calibrated", 0, 0, 0, 0], ["Perfectly calibrated", 1, 1, 0, 0]]
    for name, model in models.items():
        model.fit(x_train, y_train)
        prob_pos = model.predict_proba(x_test)[:, 1]
        hist, edges = np.histogram(prob_pos, bins=10)
        frac_positives, mean_predicted = sk_calibration_curve(y_test, prob_pos, n_bins=10)
        for i in range(len(frac_positives)):
            rows.append(
                [
                    name,
                    round(float(frac_positives[i]), 3),
                    round(float(mean_predicted[i]), 3),
                    int(hist[i]),
                    float(edges[i]),
                ]
            )
    columns = ["model", "fraction_of_positives", "mean_predicted_value", "hist_dict", "edge_dict"]
    table = Table(columns=columns, data=rows)
    return line(table, "mean_predicted_value", "fraction_of_positives", stroke="model", title="Calibration curve")


def plot_classifier(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    y_pred: Any,
    y_probas: Any,
    labels: Sequence[str] | None,
    is_binary: bool = False,
    model_name: str = "Classifier",
    feature_names: Sequence[str] | None = None,
    log_learning_curve: bool = False,
) -> None:
    """Log every classifier plot, as wandb's: feature importances and the calibration
    curve (not for ``MultinomialNB``), the learning curve when ``log_learning_curve``
    (it fits copies of the model), the confusion matrix, summary metrics, class
    proportions, ROC and precision-recall curves. ``is_binary`` is unused, as in wandb.
    """
    if current_run() is None:
        warnings.warn("wbnb.sklearn.plot_classifier: no run to log to: call wbnb.init() first", stacklevel=2)
        return
    multinomial = isinstance(model, naive_bayes.MultinomialNB)
    if not multinomial:
        plot_feature_importances(model, feature_names)
    if log_learning_curve:
        plot_learning_curve(model, X_train, y_train)
    plot_confusion_matrix(y_test, y_pred, labels)
    plot_summary_metrics(model, X=X_train, y=y_train, X_test=X_test, y_test=y_test)
    plot_class_proportions(y_train, y_test, labels)
    if not multinomial:
        plot_calibration_curve(model, X_train, y_train, model_name)
    plot_roc(y_test, y_probas, labels)
    plot_precision_recall(y_test, y_probas, labels)
