"""Bayesian search: the next trial's parameters from the trials that ended.

A Gaussian process models the metric over the unit cube, as wandb's engine does: each
leaf is placed by ``Distribution.to_unit`` (its CDF, so log-scaled leaves are modelled in
log space and quantized ones at their bin's middle); a categorical leaf of three or more
values is one-hot (its values have no order), a two-valued one is 0 / 1; constants take
no column. The kernel is a Matern 5/2 with one length scale per column plus a fitted
noise term, over normalized values (scikit-learn's ``GaussianProcessRegressor``), outliers on the bad
side clipped (median + 3 MAD: a cliff of failed settings would hide the differences among
good ones). The
suggestion maximises expected improvement over random candidates and candidates near the
best trials, the best few polished by L-BFGS-B (SciPy), drawn from
``numpy.random.default_rng([seed, index])``: the same inputs give the same suggestion.

Until ``MIN_OBSERVED`` trials have a finite metric, suggestion ``index`` is the random
sweep's (``search.random_point``): the documented start, as in wandb's engine. Trials
whose metric is NaN, infinite or missing (None) are left out (a warning says so). Live trials
(``pending``) are added to the model as if they had returned the model's prediction, no
better than the best value so far (a "constant liar"), so parallel agents spread out;
and a point that is pending or already observed is not suggested again while another
candidate remains.

SciPy and scikit-learn come with the ``wbnb[sweeps]`` extra: without them ``suggest``
raises ``UsageError`` saying so, never falling back to random search.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UsageError
from .config import SweepConfig, SweepConfigError
from .distributions import Categorical, Constant, Distribution
from .search import Path, canonical, ordered_leaves, random_point

#: Trials with a finite metric needed before the model suggests (wandb's engine: 2).
MIN_OBSERVED = 2
#: Trials the kernel's hyperparameters are fitted to, at most (the fit is cubic in them).
MAX_FIT = 64
#: Random candidates scored by expected improvement, then those near the best trials.
N_RANDOM = 1000
N_LOCAL = 300
#: The best candidates polished by L-BFGS-B.
N_POLISH = 3

_INSTALL = "Bayesian search needs scikit-learn and SciPy: pip install 'wbnb[sweeps]'"


@dataclass(frozen=True)
class _Extra:
    """What ``wbnb[sweeps]`` brings: SciPy's optimizer and normal CDF, scikit-learn's GP."""

    optimize: Any
    special: Any
    regressor: Any
    kernels: Any
    threadpool_limits: Any


def require_extra() -> _Extra:
    """The optional extra, imported on first use; UsageError naming it when missing.
    Called when a bayes sweep is made too, so a missing extra is said then, not at the
    third trial (the first two are random draws)."""
    try:
        import scipy  # noqa: F401  (top-level first: a blocked package fails here, not at a cached submodule)
        import sklearn  # noqa: F401
        from scipy import optimize, special
        from sklearn.gaussian_process import GaussianProcessRegressor, kernels
        from threadpoolctl import threadpool_limits  # scikit-learn's own dependency
    except ImportError as e:
        raise UsageError(f"{_INSTALL} ({e})") from e
    return _Extra(optimize, special, GaussianProcessRegressor, kernels, threadpool_limits)


class _Space:
    """The unit-cube columns of a config's leaves: encode a point, decode a column vector."""

    def __init__(self, leaves: list[tuple[Path, Distribution]]) -> None:
        self.leaves = leaves
        self.columns: list[slice] = []
        self.numeric: list[int] = []  # columns L-BFGS-B may move (categorical ones are held)
        width = 0
        for _, leaf in leaves:
            n = self._width(leaf)
            if n == 1 and not isinstance(leaf, Categorical):
                self.numeric.append(width)
            self.columns.append(slice(width, width + n))
            width += n
        self.width = width

    @staticmethod
    def _width(leaf: Distribution) -> int:
        if isinstance(leaf, Constant):
            return 0
        if isinstance(leaf, Categorical):
            n = len(leaf.values)
            return 0 if n == 1 else 1 if n == 2 else n
        return 1

    def encode(self, flat: Mapping[Path, Any]) -> np.ndarray:
        """A point's column vector; KeyError / ValueError when it does not fit the space."""
        x = np.zeros(self.width)
        for (path, leaf), col in zip(self.leaves, self.columns):
            n = col.stop - col.start
            if n == 0:
                continue
            value = flat[path]
            if isinstance(leaf, Categorical):
                i = leaf.index(value)
                if n == 1:
                    x[col.start] = float(i)
                else:
                    x[col.start + i] = 1.0
            else:
                u = leaf.to_unit(value)
                if not math.isfinite(u):
                    raise ValueError(f"{value!r} is outside {leaf.kind}")
                x[col.start] = u
        return x

    def decode(self, x: np.ndarray) -> dict[Path, Any]:
        """The leaf values a column vector stands for (each in its distribution's support)."""
        flat: dict[Path, Any] = {}
        for (path, leaf), col in zip(self.leaves, self.columns):
            n = col.stop - col.start
            if n == 0:
                flat[path] = leaf.from_unit(0.5)  # a constant, or a one-value categorical
            elif isinstance(leaf, Categorical):
                i = int(x[col.start] >= 0.5) if n == 1 else int(np.argmax(x[col]))
                flat[path] = leaf.values[i]
            else:
                flat[path] = leaf.from_unit(float(x[col.start]))
        return flat

    def draw(self, u: np.ndarray) -> dict[Path, Any]:
        """The point at uniform draws ``u`` (one per leaf), through each leaf's inverse CDF, so
        categorical values come with their probabilities."""
        return {path: leaf.from_unit(float(ui)) for (path, leaf), ui in zip(self.leaves, u)}


def _flatten(params: Mapping[str, Any], leaves: list[tuple[Path, Distribution]]) -> dict[Path, Any]:
    flat: dict[Path, Any] = {}
    for path, _ in leaves:
        node: Any = params
        for name in path:
            node = node[name]  # KeyError / TypeError: not a point of this space
        flat[path] = node
    return flat


def _encode_all(space: _Space, points: Sequence[Mapping[str, Any]]) -> tuple[list[np.ndarray], list[int]]:
    """The column vectors of the points that fit the space, and their positions."""
    rows, kept = [], []
    for i, params in enumerate(points):
        try:
            rows.append(space.encode(_flatten(params, space.leaves)))
        except (KeyError, TypeError, ValueError):
            continue
        kept.append(i)
    return rows, kept


def _is_finite(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(value)


def _warn(message: str) -> None:
    # one constant text per cause, so Python's default filter shows it once
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def suggest(
    config: SweepConfig,
    seed: int,
    index: int,
    observed: list[tuple[dict[str, Any], float]],
    pending: list[dict[str, Any]],
) -> dict[str, Any]:
    """Suggestion ``index`` of a Bayesian sweep: nested parameters, as ``SweepConfig.nest`` builds them.

    ``observed`` holds ended trials' (params, metric value in the metric's own sign), ``pending``
    the params of live trials; ``config.metric.goal`` says which way is better. Deterministic
    for the same inputs. Raises ``UsageError`` without the ``wbnb[sweeps]`` extra, and
    ``SweepConfigError`` for a config without a metric.
    """
    extra = require_extra()
    if config.metric is None:
        raise SweepConfigError("metric", "required for method bayes: the value to optimise")
    space = _Space(ordered_leaves(config))
    sign = -1.0 if config.metric.goal == "maximize" else 1.0  # the model minimises
    finite = [(params, float(value)) for params, value in observed if _is_finite(value)]
    if len(finite) < len(observed):
        _warn("bayes: trials whose metric is NaN, infinite or missing are left out of the model")
    rows, kept = _encode_all(space, [params for params, _ in finite])
    if len(kept) < len(finite):
        _warn("bayes: trials whose parameters are not points of the sweep's space are left out of the model")
    if len(rows) < MIN_OBSERVED or space.width == 0:
        return random_point(config, seed, index)
    X = np.array(rows)
    y = np.array([sign * finite[i][1] for i in kept])
    pending_rows, _ = _encode_all(space, pending)
    P = np.array(pending_rows).reshape(len(pending_rows), space.width)
    # the matrices are small: BLAS threads cost more than they save (tenfold on a busy machine)
    with extra.threadpool_limits(1):
        flat = _maximise_ei(extra, space, X, y, P, np.random.default_rng([seed, index]))
    return config.nest(flat)


def _maximise_ei(
    extra: _Extra, space: _Space, X: np.ndarray, y: np.ndarray, P: np.ndarray, rng: np.random.Generator
) -> dict[Path, Any]:
    """The point of most expected improvement over ``y.min()`` given trials ``X, y`` and pending ``P``,
    other than those."""
    y = y / max(1.0, float(np.max(np.abs(y))))  # so that normalizing huge finite values cannot overflow
    # values worse than the median by more than 3 median absolute deviations are clipped there:
    # a GP is smooth, and a cliff of failed settings (accuracy 0.1 beside 0.97) would flatten the
    # differences among good ones into noise (bench_sweeps' digits model: from losing to random
    # to beating it, Branin and Hartmann-6 unchanged)
    median = np.median(y)
    y = np.minimum(y, median + 3 * np.median(np.abs(y - median)))
    # the kernel's hyperparameters are fitted to at most MAX_FIT trials (the best half, the rest
    # drawn at random), cubic in their number; the model then holds every trial
    fit = np.arange(len(y))
    if len(y) > MAX_FIT:
        order = np.argsort(y, kind="stable")
        rest = rng.choice(order[MAX_FIT // 2 :], MAX_FIT - MAX_FIT // 2, replace=False)
        fit = np.concatenate([order[: MAX_FIT // 2], np.sort(rest)])
    gp = _fit(extra, X[fit], y[fit], int(rng.integers(2**31)))
    if len(fit) < len(y) or len(P):
        # constant liar: pending points "return" the prediction, no better than the best
        lies = np.maximum(gp.predict(P), y.min()) if len(P) else np.empty(0)
        gp = _refit(extra, gp, np.vstack([X, P]), np.concatenate([y, lies]))

    def ei(C: np.ndarray) -> np.ndarray:
        mu, sd = gp.predict(C, return_std=True)
        sd = np.maximum(sd, 1e-12)
        z = (y.min() - mu) / sd  # no margin asked beyond the best (wandb's choice): a margin stalls near the optimum
        return sd * (z * extra.special.ndtr(z) + np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi))

    candidates = _candidates(space, X, y, rng)
    scores = ei(candidates)
    polished = [_polish(extra, space, candidates[i], ei) for i in np.argsort(-scores, kind="stable")[:N_POLISH]]
    if polished:
        candidates = np.vstack([candidates, polished])
        scores = np.concatenate([scores, ei(np.array(polished))])
    taken = {_key(space, row) for row in np.vstack([X, P])}
    order = np.argsort(-scores, kind="stable")
    for i in order:
        if _key(space, candidates[i]) not in taken:
            return space.decode(candidates[i])
    return space.decode(candidates[order[0]])  # every candidate was tried or is running: a small space


def _key(space: _Space, x: np.ndarray) -> str:
    # what makes two points the same trial: their values
    return canonical(list(space.decode(x).values()))


def _fit(extra: _Extra, X: np.ndarray, y: np.ndarray, random_state: int) -> Any:
    """A GP fitted to the trials: Matern 5/2 with a length scale per column, times a scale, plus noise."""
    k = extra.kernels
    matern = k.Matern(length_scale=np.full(X.shape[1], 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5)
    kernel = k.ConstantKernel(1.0, (1e-2, 1e2)) * matern + k.WhiteKernel(1e-4, (1e-8, 1e-1))
    gp = extra.regressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=1, random_state=random_state)
    with warnings.catch_warnings():  # a length scale at its bound is a fit, not the user's concern
        warnings.simplefilter("ignore")
        gp.fit(X, y)
    return gp


def _refit(extra: _Extra, gp: Any, X: np.ndarray, y: np.ndarray) -> Any:
    # the kernel fitted to the real trials, kept: the lies only move the mean and shrink the variance
    return extra.regressor(kernel=gp.kernel_, normalize_y=True, optimizer=None).fit(X, y)


def _candidates(space: _Space, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random points of the space, and points near the best trials (their numeric columns moved
    a little), each snapped to a point the space can hold."""
    rows = [space.encode(space.draw(u)) for u in rng.random((N_RANDOM, len(space.leaves)))]
    best = X[np.argsort(y, kind="stable")[:5]]
    near = best[rng.integers(len(best), size=N_LOCAL)]
    if space.numeric:
        cols = np.array(space.numeric)
        near[:, cols] = np.clip(near[:, cols] + rng.normal(0, 0.05, (N_LOCAL, len(cols))), 0, 1)
    rows += [space.encode(space.decode(x)) for x in near]
    return np.array(rows)


def _polish(extra: _Extra, space: _Space, x0: np.ndarray, ei: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``x0`` moved along its numeric columns to a local maximum of expected improvement, snapped."""
    if not space.numeric:
        return x0
    cols = np.array(space.numeric)
    h = 1e-6

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        # EI at z and at z nudged along each column, in one prediction: a forward-difference gradient
        batch = np.repeat(x0[None, :], len(cols) + 1, axis=0)
        batch[:, cols] = z
        batch[np.arange(1, len(cols) + 1), cols] += h
        values = ei(batch)
        return -float(values[0]), -(values[1:] - values[0]) / h

    bounds = [(0.0, 1.0)] * len(cols)
    result = extra.optimize.minimize(
        objective, x0[cols], jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 30}
    )
    x = x0.copy()
    x[cols] = np.clip(result.x, 0.0, 1.0)
    return space.encode(space.decode(x))
