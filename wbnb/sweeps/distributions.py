"""The distributions a sweep parameter draws from (wandb's ``distribution`` names).

Each maps to and from the unit interval (``to_unit`` / ``from_unit``, the inverse CDF), which
random search samples through and Bayesian search models in; quantized kinds round
``round(x / q) * q`` as wandb does (an int ``q`` gives ints). Values are plain Python numbers.
Beta's inverse CDF needs SciPy (the ``wbnb[sweeps]`` extra); sampling it does not.
"""

from __future__ import annotations

import bisect
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

# Unbounded distributions map u in [0, 1] to a finite value: u is kept this far from 0 and 1.
_EDGE = 1e-12


def _clip_unit(u: float) -> float:
    return min(max(float(u), 0.0), 1.0)


def _quantize(x: float, q: float) -> float | int:
    r = round(x / q) * q
    return int(r) if isinstance(q, int) else float(r)


@dataclass(frozen=True)
class Distribution(ABC):
    """A parameter's distribution: ``kind`` is wandb's name for it."""

    kind: ClassVar[str]
    log_scale: ClassVar[bool] = False

    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn from ``rng``."""
        return self.from_unit(float(rng.random()))

    @abstractmethod
    def to_unit(self, x: Any) -> float:
        """Where value ``x`` lies in [0, 1] (its CDF; the middle of its bin when discrete)."""

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """The value at ``u`` in [0, 1] (the inverse CDF), quantized and in the support."""

    def grid_values(self) -> list[Any] | None:
        """The values grid search walks, as wandb's grid walks them; None where wandb's grid refuses
        the distribution (all but constant, categorical, int_uniform and q_uniform)."""
        return None


@dataclass(frozen=True)
class Constant(Distribution):
    kind: ClassVar[str] = "constant"
    value: Any

    def to_unit(self, x: Any) -> float:
        return 0.5

    def from_unit(self, u: float) -> Any:
        return self.value

    def grid_values(self) -> list[Any]:
        return [self.value]


@dataclass(frozen=True)
class Categorical(Distribution):
    """``values`` (any JSON values), drawn with ``probabilities`` or uniformly."""

    kind: ClassVar[str] = "categorical"
    values: tuple[Any, ...]
    probabilities: tuple[float, ...] | None = None

    def _edges(self) -> list[float]:
        n = len(self.values)
        if self.probabilities is None:
            return [(i + 1) / n for i in range(n)]
        return [float(c) for c in np.cumsum(self.probabilities)]

    def index(self, x: Any) -> int:
        """The position of ``x`` in ``values`` (compared with ==: values may be lists or dicts)."""
        for i, v in enumerate(self.values):
            # True == 1 in Python; a flag and a count are different values here
            if v == x and isinstance(v, bool) == isinstance(x, bool):
                return i
        raise ValueError(f"{x!r} is not one of the values {list(self.values)!r}")

    def to_unit(self, x: Any) -> float:
        i = self.index(x)
        edges = self._edges()
        return ((edges[i - 1] if i else 0.0) + edges[i]) / 2

    def from_unit(self, u: float) -> Any:
        edges = self._edges()
        i = bisect.bisect_right(edges, _clip_unit(u))
        if i == len(edges):  # u at the top: the last value with a probability above 0
            i = bisect.bisect_left(edges, edges[-1])
        return self.values[i]

    def grid_values(self) -> list[Any]:
        return list(self.values)


@dataclass(frozen=True)
class IntUniform(Distribution):
    """Integers ``min`` to ``max``, both included."""

    kind: ClassVar[str] = "int_uniform"
    min: int
    max: int

    def to_unit(self, x: Any) -> float:
        n = self.max - self.min + 1
        return _clip_unit((int(x) - self.min + 0.5) / n)

    def from_unit(self, u: float) -> int:
        n = self.max - self.min + 1
        return self.min + min(int(_clip_unit(u) * n), n - 1)

    def grid_values(self) -> list[Any]:
        return list(range(self.min, self.max + 1))


@dataclass(frozen=True)
class _Continuous(Distribution):
    """A distribution with a continuous CDF; quantized subclasses round in ``_finish``."""

    @abstractmethod
    def _cdf(self, x: float) -> float: ...

    @abstractmethod
    def _ppf(self, u: float) -> float: ...

    def _finish(self, x: float) -> float | int:
        return float(x)

    def to_unit(self, x: Any) -> float:
        return _clip_unit(self._cdf(float(x)))

    def from_unit(self, u: float) -> float | int:
        return self._finish(self._ppf(_clip_unit(u)))


@dataclass(frozen=True)
class Uniform(_Continuous):
    kind: ClassVar[str] = "uniform"
    min: float
    max: float

    def _cdf(self, x: float) -> float:
        return (x - self.min) / (self.max - self.min)

    def _ppf(self, u: float) -> float:
        return min(self.min + u * (self.max - self.min), self.max)


@dataclass(frozen=True)
class QUniform(Uniform):
    kind: ClassVar[str] = "q_uniform"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)

    def grid_values(self) -> list[Any]:
        # wandb's grid: numpy.arange(min, max, q), so max is left out and points start at min
        # (not at multiples of q, as sampled values are)
        return list(np.arange(self.min, self.max, self.q).tolist())


@dataclass(frozen=True)
class _LogUniformBase(_Continuous):
    """log(x) uniform between ``_log_bounds()``; the four log-uniform kinds differ only there."""

    log_scale: ClassVar[bool] = True
    min: float
    max: float

    @abstractmethod
    def _log_bounds(self) -> tuple[float, float]: ...

    def _value_bounds(self) -> tuple[float, float]:
        lo, hi = self._log_bounds()
        return math.exp(lo), math.exp(hi)

    def _cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        lo, hi = self._log_bounds()
        return (math.log(x) - lo) / (hi - lo)

    def _ppf(self, u: float) -> float:
        lo, hi = self._log_bounds()
        # exp(log(max)) can round past max: keep the value in its bounds
        vlo, vhi = self._value_bounds()
        return min(max(math.exp(lo + u * (hi - lo)), vlo), vhi)


@dataclass(frozen=True)
class LogUniform(_LogUniformBase):
    """exp(U(min, max)): ``min`` and ``max`` are natural-log exponents."""

    kind: ClassVar[str] = "log_uniform"

    def _log_bounds(self) -> tuple[float, float]:
        return self.min, self.max


@dataclass(frozen=True)
class LogUniformValues(_LogUniformBase):
    """Values between ``min`` and ``max`` whose log is uniform."""

    kind: ClassVar[str] = "log_uniform_values"

    def _log_bounds(self) -> tuple[float, float]:
        return math.log(self.min), math.log(self.max)

    def _value_bounds(self) -> tuple[float, float]:
        return self.min, self.max


@dataclass(frozen=True)
class InvLogUniform(_LogUniformBase):
    """x where log(1/x) is U(min, max): x between exp(-max) and exp(-min)."""

    kind: ClassVar[str] = "inv_log_uniform"

    def _log_bounds(self) -> tuple[float, float]:
        return -self.max, -self.min


@dataclass(frozen=True)
class InvLogUniformValues(LogUniformValues):
    """x where log(1/x) is uniform between log(1/max) and log(1/min): x between min and max."""

    kind: ClassVar[str] = "inv_log_uniform_values"


@dataclass(frozen=True)
class QLogUniform(LogUniform):
    kind: ClassVar[str] = "q_log_uniform"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)


@dataclass(frozen=True)
class QLogUniformValues(LogUniformValues):
    kind: ClassVar[str] = "q_log_uniform_values"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)


@dataclass(frozen=True)
class Normal(_Continuous):
    kind: ClassVar[str] = "normal"
    mu: float = 0.0
    sigma: float = 1.0

    def _dist(self) -> NormalDist:
        return NormalDist(self.mu, self.sigma)

    def _cdf(self, x: float) -> float:
        return self._dist().cdf(x)

    def _ppf(self, u: float) -> float:
        return self._dist().inv_cdf(min(max(u, _EDGE), 1 - _EDGE))


@dataclass(frozen=True)
class QNormal(Normal):
    kind: ClassVar[str] = "q_normal"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)


@dataclass(frozen=True)
class LogNormal(Normal):
    """exp(N(mu, sigma))."""

    kind: ClassVar[str] = "log_normal"
    log_scale: ClassVar[bool] = True

    def _cdf(self, x: float) -> float:
        return super()._cdf(math.log(x)) if x > 0 else 0.0

    def _ppf(self, u: float) -> float:
        return math.exp(super()._ppf(u))


@dataclass(frozen=True)
class QLogNormal(LogNormal):
    kind: ClassVar[str] = "q_log_normal"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)


def _scipy_special() -> Any:
    try:
        import scipy.special
    except ImportError as e:
        raise ImportError("the beta distribution's CDF needs SciPy: pip install 'wbnb[sweeps]' (or scipy)") from e
    return scipy.special


@dataclass(frozen=True)
class Beta(_Continuous):
    """Beta(a, b) on [0, 1]."""

    kind: ClassVar[str] = "beta"
    a: float = 1.0
    b: float = 1.0

    def sample(self, rng: np.random.Generator) -> Any:
        # numpy draws it directly, so random search needs no SciPy.
        return self._finish(float(rng.beta(self.a, self.b)))

    def _cdf(self, x: float) -> float:
        return float(_scipy_special().betainc(self.a, self.b, min(max(x, 0.0), 1.0)))

    def _ppf(self, u: float) -> float:
        return float(_scipy_special().betaincinv(self.a, self.b, u))


@dataclass(frozen=True)
class QBeta(Beta):
    kind: ClassVar[str] = "q_beta"
    q: float = 1.0

    def _finish(self, x: float) -> float | int:
        return _quantize(x, self.q)


#: Every distribution by its wandb name.
DISTRIBUTIONS: dict[str, type[Distribution]] = {
    d.kind: d
    for d in (
        Constant,
        Categorical,
        IntUniform,
        Uniform,
        QUniform,
        LogUniform,
        LogUniformValues,
        InvLogUniform,
        InvLogUniformValues,
        QLogUniform,
        QLogUniformValues,
        Normal,
        QNormal,
        LogNormal,
        QLogNormal,
        Beta,
        QBeta,
    )
}
