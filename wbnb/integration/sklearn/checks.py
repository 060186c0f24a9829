"""What every ``wbnb.sklearn.plot_*`` does around its computation: check the input as
wandb's ``test_missing`` / ``test_types`` / ``test_fitted`` do, log to the current run,
and turn bad input into one warning and nothing logged (never an exception mid-script).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec

import numpy as np
import sklearn.base
from sklearn.base import is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from wbnb.data.plot import Chart
from wbnb.sdk.lifecycle import current_run

P = ParamSpec("P")

# The most rows a chart's table keeps (wandb's ``chart_limit``); longer ones are cut, saying so.
CHART_LIMIT = 1000

# The arguments that are feature matrices (no missing values, numbers only) and arrays.
_MATRICES = ("X", "X_test")
_ARRAYS = ("X", "X_test", "y", "y_test", "y_true", "y_pred", "y_probas", "y_train")
# Arrays with one entry per sample of a feature matrix: array -> that matrix.
_SAMPLES = {"y": "X", "y_test": "X_test"}
# What the arrays that are not feature matrices must hold, said when they hold NaN or inf.
_FINITE = {"y_probas": "finite probabilities"}
_MODEL_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "model": ("classifier or regressor", lambda m: is_classifier(m) or is_regressor(m)),
    "clf": ("classifier", is_classifier),
    "regressor": ("regressor", is_regressor),
    "clusterer": ("clusterer", lambda m: _is_clusterer(m)),
}
# The kinds of target (sklearn's ``type_of_target``) a plot of class labels takes.
_CLASS_TARGETS = ("binary", "multiclass")
# The longest message passed on from an error inside sklearn or numpy (some embed whole arrays).
MESSAGE_LIMIT = 300


def _is_clusterer(model: Any) -> bool:
    test = getattr(sklearn.base, "is_clusterer", None)  # sklearn 1.6+ (from its tags); before: the attribute
    return bool(test(model)) if test is not None else getattr(model, "_estimator_type", None) == "clusterer"


def _is_kind(test: Callable[[Any], bool], model: Any) -> bool:
    """Whether ``model`` is a scikit-learn estimator ``test`` accepts; sklearn's tests raise
    ``AttributeError`` on an object without estimator tags (a string, a Keras model...)."""
    if isinstance(model, type) or not hasattr(model, "fit"):
        return False
    try:
        return bool(test(model))
    except (AttributeError, TypeError):
        return False


class BadInput(ValueError):
    """Input a plot cannot use: the plot warns with this message and logs nothing."""


def problems(fitted_model: bool = True, class_labels: Iterable[str] = (), **given: Any) -> list[str]:
    """What is wrong with the named arguments (wandb's checks): missing ones, arrays that
    are not (rectangular) arrays or hold NaN or inf, feature matrices that are not 2-D or
    of values that are not numbers, targets with a count other than their matrix's samples,
    models of the wrong kind or (with ``fitted_model``) not fitted, and the arguments
    named in ``class_labels`` not holding class labels."""
    found = []
    arrays: dict[str, np.ndarray] = {}  # the arrays with no problem, for the sample counts
    for name, value in given.items():
        if value is None:
            found.append(f"{name} is None")
            continue
        if name in _ARRAYS:
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                found.append(f"{name} is not an array (got {type(value).__name__})")
                continue
            try:
                arr = as_array(value)
            except (ValueError, TypeError):  # numpy's "inhomogeneous shape"
                found.append(f"{name} is not a rectangular array: its rows have different lengths")
                continue
            if arr.ndim == 0 or not len(arr):  # a dict or a set is one object to numpy
                found.append(f"{name} is empty" if arr.ndim else f"{name} is not an array (got {type(value).__name__})")
                continue
            wrong = _matrix_problems(name, arr) if name in _MATRICES else _value_problems(name, arr)
            wrong = wrong or (_label_problems(name, arr) if name in class_labels else [])
            found += wrong
            if not wrong:
                arrays[name] = arr
        if name in _MODEL_KINDS:
            what, test = _MODEL_KINDS[name]
            if not _is_kind(test, value):
                got = (
                    f"the class {value.__name__}: pass an instance" if isinstance(value, type) else type(value).__name__
                )
                found.append(f"{name} is not a scikit-learn {what} (got {got})")
            elif fitted_model and not fitted(value):
                found.append(f"{name} is not fitted: fit it before plotting")
    for name, matrix in _SAMPLES.items():
        if name in arrays and matrix in arrays and len(arrays[name]) != len(arrays[matrix]):
            found.append(f"{name} has {len(arrays[name])} entries for the {len(arrays[matrix])} samples of {matrix}")
    return found


def _matrix_problems(name: str, arr: np.ndarray) -> list[str]:
    if arr.dtype.kind not in "biuf":
        return [f"{name} holds values that are not numbers: vectorize, label encode or one-hot encode it"]
    if arr.ndim != 2:
        return [f"{name} must be a 2-D array (samples, features), got shape {arr.shape}"]
    if arr.dtype.kind != "f":
        return []
    missing, infinite = int(np.count_nonzero(np.isnan(arr))), int(np.count_nonzero(np.isinf(arr)))
    return [f"{name} has {n} {what} values" for n, what in ((missing, "missing"), (infinite, "infinite")) if n]


def _value_problems(name: str, arr: np.ndarray) -> list[str]:
    if arr.dtype.kind not in "fc":  # ints, bools, strings: nothing that can be NaN
        return []
    bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
    expected = _FINITE.get(name, "finite values")
    return [f"{name} has {bad} NaN or infinite values; expected {expected}"] if bad else []


def _label_problems(name: str, arr: np.ndarray) -> list[str]:
    kind = type_of_target(arr, input_name=name)
    if kind in _CLASS_TARGETS:
        return []
    return [f"{name} holds {kind} targets; expected class labels (binary or multiclass: ints or strings)"]


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


def brief(err: BaseException) -> str:
    """``err``'s message in one line of at most ``MESSAGE_LIMIT`` characters (sklearn's
    and numpy's may embed whole arrays); not a ``ValueError`` / ``TypeError``: its type first."""
    text = " ".join(str(err).split()) or type(err).__name__
    if not isinstance(err, (ValueError, TypeError)):
        text = f"{type(err).__name__}: {text}"
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def plot(key: str) -> Callable[[Callable[P, Chart | None]], Callable[P, None]]:
    """Make a ``Chart``-computing function a ``plot_*`` that logs it under ``key`` to the
    current run. Arguments the function does not take raise ``TypeError`` (a mistake in
    the call, as Python's own); any error of the computation (``BadInput``, sklearn's on
    bad data) becomes one short warning and nothing logged, so a plot never stops a
    script; no run: the same (call ``wbnb.init()`` first)."""

    def wrap(compute: Callable[P, Chart | None]) -> Callable[P, None]:
        signature = inspect.signature(compute)

        @functools.wraps(compute)
        def logged(*args: P.args, **kwargs: P.kwargs) -> None:
            name = f"wbnb.sklearn.{compute.__name__}"
            signature.bind(*args, **kwargs)  # a wrong keyword or too many arguments raises TypeError here
            run = current_run()
            if run is None:
                warnings.warn(f"{name}: no run to log to: call wbnb.init() first; logged nothing", stacklevel=2)
                return
            try:
                chart = compute(*args, **kwargs)
            except Exception as err:  # bad data deep inside sklearn too: warn-and-skip, wandb's contract
                warnings.warn(f"{name}: {brief(err)}; logged nothing", stacklevel=2)
                return
            if chart is not None:
                run.log({key: chart})

        return logged

    return wrap


def require(fitted_model: bool = True, class_labels: Iterable[str] = (), **given: Any) -> None:
    """Raise ``BadInput`` naming every problem of the arguments (``problems``)."""
    found = problems(fitted_model, class_labels, **given)
    if found:
        raise BadInput("; ".join(found))
