"""Parallel coordinates of runs: each column an axis, each run a line through its values.

Every rule of the drawing lives here, for the page and the static picture alike: a value's
place on its axis (``pos``, 0 at the bottom), the ticks, the axis kind (numbers, else
categories in sorted order), whether an axis is log (as the caller says, else a positive
column spanning more than two decades), the text of each value and each line's colour
(its metric's place on the heat scale, the best runs darkest).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from ..pictures.svg import clip, heat_color, number
from .contract import TICK_WIDTH, Axis, Importance, Line, Parallel, Tick

LOG_SPAN = 100.0  # a positive column whose max / min exceeds this gets a log axis
MAX_CAT_TICKS = 20  # category labels drawn on one axis at most


@dataclass(frozen=True)
class Row:
    """One run: its id, name, state and its value in each column (by key)."""

    id: str
    name: str
    state: str
    values: Mapping[str, Any] = field(default_factory=dict)


def is_number(v: Any) -> TypeGuard[int | float]:
    """A finite real number, never a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def auto_log(values: Sequence[float]) -> bool:
    """Whether a numeric column gets a log axis: every value positive, spanning > 2 decades."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > LOG_SPAN


def _tick(pos: float, label: str) -> Tick:
    return {"pos": pos, "text": clip(label, TICK_WIDTH, 10), "full": label}


def _text(v: Any) -> str:
    return "" if v is None else number(float(v)) if is_number(v) else str(v)


class _Scale:
    """Where the values of one column sit on its axis."""

    def __init__(self, values: list[Any], log: bool | None) -> None:
        present = [v for v in values if v is not None]
        self.numeric = bool(present) and all(is_number(v) for v in present)
        if self.numeric:
            nums = [float(v) for v in present]
            self.log = auto_log(nums) if log is None else bool(log) and min(nums) > 0
            f = math.log10 if self.log else float
            self.lo, self.hi = f(min(nums)), f(max(nums))
            self.f = f
        else:
            self.log = False
            self.categories = sorted({str(v) for v in present})

    def pos(self, v: Any) -> float | None:
        if v is None:
            return None
        if self.numeric:
            if not is_number(v) or (self.log and v <= 0):
                return None
            return 0.5 if self.hi == self.lo else (self.f(float(v)) - self.lo) / (self.hi - self.lo)
        n = len(self.categories)
        return 0.5 if n == 1 else self.categories.index(str(v)) / (n - 1)

    def ticks(self) -> list[Tick]:
        if not self.numeric:
            step = max(1, math.ceil(len(self.categories) / MAX_CAT_TICKS))
            return [_tick(self.pos(c) or 0.0, c) for c in self.categories[::step]]
        if self.hi == self.lo:
            return [_tick(0.5, number(10**self.lo if self.log else self.lo))]
        if self.log:
            decades = range(math.ceil(self.lo), math.floor(self.hi) + 1)
            places = sorted({self.lo, self.hi, *map(float, decades)})
            return [_tick((x - self.lo) / (self.hi - self.lo), number(10**x)) for x in places]
        return [_tick(i / 4, number(self.lo + (self.hi - self.lo) * i / 4)) for i in range(5)]


def parallel(
    rows: Sequence[Row],
    params: Sequence[tuple[str, str]],
    metric: tuple[str, str] | None,
    *,
    logs: Mapping[str, bool] | None = None,
    goal: str = "maximize",
    importance: list[Importance] | None = None,
    method: str = "",
    note: str = "",
) -> Parallel:
    """Parallel coordinates of ``rows`` over ``params`` and the ``metric`` column, last
    (each a (column key, label) pair). ``logs``: key -> whether its axis is log (a key
    left out is decided by ``auto_log``). ``goal``: which end of the metric is better
    (drawn darkest)."""
    columns = [*params, metric] if metric else list(params)
    keys = [k for k, _ in columns]
    labels = [label for _, label in columns]
    scales = [_Scale([r.values.get(k) for r in rows], (logs or {}).get(k)) for k in keys]
    axes: list[Axis] = [
        {"key": k, "label": label, "kind": "num" if s.numeric else "cat", "log": s.log, "ticks": s.ticks()}
        for k, label, s in zip(keys, labels, scales)
    ]
    lines: list[Line] = []
    for r in rows:
        pos = [s.pos(r.values.get(k)) for k, s in zip(keys, scales)]
        shade = pos[-1] if metric and pos and pos[-1] is not None else None
        if shade is not None and goal == "minimize":
            shade = 1.0 - shade
        lines.append(
            {
                "id": r.id,
                "name": r.name,
                "state": r.state,
                "color": "#bbb" if shade is None else heat_color(0.25 + 0.75 * shade),
                "pos": pos,
                "text": [_text(r.values.get(k)) for k in keys],
            }
        )
    return {
        "metric": metric[1] if metric else "",
        "axes": axes,
        "lines": lines,
        "importance": importance or [],
        "method": method,
        "note": note,
    }
