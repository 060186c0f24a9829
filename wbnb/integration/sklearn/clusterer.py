"""Clusterer plots: the elbow curve and silhouette coefficients, and ``plot_clusterer``."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn.preprocessing import LabelEncoder

from wbnb.data.plot import Chart, line
from wbnb.data.table import Table
from wbnb.sdk.lifecycle import current_run

from .checks import BadInput, as_array, limited, notice_refit, plot, require

# The gap between two clusters' runs of samples in the silhouette chart (wandb's).
GAP = 10


def _score(clusterer: Any, x: np.ndarray, n_clusters: int) -> tuple[float, float]:
    """A copy of ``clusterer`` with ``n_clusters``, fitted on ``x``: its error and the seconds taken."""
    start = time.perf_counter()
    model = clone(clusterer).set_params(n_clusters=n_clusters)
    return abs(float(model.fit(x).score(x))), time.perf_counter() - start


@plot("elbow_curve")
def plot_elbow_curve(
    clusterer: Any = None,
    X: Any = None,
    cluster_ranges: Iterable[int] | None = None,
    n_jobs: int | None = 1,
    show_cluster_time: bool = True,
) -> Chart:
    """Log the clustering error (``abs(score)``, KMeans' inertia) against the number of
    clusters under ``elbow_curve``; the table also holds each fit's seconds.

    As wandb's, this fits a copy of ``clusterer`` for each number in ``cluster_ranges``
    (default 1, 3, 5, 7, 9), ``n_jobs`` at a time; ``clusterer`` itself is not refitted.
    ``show_cluster_time`` is in wandb's signature and unused there too.
    """
    require(clusterer=clusterer, X=X)
    if not hasattr(clusterer, "n_clusters"):
        raise BadInput(f"{type(clusterer).__name__} has no n_clusters: an elbow curve needs one")
    ranges = list(range(1, 10, 2)) if cluster_ranges is None else sorted(int(k) for k in cluster_ranges)
    x = as_array(X)
    notice_refit("plot_elbow_curve fits a copy of your clusterer for each number of clusters")
    results = Parallel(n_jobs=n_jobs)(delayed(_score)(clusterer, x, k) for k in ranges)
    table = Table(
        columns=["cluster_ranges", "errors", "clustering_time"],
        data=[[k, err, secs] for k, (err, secs) in zip(ranges, results)],
    )
    return line(table, "cluster_ranges", "errors", title="Elbow curve")


def _cluster_ids(clusterer: Any, x: np.ndarray, cluster_labels: Any) -> np.ndarray:
    """Each sample's cluster as 0..k-1: ``cluster_labels``, else the clusterer's ``labels_`` of ``x``."""
    given = cluster_labels if cluster_labels is not None else getattr(clusterer, "labels_", None)
    if given is None:
        raise BadInput("cluster_labels is None: pass each sample's cluster (e.g. clusterer.fit_predict(X))")
    ids = as_array(given).reshape(-1)
    if len(ids) != len(x):
        raise BadInput(f"cluster_labels has {len(ids)} entries for the {len(x)} samples of X")
    return np.asarray(LabelEncoder().fit_transform(ids))


@plot("silhouette_plot")
def plot_silhouette(
    clusterer: Any = None,
    X: Any = None,
    cluster_labels: Any = None,
    labels: Sequence[str] | None = None,
    metric: str = "euclidean",
    kmeans: bool = True,
) -> Chart:
    """Log each sample's silhouette coefficient, sorted within its cluster, under
    ``silhouette_plot`` (one line per cluster; the average in the title). The table also
    holds the first two features of the samples and, when ``kmeans``, their cluster's centre.

    ``cluster_labels`` is each sample's cluster (default the clusterer's ``labels_``);
    ``labels`` is in wandb's signature and unused there too. Nothing is fitted.
    """
    require(clusterer=clusterer, X=X)
    x = as_array(X)
    if x.ndim != 2 or x.shape[1] < 2:
        raise BadInput(f"X must be (samples, features) with at least 2 features, got shape {x.shape}")
    ids = _cluster_ids(clusterer, x, cluster_labels)
    average = float(silhouette_score(x, ids, metric=metric))
    values = silhouette_samples(x, ids, metric=metric)
    centers = getattr(clusterer, "cluster_centers_", None) if kmeans else None
    y_sil: list[int] = []
    x_sil: list[float] = []
    color_sil: list[int] = []
    y_lower = GAP
    for k in range(int(ids.max()) + 1):
        ordered = np.sort(values[ids == k])
        y_sil += range(y_lower, y_lower + len(ordered))
        x_sil += ordered.tolist()
        color_sil += [k] * len(ordered)
        y_lower += len(ordered) + GAP
    rows = []
    for i in range(limited(len(color_sil), "silhouette")):
        c = int(ids[i])
        cx, cy = (float(centers[c][0]), float(centers[c][1])) if centers is not None else (None, None)
        rows.append([float(x[i, 0]), float(x[i, 1]), c, cx, cy, y_sil[i], 0, x_sil[i], color_sil[i], average])
    columns = ["x", "y", "colors", "centerx", "centery", "y_sil", "x1", "x2", "color_sil", "silhouette_avg"]
    table = Table(columns=columns, data=rows)
    return line(table, "y_sil", "x2", stroke="color_sil", title=f"Silhouette (average {average:.2f})")


def plot_clusterer(
    model: Any,
    X_train: Any,
    cluster_labels: Any,
    labels: Sequence[str] | None = None,
    model_name: str = "Clusterer",
) -> None:
    """Log every clusterer plot, as wandb's: for ``KMeans`` the elbow curve (it fits
    copies of the model) and the silhouette plot with cluster centres; otherwise the
    silhouette plot. ``cluster_labels`` is each sample's cluster."""
    if current_run() is None:
        warnings.warn("wbnb.sklearn.plot_clusterer: no run to log to: call wbnb.init() first", stacklevel=2)
        return
    if isinstance(model, KMeans):
        plot_elbow_curve(model, X_train)
        plot_silhouette(model, X_train, cluster_labels, labels=labels, kmeans=True)
    else:
        plot_silhouette(model, X_train, cluster_labels, kmeans=False)
