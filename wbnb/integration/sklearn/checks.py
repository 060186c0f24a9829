"""What every ``wbnb.sklearn.plot_*`` does around its computation: check the input as
wandb's ``test_missing`` / ``test_types`` / ``test_fitted`` do, log to the current run,
and turn bad input into one warning and nothing logged (never an exception mid-script).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec

import numpy as np
import sklearn.base
from sklearn.base import is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from wbnb.data.plot import Chart
from wbnb.sdk.lifecycle import current_run

P = ParamSpec("P")

# The most rows a chart's table keeps (wandb's ``chart_limit``); longer ones are cut, saying so.
CHART_LIMIT = 1000

# The arguments that are feature matrices (no missing values, numbers only) and arrays.
_MATRICES = ("X", "X_test")
_ARRAYS = ("X", "X_test", "y", "y_test", "y_true", "y_pred", "y_probas", "y_train")
_MODEL_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "model": ("a classifier or regressor", lambda m: bool(is_classifier(m) or is_regressor(m))),
    "clf": ("a classifier", lambda m: bool(is_classifier(m))),
    "regressor": ("a regressor", lambda m: bool(is_regressor(m))),
    "clusterer": ("a clusterer", lambda m: _is_clusterer(m)),
}


def _is_clusterer(model: Any) -> bool:
    test = getattr(sklearn.base, "is_clusterer", None)  # sklearn 1.6+ (from its tags); before: the attribute
    return bool(test(model)) if test is not None else getattr(model, "_estimator_type", None) == "clusterer"


class BadInput(ValueError):
    """Input a plot cannot use: the plot warns with this message and logs nothing."""


def problems(fitted_model: bool = True, **given: Any) -> list[str]:
    """What is wrong with the named arguments (wandb's checks): missing ones, feature
    matrices with missing or non-numeric values, arrays that are not arrays, models of the
    wrong kind or (with ``fitted_model``) not fitted."""
    found = []
    for name, value in given.items():
        if value is None:
            found.append(f"{name} is None")
            continue
        if name in _ARRAYS and (isinstance(value, (str, bytes)) or not isinstance(value, Iterable)):
            found.append(f"{name} is not an array (got {type(value).__name__})")
            continue
        if name in _MATRICES:
            found += _matrix_problems(name, value)
        if name in _MODEL_KINDS:
            what, test = _MODEL_KINDS[name]
            if not test(value):
                found.append(f"{name} is not {what} (got {type(value).__name__})")
            elif fitted_model and not fitted(value):
                found.append(f"{name} is not fitted: fit it before plotting")
    return found


def _matrix_problems(name: str, value: Any) -> list[str]:
    arr = np.asarray(value.toarray() if hasattr(value, "toarray") else value)  # a sparse matrix as dense
    if arr.dtype.kind not in "biuf":
        return [f"{name} holds values that are not numbers: vectorize, label encode or one-hot encode it"]
    missing = int(np.count_nonzero(np.isnan(arr))) if arr.dtype.kind == "f" else 0
    return [f"{name} has {missing} missing values"] if missing else []


def fitted(model: Any) -> bool:
    """Whether ``model`` is fitted (sklearn's ``check_is_fitted``)."""
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator sklearn can tell about: take it as fitted, as wandb does
        return True
    return True


def as_array(value: Any) -> np.ndarray:
    """An array of ``value`` (a pandas frame or series, a list, a sparse matrix as dense)."""
    return np.asarray(value.toarray() if hasattr(value, "toarray") else value)


def limited(n: int, chart: str, limit: int = CHART_LIMIT) -> int:
    """How many of ``n`` rows ``chart`` keeps: at most ``limit``, warning when it cuts."""
    if n > limit:
        warnings.warn(f"wbnb.sklearn: {chart} uses only the first {limit} of {n} data points", stacklevel=4)
    return min(n, limit)


_noticed: set[str] = set()


class RefitNotice(UserWarning):
    """A plot fits copies of the user's model (said once per plot and process)."""


def notice_refit(what: str) -> None:
    """Say once per process that a plot fits copies of the user's model (``what`` says which)."""
    if what not in _noticed:
        _noticed.add(what)
        warnings.warn(f"wbnb.sklearn: {what}; your model itself is not changed", RefitNotice, stacklevel=4)


def plot(key: str) -> Callable[[Callable[P, Chart | None]], Callable[P, None]]:
    """Make a ``Chart``-computing function a ``plot_*`` that logs it under ``key`` to the
    current run. ``BadInput`` and the ``ValueError`` / ``TypeError`` of bad data become one
    warning and nothing logged; no run: the same (call ``wbnb.init()`` first)."""

    def wrap(compute: Callable[P, Chart | None]) -> Callable[P, None]:
        @functools.wraps(compute)
        def logged(*args: P.args, **kwargs: P.kwargs) -> None:
            name = f"wbnb.sklearn.{compute.__name__}"
            run = current_run()
            if run is None:
                warnings.warn(f"{name}: no run to log to: call wbnb.init() first; logged nothing", stacklevel=2)
                return
            try:
                chart = compute(*args, **kwargs)
            except (ValueError, TypeError) as err:  # BadInput included; NotFittedError is a ValueError
                warnings.warn(f"{name}: {err}; logged nothing", stacklevel=2)
                return
            if chart is not None:
                run.log({key: chart})

        return logged

    return wrap


def require(fitted_model: bool = True, **given: Any) -> None:
    """Raise ``BadInput`` naming every problem of the arguments (``problems``)."""
    found = problems(fitted_model, **given)
    if found:
        raise BadInput("; ".join(found))
