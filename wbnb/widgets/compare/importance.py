"""Which parameter matters: each parameter's random-forest importance for the metric and
its Pearson correlation with it, over the runs that have a value of the metric.

The forest is scikit-learn's ``RandomForestRegressor`` (the optional extra
``wbnb[sweeps]``) on the parameter columns, a categorical one encoded as its category's
index and a missing value as one below the column's least, seeded so the same runs give the same
ranking. Without scikit-learn the panel shows the correlations only and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .contract import Importance
from .parallel import Row, is_number

FOREST = "random-forest importance (scikit-learn)"
CORRELATION = "Pearson correlation"
NO_SKLEARN = "random-forest importance needs scikit-learn: pip install 'wbnb[sweeps]'"
MIN_RUNS = 3  # runs with a metric value needed before anything is computed
TREES = 100


def _encode(values: list[Any]) -> tuple[np.ndarray, bool]:
    """A column as numbers (categories as their sorted index), and whether it is numeric."""
    present = [v for v in values if v is not None]
    if present and all(is_number(v) for v in present):
        nums = np.array([math.nan if v is None else float(v) for v in values])
        return nums, True
    cats = sorted({str(v) for v in present})
    return np.array([math.nan if v is None else float(cats.index(str(v))) for v in values]), False


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    keep = np.isfinite(x)
    x, y = x[keep], y[keep]
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def importance(rows: Sequence[Row], params: Sequence[str], metric: str) -> tuple[list[Importance], str, str]:
    """(each parameter's importance and correlation, most important first; the method
    used; a note saying what could not be computed and why, else "")."""
    used = [r for r in rows if is_number(r.values.get(metric))]
    if len(used) < MIN_RUNS or not params:
        note = f"importance needs {MIN_RUNS} runs with a value of {metric}" if params else ""
        return [{"key": k, "importance": None, "correlation": None} for k in params], CORRELATION, note
    y = np.array([float(r.values[metric]) for r in used])
    columns = [_encode([r.values.get(k) for r in used]) for k in params]
    corr = [_pearson(col, y) if numeric else None for col, numeric in columns]
    forest, method, note = _forest(np.column_stack([col for col, _ in columns]), y)
    out: list[Importance] = [
        {"key": k, "importance": None if forest is None else float(forest[i]), "correlation": corr[i]}
        for i, k in enumerate(params)
    ]
    out.sort(key=lambda e: -(e["importance"] if e["importance"] is not None else abs(e["correlation"] or 0.0)))
    return out, method, note


def _forest(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray | None, str, str]:
    try:
        from sklearn.ensemble import RandomForestRegressor
    except ImportError:
        return None, CORRELATION, NO_SKLEARN
    if np.ptp(y) == 0:
        return None, CORRELATION, "the metric has one value: no importance"
    x = np.where(np.isfinite(x), x, np.nanmin(np.where(np.isfinite(x), x, np.inf), axis=0) - 1.0)
    x = np.where(np.isfinite(x), x, -1.0)  # a column with no value at all
    model = RandomForestRegressor(n_estimators=TREES, random_state=0).fit(x, y)
    return model.feature_importances_, f"{FOREST} and {CORRELATION}", ""
