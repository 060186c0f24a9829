"""Regressor plots: outlier candidates (Cook's distance) and residuals, and ``plot_regressor``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn import model_selection
from sklearn.base import clone

from wbnb.data.plot import Chart, bar, scatter
from wbnb.data.table import Table
from wbnb.sdk.lifecycle import current_run

from .checks import as_array, limited, notice_refit, plot, require
from .shared import plot_learning_curve, plot_summary_metrics

# Points of each of the train and test sets a residuals chart keeps (wandb's).
RESIDUAL_POINTS = 100


@plot("outlier_candidates")
def plot_outlier_candidates(regressor: Any = None, X: Any = None, y: Any = None) -> Chart:
    """Log each sample's influence on a linear fit (Cook's distance) as bars under
    ``outlier_candidates``; the title gives the share above the 4 / n rule of thumb.

    wandb refits ``regressor`` itself on ``X``, ``y``; wbnb fits a copy, so the numbers
    are wandb's and ``regressor`` is left as it was.
    """
    require(regressor=regressor, X=X, y=y)
    x, target = as_array(X).astype(float), as_array(y).astype(float)
    notice_refit("plot_outlier_candidates fits a copy of your regressor on X, y")
    residuals = target - clone(regressor).fit(x, target).predict(x)
    leverage = (x * np.linalg.pinv(x).T).sum(1)  # the diagonal of the projection matrix of X
    df = x.shape[0] - np.linalg.matrix_rank(x)
    mse = np.dot(residuals, residuals) / df
    studentized = residuals / np.sqrt(mse) / np.sqrt(1 - leverage)
    distance = studentized**2 / x.shape[1] * leverage / (1 - leverage)
    threshold = 4 / x.shape[0]
    percentage = round(float(np.sum(distance >= threshold) / x.shape[0] * 100), 3)
    n = limited(len(distance), "outlier_candidates")
    table = Table(
        columns=["distance", "instance_indicies", "outlier_percentage", "influence_threshold"],
        data=[[float(distance[i]), i, percentage, threshold] for i in range(n)],
    )
    title = f"Cook's distance ({percentage:g} % above {threshold:.3g})"
    return bar(table, "instance_indicies", "distance", title=title)


@plot("residuals")
def plot_residuals(regressor: Any = None, X: Any = None, y: Any = None) -> Chart:
    """Log predicted value against residual (prediction minus truth) for up to 100 train
    and 100 test points under ``residuals``, the R² of each split in the title.

    As wandb's, the data is split 80 / 20 at random and a model fitted on the 80 %; wandb
    refits ``regressor`` itself, wbnb a copy, leaving ``regressor`` as it was.
    """
    require(regressor=regressor, X=X, y=y)
    notice_refit("plot_residuals fits a copy of your regressor on 80 % of X, y")
    x_train, x_test, y_train, y_test = model_selection.train_test_split(as_array(X), as_array(y), test_size=0.2)
    model = clone(regressor).fit(x_train, y_train)
    scores = round(float(model.score(x_train, y_train)), 3), round(float(model.score(x_test, y_test)), 3)
    rows = []
    for split, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
        pred = model.predict(xs[:RESIDUAL_POINTS])
        rows += [[split, float(p), float(p - t), *scores] for p, t in zip(pred, ys[:RESIDUAL_POINTS])]
    table = Table(columns=["dataset", "y_pred", "residuals", "train_score", "test_score"], data=rows)
    title = f"Residuals (train R² {scores[0]:.2f}, test R² {scores[1]:.2f})"
    return scatter(table, "y_pred", "residuals", title=title)


def plot_regressor(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    model_name: str = "Regressor",
) -> None:
    """Log every regressor plot, as wandb's: summary metrics, the learning curve, outlier
    candidates and residuals (the last three fit copies of the model, never the model)."""
    if current_run() is None:
        warnings.warn("wbnb.sklearn.plot_regressor: no run to log to: call wbnb.init() first", stacklevel=2)
        return
    plot_summary_metrics(model, X_train, y_train, X_test, y_test)
    plot_learning_curve(model, X_train, y_train)
    plot_outlier_candidates(model, X_train, y_train)
    plot_residuals(model, X_train, y_train)
