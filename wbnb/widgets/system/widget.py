"""``System``: the system metrics of runs (CPU, memory, GPU, disk, network), live.

    from wbnb.widgets import System
    System(run)                        # every system/* metric, in sections
    System(["demo/abc", "demo/def"], x_axis="wall")

It is ``Curves`` over the ``system`` stream (``Store.rows(..., "system", cursor)``):
the same front end (``js/curves/``, its bundle ``static/curves.js``), the same
``SeriesSet``, contract (``curves/contract.py``: System adds no trait and no message,
so this slice has no ``contract.py`` of its own) and live ``Feed``.
Only the source and the key names differ: ``system/cpu_percent`` is shown as
``CPU/cpu_percent`` so that Curves' "prefix/" sections become CPU, Disk, GPU, Memory,
Network. The system stream is read from the store for every run, the kernel's own one
included (the sampler writes it there; ``log()`` listeners never see it). The x-axis
defaults to the run's relative time, since a sample's "step" is only its number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..curves import Curves
from ..runs import RunRef
from ..sources import CursorSource

SECTIONS = (  # (section, test on the name after "system/"), first match wins
    ("GPU", lambda n: n.startswith("gpu")),
    ("CPU", lambda n: "cpu" in n or "thread" in n),
    ("Memory", lambda n: "memory" in n or "rss" in n or n.startswith("mem")),
    ("Disk", lambda n: n.startswith("disk")),
    ("Network", lambda n: n.startswith("net")),
)


def display_key(key: str) -> str:
    """``system/cpu_percent`` -> ``CPU/cpu_percent`` (the section is the prefix)."""
    name = key[len("system/") :] if key.startswith("system/") else key
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

    def initial_columns(self) -> dict[str, Any] | None:
        cols = super().initial_columns()
        return None if cols is None else {k if k.startswith("_") else display_key(k): v for k, v in cols.items()}

    def poll(self, now: float) -> list[tuple]:
        return self._rename(super().poll(now))


class System(Curves):
    """Line charts of the system metrics of one or many runs, in sections, updated live.

    Arguments as ``Curves`` (``keys`` match the shown names, e.g. ``"GPU/*"``), with
    ``x_axis`` defaulting to ``"relative"`` (seconds since the run started).
    """

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        x_axis: str = "relative",
        width: int = 300,
        height: int = 160,
        **kwargs: Any,
    ) -> None:
        super().__init__(runs, keys, x_axis=x_axis, width=width, height=height, **kwargs)

    def _sources(self, refs: list[RunRef]) -> list[Any]:
        # The system stream through the store, also for the kernel's own run: log()
        # listeners never see system samples.
        return [SystemSource(r) for r in refs]
