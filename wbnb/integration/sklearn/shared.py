"""Plots for classifiers and regressors alike: summary metrics and the learning curve."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics, model_selection
from sklearn.base import is_classifier

from wbnb.data.plot import Chart, bar, line
from wbnb.data.table import Table

from .checks import as_array, notice_refit, plot, require


@plot("summary_metrics")
def plot_summary_metrics(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    X_test: Any = None,
    y_test: Any = None,
) -> Chart:
    """Log the fitted model's test-set metrics as bars under ``summary_metrics``: accuracy
    and weighted precision, recall and F1 for a classifier; MAE, MSE and R² for a
    regressor (rounded to 2 places, as wandb). Only predicts: the model is not refitted."""
    require(model=model, X=X, y=y, X_test=X_test, y_test=y_test)
    if is_classifier(model):
        require(class_labels=("y_test",), y_test=y_test)
    truth, pred = as_array(y_test), model.predict(X_test)
    if is_classifier(model):
        scores = {
            "accuracy_score": metrics.accuracy_score(truth, pred),
            "precision": metrics.precision_score(truth, pred, average="weighted", zero_division=0),
            "recall": metrics.recall_score(truth, pred, average="weighted", zero_division=0),
            "f1_score": metrics.f1_score(truth, pred, average="weighted", zero_division=0),
        }
    else:
        scores = {
            "mae": metrics.mean_absolute_error(truth, pred),
            "mse": metrics.mean_squared_error(truth, pred),
            "r2_score": metrics.r2_score(truth, pred),
        }
    name = type(model).__name__
    table = Table(
        columns=["metric_name", "metric_value", "model_name"],
        data=[[k, round(float(v), 2), name] for k, v in scores.items()],
    )
    return bar(table, "metric_name", "metric_value", title=f"{name} summary metrics")


@plot("learning_curve")
def plot_learning_curve(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    cv: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    train_sizes: Any = None,
    n_jobs: int | None = 1,
    scoring: Any = None,
) -> Chart:
    """Log the mean train and cross-validation scores against training-set size under
    ``learning_curve`` (sklearn's ``learning_curve``; its other arguments pass through).

    As wandb's, this fits copies of ``model`` on growing subsets of ``X`` (``train_sizes``,
    default 10 % to 100 % in 5 steps) for every ``cv`` fold; ``model`` itself is not refitted.
    """
    require(fitted_model=False, model=model, X=X, y=y)  # as wandb's: copies are fitted, the model need not be
    if is_classifier(model):
        require(class_labels=("y",), y=y)
    notice_refit("plot_learning_curve fits copies of your model on subsets of X")
    sizes, train_scores, test_scores = model_selection.learning_curve(
        model,
        X,
        as_array(y),
        cv=cv,
        n_jobs=n_jobs,
        train_sizes=np.linspace(0.1, 1.0, 5) if train_sizes is None else train_sizes,
        scoring=scoring,
        shuffle=shuffle,
        random_state=random_state,
    )
    rows = []
    for size, train, test in zip(sizes, train_scores.mean(axis=1), test_scores.mean(axis=1)):
        rows += [["train", round(float(train), 2), int(size)], ["test", round(float(test), 2), int(size)]]
    table = Table(columns=["dataset", "score", "train_size"], data=rows)
    return line(table, "train_size", "score", stroke="dataset", title="Learning curve")
