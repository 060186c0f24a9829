"""``System``: the system metrics of runs (CPU, memory, GPU, disk, network), live.

    from wbnb.widgets import System
    System(run)                        # every system/* metric, in sections
    System(["demo/abc", "demo/def"], x_axis="wall")

It is ``Curves`` over the ``system`` stream (``Store.rows(..., "system", cursor)``):
the same front end (``static/curves.js``), the same ``SeriesSet`` and live ``Feed``.
Only the source and the key names differ: ``system/cpu_percent`` is shown as
``CPU/cpu_percent`` so that Curves' "prefix/" sections become CPU, Disk, GPU, Memory,
Network. The system stream is read from the store for every run, the kernel's own one
included (the sampler writes it there; ``log()`` listeners never see it). The x-axis
defaults to the run's relative time, since a sample's "step" is only its number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget

from ..store.base import Store
from .curves import KEY_PLACEHOLDER, PALETTE, Curves, _as_spec, chart_for
from .live import CursorSource, Feed, RunRef, resolve_runs
from .loader import VegaLoader, bundle
from .series import SeriesSet

SECTIONS = (  # (section, test on the name after "system/"), first match wins
    ("GPU", lambda n: n.startswith("gpu")),
    ("CPU", lambda n: "cpu" in n or "thread" in n),
    ("Memory", lambda n: "memory" in n or "rss" in n or n.startswith("mem")),
    ("Disk", lambda n: n.startswith("disk")),
    ("Network", lambda n: n.startswith("net")),
)


def display_key(key: str) -> str:
    """``system/cpu_percent`` -> ``CPU/cpu_percent`` (the section is the prefix)."""
    name = key[len("system/"):] if key.startswith("system/") else key
    for section, test in SECTIONS:
        if test(name):
            return f"{section}/{name}"
    return f"Other/{name}"


class SystemSource(CursorSource):
    """A run's ``system`` stream through a cursor, keys renamed by section."""

    def __init__(self, ref: RunRef, **kw: Any) -> None:
        super().__init__(ref, stream="system", **kw)
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _rename(self, rows: list[tuple]) -> list[tuple]:
        out = []
        for keys, step, ts, rt, values in rows:
            names = self._names.get(keys)
            if names is None:
                names = self._names[keys] = tuple(display_key(k) for k in keys)
            out.append((names, step, ts, rt, values))
        return out

    def initial(self) -> list[tuple]:
        return self._rename(super().initial())

    def poll(self, now: float) -> list[tuple]:
        return self._rename(super().poll(now))


class System(Curves):
    """Line charts of the system metrics of one or many runs, in sections, updated live.

    Arguments as ``Curves`` (``keys`` match the shown names, e.g. ``"GPU/*"``), with
    ``x_axis`` defaulting to ``"relative"`` (seconds since the run started).
    """

    def __init__(self, runs: Any = None, keys: Iterable[str] | str | None = None, *, x_axis: str = "relative",
                 log_y: bool = False, smoothing: float = 0.0, live: bool = True, max_points: int = 1536,
                 width: int = 300, height: int = 160, store: Store | None = None,
                 min_interval: float = 0.2, **kwargs: Any) -> None:
        if isinstance(keys, str):
            keys = [keys]
        refs = resolve_runs(runs, store)
        self._charts: dict[str, Any] = {}
        self.series = SeriesSet(refs, keys, max_buckets=max(2, max_points // 3))
        self.colors = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(refs)}
        sources: list[CursorSource] = [SystemSource(r) for r in refs]
        self._feed = Feed(self.series, sources, self._publish_delta, self._publish_snapshot,
                          min_interval=min_interval)
        snapshot = self._feed.load()
        for run in snapshot["runs"]:
            run["color"] = self.colors[run["id"]]
        template = _as_spec(chart_for(KEY_PLACEHOLDER, list(self.colors.items()), width=width, height=height))
        if "_esm" not in System.__dict__:
            System._esm = bundle("curves")  # Curves' front end, as is
        # Curves.__init__ would build a history feed: set the same traits ourselves.
        anywidget.AnyWidget.__init__(
            self, _vega=VegaLoader.shared(), _snapshot=snapshot, _spec=template, x_axis=x_axis, log_y=log_y,
            smoothing=smoothing, chart_width=width, chart_height=height, **kwargs)
        if live:
            self._feed.start()
        else:
            self._feed.stop()
