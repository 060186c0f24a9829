"""``ChartSet``: the live model of a ``Charts`` (``widget.py``).

It keeps, per key and run, the chart records logged and their steps (records are small:
a table-backed chart's body stays a media file of the store until drawn). A key's chart at
a step overlays each run's newest version at or before it (``records.draw``, ``specs.spec``);
the snapshot carries every key at its newest step, a delta the keys logged anew, and
``answer`` a key at the step the page's slider asks for. Shapes: ``contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..keys import key_patterns, wanted
from ..runs import RunRef
from ..steps import shown_index
from .contract import KINDS, ChartReply, ChartsChanges, ChartsRun, ChartsState, ChartState, FetchChart
from .records import PALETTE, Drawn, Version, draw, kind_of
from .specs import spec

CODED = ("s", "run")  # the columns of repeated texts


def coded(cols: dict[str, list[Any]]) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """``cols`` with each ``CODED`` column as indices into its distinct texts (a ROC curve's
    label would otherwise travel once per point)."""
    data, codes = dict(cols), {}
    for name in CODED:
        if name in cols:
            texts = list(dict.fromkeys(cols[name]))
            at = {t: i for i, t in enumerate(texts)}
            data[name], codes[name] = [at[t] for t in cols[name]], texts
    return data, codes


def decoded(state: ChartState) -> dict[str, list[Any]]:
    """A chart's columns with their texts back (what the page's dataset holds)."""
    cols = dict(state["data"])
    for name, texts in state["codes"].items():
        cols[name] = [texts[i] for i in cols[name]]
    return cols


class Entry:
    """One (run, key): the steps it was logged at and the record of each."""

    __slots__ = ("steps", "recs")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.recs: list[dict[str, Any]] = []

    def at(self, step: int) -> dict[str, Any] | None:
        """The newest record at or before ``step`` (``widgets/steps.py``)."""
        i = shown_index(self.steps, step)
        return None if i is None else self.recs[i]


class ChartSet:
    """The ``LiveModel`` behind Charts."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None = None) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.colors = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(runs)}  # run id -> colour
        self.entries: dict[str, dict[int, Entry]] = {}  # key -> run number -> its versions
        self.changed: set[str] = set()
        self._drawn: dict[tuple[str, int], ChartState] = {}

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for keys, step, _ts, _rt, values in rows:
            for key, value in zip(keys, values):
                if not isinstance(value, dict) or value.get("_type") not in KINDS or not wanted(key, self.keys):
                    continue
                e = self.entries.setdefault(key, {}).setdefault(source, Entry())
                if e.steps and e.steps[-1] == step:
                    e.recs[-1] = value
                else:
                    e.steps.append(int(step))
                    e.recs.append(value)
                self.changed.add(key)
                self._drawn = {k: v for k, v in self._drawn.items() if k[0] != key}

    def keys_shown(self) -> list[str]:
        """The keys drawn, in the order first logged."""
        return list(self.entries)

    def steps(self, key: str) -> list[int]:
        """Every step any run logged ``key`` at."""
        return sorted({s for e in self.entries.get(key, {}).values() for s in e.steps})

    def drawn(self, key: str, step: int | None = None) -> Drawn | None:
        """What ``key``'s chart draws at ``step`` (default the newest), or None if not logged."""
        steps = self.steps(key)
        if not steps:
            return None
        step = steps[-1] if step is None else step
        versions = []
        for run, e in sorted(self.entries[key].items()):
            rec = e.at(step)
            if rec is not None:
                ref = self.runs[run]
                versions.append(Version(ref.name, self.colors[ref.id], rec, ref.store.media))
        if not versions:
            return None
        kind = kind_of(versions[0].record)
        same = [v for v in versions if kind_of(v.record) == kind]
        try:
            d = draw(key, same)
        except Exception as err:  # a table not on the store (yet: a server may not have it) or not one
            d = Drawn(kind, key, notes=[f"cannot read this chart's table: {err}"], complete=False)
        if len(same) < len(versions):
            d.notes.append(f"{len(versions) - len(same)} run(s) logged another kind of chart here")
        return d

    def chart(self, key: str, step: int | None = None) -> ChartState | None:
        """``key``'s chart as the page gets it, at ``step`` (default the newest)."""
        steps = self.steps(key)
        if not steps:
            return None
        at = steps[-1] if step is None else step
        cached = self._drawn.get((key, at))
        if cached is not None:
            return cached
        d = self.drawn(key, at)
        if d is None:
            return None
        data, codes = coded(d.cols)
        state: ChartState = {
            "key": key,
            "kind": d.kind,
            "title": d.title,
            "steps": steps,
            "step": at,
            "spec": spec(d),
            "data": data,
            "codes": codes,
            "note": "; ".join(d.notes),
            "legend": d.legend,
            "custom": d.custom,
        }
        if d.complete:
            self._drawn[(key, at)] = state
        return state

    def _runs(self) -> list[ChartsRun]:
        return [{**r.info(), "color": self.colors[r.id]} for r in self.runs]

    def delta(self) -> tuple[ChartsChanges, list[bytes]] | None:
        upd = [c for c in (self.chart(k) for k in self.entries if k in self.changed) if c is not None]
        self.changed.clear()
        return ({"type": "delta", "upd": upd}, []) if upd else None

    def snapshot(self) -> ChartsState:
        self.changed.clear()
        charts = [c for c in (self.chart(k) for k in self.entries) if c is not None]
        return {"runs": self._runs(), "charts": charts}

    def size_hint(self) -> int:
        return sum(40 * len(c["data"].get("x", ())) for c in self._drawn.values())

    def answer(self, fetch: FetchChart) -> ChartReply:
        """The chart ``fetch`` asks for (``chart`` None when the key was never logged)."""
        return {
            "type": "chart",
            "req": fetch["req"],
            "key": fetch["key"],
            "step": fetch["step"],
            "chart": self.chart(fetch["key"], fetch["step"]),
        }
