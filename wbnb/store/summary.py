"""How a run's summary is derived from its rows: the last value per key, unless a
``define_metric`` rule asks for min / max / mean / first / last / best / none.

A ruled key holds what wandb stores for it: a dict with one entry per aggregation,
``{"acc": {"max": 0.9}}`` for ``summary="max"``, ``{"min": .., "max": ..}`` for
``"min,max"``; ``"last"`` is ``{"last": value}`` too (as in wandb, where a plain value
comes only from no summary rule or ``"copy"``); ``"best"`` is ``{"best": ..}``; ``"none"``
leaves the key out. A rule for the exact name wins over a glob, so
``define_metric("val/loss")`` keeps ``val/loss`` plain under a ``"val/*"`` rule.

The live run and crash recovery both feed rows through ``SummaryTracker``, so a crashed
run's summary is the one its process would have written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

MODES = ("last", "first", "min", "max", "mean", "best", "copy", "none")


def parse_modes(summary: str | None, goal: str | None) -> tuple[str, ...]:
    """Validate a ``define_metric(summary=...)`` string such as ``"min,max"``."""
    if summary is None:
        return ("last",)
    modes = tuple(m.strip().lower() for m in str(summary).split(",") if m.strip())
    for m in modes:
        if m not in MODES:
            raise ValueError(f"define_metric summary={summary!r}: {m!r} is not one of {', '.join(MODES)}")
    if "best" in modes and goal not in ("minimize", "maximize"):
        raise ValueError("define_metric summary='best' needs goal='minimize' or 'maximize'")
    return modes


class SummaryTracker:
    """Keeps the summary of a run up to date as rows arrive."""

    def __init__(self, metrics: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.values: dict[str, Any] = {}  # last value per key: the default summary
        self.explicit: dict[str, Any] = {}  # set by the user, wins over derived values
        self._stats: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, Mapping[str, Any]] = {}  # the rules that shape the summary (log() asks)
        self._all: dict[str, Mapping[str, Any]] = {}
        self._rule_of: dict[str, tuple[tuple[str, ...], str | None] | None] = {}
        self.set_metrics(metrics or {})

    def set_metrics(self, metrics: Mapping[str, Mapping[str, Any]]) -> None:
        """Install ``define_metric`` rules (name or glob -> {summary, goal, ...})."""
        self._all = dict(metrics)
        self.metrics = {k: v for k, v in metrics.items() if _shaped(v)}
        self._rule_of.clear()
        for key, value in self.values.items():  # a rule set mid-run starts from the current value
            if key not in self._stats and self._rule(key) is not None:
                self._accumulate(key, value)

    def _rule(self, key: str) -> tuple[tuple[str, ...], str | None] | None:
        if key in self._rule_of:
            return self._rule_of[key]
        spec = self._all.get(key)  # the exact name first, as in wandb
        if spec is None:
            spec = next((v for pattern, v in self.metrics.items() if fnmatchcase(key, pattern)), None)
        rule = None
        if spec is not None and _shaped(spec):
            rule = (parse_modes(spec.get("summary"), spec.get("goal")), spec.get("goal"))
        self._rule_of[key] = rule
        return rule

    def observe(self, row: Mapping[str, Any]) -> None:
        """Account for one logged row. (``Run.log`` inlines this: ``values.update(row)``,
        then ``observe_ruled`` only when there are rules.)"""
        self.values.update(row)
        if self.metrics:
            self.observe_ruled(row)

    def observe_ruled(self, row: Mapping[str, Any]) -> None:
        """Update min / max / mean / first for the keys that have a rule."""
        for key, value in row.items():
            if self._rule(key) is not None:
                self._accumulate(key, value)

    def _accumulate(self, key: str, value: Any) -> None:
        st = self._stats.setdefault(key, {"first": value, "n": 0, "sum": 0.0})
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return
        st["n"] += 1
        st["sum"] += value
        st["min"] = value if "min" not in st else min(st["min"], value)
        st["max"] = value if "max" not in st else max(st["max"], value)

    def result(self) -> dict[str, Any]:
        """The summary as readers see it."""
        out = dict(self.values)
        for key in list(out):
            rule = self._rule(key) if self.metrics else None
            if rule is None:
                continue
            modes, goal = rule
            picked = {}
            for mode in modes:
                value = self._mode_value(key, mode, goal)
                if value is not _MISSING:
                    picked[mode] = value
            if "none" in modes or not picked:
                del out[key]
            else:
                out[key] = picked
        out.update(self.explicit)
        return out

    def _mode_value(self, key: str, mode: str, goal: str | None) -> Any:
        st = self._stats.get(key, {})
        if mode == "last":
            return self.values[key]
        if mode == "first":
            return st.get("first", self.values[key])
        if mode == "best":
            mode = "min" if goal == "minimize" else "max"
        if mode == "mean":
            return st["sum"] / st["n"] if st.get("n") else _MISSING
        if mode in ("min", "max"):
            return st.get(mode, _MISSING)
        return _MISSING


def _shaped(spec: Mapping[str, Any]) -> bool:
    """Whether a rule makes its key a dict of aggregations (not the plain last value)."""
    summary = spec.get("summary")
    return summary is not None and "copy" not in str(summary).lower()


_MISSING = object()
