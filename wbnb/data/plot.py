"""Charts as data (``wbnb.plot.*``): each function returns a value whose record a widget draws.

Confusion matrices and ROC/PR curves are computed here with numpy; table-backed
charts (line, scatter, bar, histogram) keep the table and which columns to draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.image import to_numpy, to_plain
from wbnb.data.table import Table

# Curves longer than this are thinned (keeping both ends) so records stay small.
MAX_CURVE_POINTS = 500


class Chart(WBValue):
    """A chart record: its ``_type``, plain fields and, for table-backed charts, the table."""

    def __init__(self, type_: str, fields: dict[str, Any], table: Table | None = None) -> None:
        self._type = type_
        self.fields = fields
        self.table = table

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the chart record, writing the table (if any) through ``sink``."""
        record = {"_type": self._type, **self.fields}
        if self.table is not None:
            record["table"] = self.table.to_json(sink)
        return record


def split_table_note(split_table: bool, stacklevel: int = 3) -> None:
    """wandb's ``split_table=True`` moves a chart's table to its own section of wandb's web
    app; here a chart keeps its table as always, and the caller is told so."""
    if split_table:
        warnings.warn(
            "split_table=True puts the table in a separate section of wandb's web app; "
            "here the table is kept with the chart as always",
            UserWarning,
            stacklevel=stacklevel,
        )


# --- class labels ------------------------------------------------------------------


def _labels(values: Any, what: str) -> np.ndarray:
    """Return labels as a 1-D array of ints or strings."""
    arr = to_numpy(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a 1-D sequence of labels, got shape {arr.shape}")
    if arr.dtype.kind == "b" or (arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0)):
        arr = arr.astype(np.int64)  # bools, or whole floats such as 1.0 from a pandas column
    if arr.dtype.kind not in "iuUO":
        raise ValueError(f"{what} must hold integer class ids or class names, got dtype {arr.dtype}")
    return arr


def _class_names(given: Any, n: int | None, label_arrays: list[np.ndarray]) -> list[str]:
    """Return the class names: ``given``, the sorted distinct string labels, or "0".."n-1"."""
    if given is not None:
        names = [str(c) for c in given]
    elif any(arr.dtype.kind in "UO" for arr in label_arrays):
        names = sorted({str(v) for arr in label_arrays for v in arr})
    else:
        n = n if n is not None else max((int(arr.max()) + 1 for arr in label_arrays if arr.size), default=0)
        names = [str(i) for i in range(n)]
    if n is not None and len(names) != n:
        raise ValueError(f"got {len(names)} class names {names} but the probabilities have {n} columns (one per class)")
    return names


def _class_indices(labels: np.ndarray, names: list[str], what: str) -> np.ndarray:
    """Map labels (integer ids or names) to indices into ``names``."""
    if labels.dtype.kind in "iu":
        bad = labels[(labels < 0) | (labels >= len(names))]
        if bad.size:
            raise ValueError(
                f"{what} holds the label {bad[0]}, outside the {len(names)} classes;"
                f" accepted: ids 0..{len(names) - 1} of {names}"
            )
        return labels.astype(np.int64)
    index = {name: i for i, name in enumerate(names)}
    missing = sorted({str(v) for v in labels} - index.keys())
    if missing:
        raise ValueError(f"{what} holds the label {missing[0]!r}, which is not a class name; accepted: {names}")
    return np.array([index[str(v)] for v in labels], dtype=np.int64)


def _same_length(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{a_name} has {len(a)} entries but {b_name} has {len(b)}; they must match")


def _probabilities(values: Any, what: str) -> np.ndarray:
    """Return (N, C) class probabilities; a 1-D array is the positive class of a binary problem."""
    arr = to_numpy(values)
    if arr.dtype.kind not in "biuf" or arr.ndim not in (1, 2):
        raise ValueError(
            f"{what} must be an (N, C) array of class scores (or (N,) for binary),"
            f" got shape {arr.shape} dtype {arr.dtype}"
        )
    arr = arr.astype(np.float64)
    return np.stack([1 - arr, arr], axis=1) if arr.ndim == 1 else arr


# --- confusion matrix ---------------------------------------------------------------


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Chart:
    """Return a confusion matrix (rows: true class, columns: predicted class).

    Pass ``preds`` (labels) or ``probs`` ((N, C) scores, argmax taken), not both. Labels
    are class ids indexing ``class_names`` (default "0", "1", ...) or the names themselves.
    ``split_table`` as wandb's (see ``split_table_note``).
    """
    split_table_note(split_table)
    if y_true is None:
        raise ValueError("confusion_matrix needs y_true (the true labels)")
    if (probs is None) == (preds is None):
        raise ValueError(
            f"confusion_matrix needs exactly one of probs or preds; got {'both' if probs is not None else 'neither'}"
        )
    truth = _labels(y_true, "y_true")
    n = None
    if probs is not None:
        scores = _probabilities(probs, "probs")
        n = scores.shape[1]
        predicted = scores.argmax(axis=1)
        _same_length(truth, "y_true", scores, "probs")
    else:
        predicted = _labels(preds, "preds")
        _same_length(truth, "y_true", predicted, "preds")
    # Argmax predictions are column ids, so only true labels can name the classes then.
    names = _class_names(class_names, n, [truth] if probs is not None else [truth, predicted])
    t = _class_indices(truth, names, "y_true")
    p = _class_indices(predicted, names, "preds")
    k = len(names)
    matrix = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    return Chart("confusion_matrix", {"class_names": names, "matrix": matrix.tolist(), "title": title})


# --- ROC and precision-recall curves ------------------------------------------------


def _ranked_counts(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return false- and true-positive counts at each distinct score, highest score first."""
    order = np.argsort(-score, kind="mergesort")
    score, positive = score[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]  # last sample of each distinct score
    tps = np.cumsum(positive)[last]
    return 1 + last - tps, tps


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def _roc(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    fps, tps = _ranked_counts(positive, score)
    fpr, tpr = np.r_[0, fps] / fps[-1], np.r_[0, tps] / tps[-1]
    return fpr, tpr, _trapezoid(fpr, tpr)


def _pr(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    fps, tps = _ranked_counts(positive, score)
    precision, recall = tps / (tps + fps), tps / tps[-1]
    # Average precision as sklearn defines it: precision weighted by each recall step.
    average_precision = float(np.sum(np.diff(np.r_[0, recall]) * precision))
    return np.r_[0, recall], np.r_[1, precision], average_precision


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """Return at most MAX_CURVE_POINTS evenly spaced points, always keeping both ends."""
    if len(x) > MAX_CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(x) - 1, MAX_CURVE_POINTS).round().astype(np.int64))
        x, y = x[keep], y[keep]
    return x.tolist(), y.tolist()


def _curves(
    kind: str,
    curve: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, float]],
    y_true: Any,
    y_probas: Any,
    labels: Sequence[str] | None,
    classes_to_plot: Sequence[Any] | None,
    title: str | None,
) -> Chart:
    """One-vs-rest curves, one per class, from true labels and (N, C) class scores."""
    scores = _probabilities(y_probas, "y_probas")
    truth = _labels(y_true, "y_true")
    _same_length(truth, "y_true", scores, "y_probas")
    names = _class_names(labels, scores.shape[1], [truth])
    truth = _class_indices(truth, names, "y_true")
    chosen: Sequence[int] | np.ndarray = range(len(names))
    if classes_to_plot is not None:
        chosen = np.unique(_class_indices(_labels(classes_to_plot, "classes_to_plot"), names, "classes_to_plot"))
    curves = []
    for i in chosen:
        positive = truth == i
        # ROC needs both positives and negatives of the class; PR needs positives.
        if not positive.any() or (kind == "roc_curve" and positive.all()):
            missing = "negative" if positive.any() else "positive"
            warnings.warn(
                f"{kind}: y_true has no {missing} samples of class {names[i]!r}; its curve is left out", stacklevel=3
            )
            continue
        x, y, area = curve(positive, scores[:, i])
        xs, ys = _thin(x, y)
        curves.append({"class": names[i], "x": xs, "y": ys, "auc": area})
    return Chart(kind, {"curves": curves, "title": title})


def roc_curve(
    y_true: Any,
    y_probas: Any,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Chart:
    """Return one-vs-rest ROC curves (x: false-positive rate, y: true-positive rate) with their AUC.

    ``y_probas`` is (N, C) with column i scoring class i; ``labels`` names the classes;
    ``classes_to_plot`` (ids or names) picks some of them. ``split_table`` as wandb's
    (see ``split_table_note``).
    """
    split_table_note(split_table)
    return _curves("roc_curve", _roc, y_true, y_probas, labels, classes_to_plot, title)


def pr_curve(
    y_true: Any,
    y_probas: Any,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    interp_size: int = 21,
    title: str | None = None,
    split_table: bool = False,
) -> Chart:
    """Return one-vs-rest precision-recall curves (x: recall, y: precision); ``auc`` is the average precision.

    Arguments are as for ``roc_curve``. ``interp_size`` is in wandb's signature (its number
    of recall points); wbnb keeps each curve's own points (thinned past ``MAX_CURVE_POINTS``).
    """
    split_table_note(split_table)
    return _curves("pr_curve", _pr, y_true, y_probas, labels, classes_to_plot, title)


# --- table-backed charts ------------------------------------------------------------


def _table_chart(kind: str, table: Table, fields: dict[str, str | None], title: str | None) -> Chart:
    if not isinstance(table, Table):
        raise TypeError(f"wbnb.plot.{kind} expects a wbnb Table, got {type(table).__name__}")
    for role, column in fields.items():
        if column is not None and column not in table.columns:
            raise ValueError(
                f"wbnb.plot.{kind}: the {role} column {column!r} is not in the table;"
                f" available columns: {table.columns}"
            )
    return Chart("plot", {"kind": kind, "fields": fields, "title": title}, table)


def line(
    table: Table, x: str, y: str, stroke: str | None = None, title: str | None = None, split_table: bool = False
) -> Chart:
    """Return a line chart of column ``y`` against column ``x`` (``stroke``: a column splitting lines)."""
    split_table_note(split_table)
    return _table_chart("line", table, {"x": x, "y": y, "stroke": stroke}, title)


def scatter(table: Table, x: str, y: str, title: str | None = None, split_table: bool = False) -> Chart:
    """Return a scatter chart of column ``y`` against column ``x``."""
    split_table_note(split_table)
    return _table_chart("scatter", table, {"x": x, "y": y}, title)


def bar(table: Table, label: str, value: str, title: str | None = None, split_table: bool = False) -> Chart:
    """Return a bar chart with one bar per row: ``label`` names it, ``value`` sizes it."""
    split_table_note(split_table)
    return _table_chart("bar", table, {"label": label, "value": value}, title)


def histogram(table: Table, value: str, title: str | None = None, split_table: bool = False) -> Chart:
    """Return a histogram of column ``value`` (binned when drawn)."""
    split_table_note(split_table)
    return _table_chart("histogram", table, {"value": value}, title)


# --- line series --------------------------------------------------------------------


def _series(values: Any, what: str) -> list[Any]:
    arr = to_numpy(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a 1-D sequence of values, got shape {arr.shape}")
    return to_plain(arr)


def line_series(
    xs: Any,
    ys: Any,
    keys: Sequence[str] | None = None,
    title: str | None = None,
    xname: str | None = None,
    split_table: bool = False,
) -> Chart:
    """Return several lines in one chart: ``ys`` is a list of series; ``xs`` is one shared
    x sequence or one per series; ``keys`` name the series (default "key_0", "key_1", ...)."""
    split_table_note(split_table)
    y_lists = [_series(y, f"ys[{i}]") for i, y in enumerate(ys)]
    if not y_lists or len(xs) == 0:
        raise ValueError("line_series needs at least one series in ys and some x values in xs")
    if to_numpy(xs[0]).ndim == 0:  # one shared x sequence
        x_lists = [_series(xs, "xs")] * len(y_lists)
    else:
        x_lists = [_series(x, f"xs[{i}]") for i, x in enumerate(xs)]
    if len(x_lists) != len(y_lists):
        raise ValueError(
            f"line_series got {len(x_lists)} x sequences for {len(y_lists)} y series;"
            " pass one shared xs or one per series"
        )
    for i, (x, y) in enumerate(zip(x_lists, y_lists, strict=True)):
        if len(x) != len(y):
            raise ValueError(f"line_series series {i} has {len(x)} x values but {len(y)} y values")
    keys = [f"key_{i}" for i in range(len(y_lists))] if keys is None else [str(k) for k in keys]
    if len(keys) != len(y_lists):
        raise ValueError(f"line_series got {len(keys)} keys for {len(y_lists)} series")
    return Chart("line_series", {"xs": x_lists, "ys": y_lists, "keys": keys, "title": title, "xname": xname})
