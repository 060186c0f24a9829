"""``StepRecords``: the live model of a component that draws the records logged per (run,
key, step) whose bytes live in media files (``PlotlyView``'s figures, ``Object3DView``'s
point clouds).

Its snapshot is the step index only (which steps of which (run, key) have records and
how many each: a list logged under one key is shown item by item, the shapes in
``widgets/contract.py``: ``StepsState``, ``StepsChange``); the page asks for each item it
shows (``FetchRecord``: series, step, index) and the component answers with that file's
bytes, read through ``Store.media``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from .contract import FetchRecord, RecordSteps, StepsChange, StepsState
from .keys import key_patterns
from .media import logged_media
from .pagerequest import read_request
from .runs import RunRef


class StepEntry:
    """One (run, key): its steps and the records (one, or a list's items) logged at each."""

    __slots__ = ("id", "run", "key", "steps", "records")

    def __init__(self, sid: int, run: int, key: str) -> None:
        self.id, self.run, self.key = sid, run, key
        self.steps: list[int] = []
        self.records: list[list[dict[str, Any]]] = []

    def at(self, step: int | None) -> list[dict[str, Any]]:
        """The records at ``step`` (None: the newest), else none. Exactly ``step``, not
        ``widgets/steps.py``'s last-at-or-before on purpose: each (run, key) has its own
        slider over its own steps, so the page only ever asks for a step it logged."""
        if step is None:
            return self.records[-1] if self.records else []
        i = bisect_left(self.steps, step)
        return self.records[i] if i < len(self.steps) and self.steps[i] == step else []

    def item(self, step: int | None, index: int = 0) -> dict[str, Any] | None:
        """Item ``index`` of the records at ``step`` (None: the newest), else None."""
        items = self.at(step)
        return items[index] if 0 <= index < len(items) else None

    def head(self) -> RecordSteps:
        counts = [len(r) for r in self.records]
        return {"id": self.id, "run": self.run, "key": self.key, "steps": list(self.steps), "counts": counts}


class StepRecords:
    """The ``LiveModel`` of the records of type ``kind`` (a record ``_type``) runs logged."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None, kind: str) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.kind = kind
        self.entries: dict[tuple[int, str], StepEntry] = {}
        self._dirty: set[int] = set()  # entry ids with steps the page has not got

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, self.kind, self.keys):
            e = self.entries.get((source, key))
            if e is None:
                e = self.entries[(source, key)] = StepEntry(len(self.entries), source, key)
            if e.steps and e.steps[-1] == step:  # the same step logged again: last wins
                e.records[-1] = recs
            else:
                e.steps.append(int(step))
                e.records.append(recs)
            self._dirty.add(e.id)

    def delta(self) -> tuple[StepsChange, list[bytes]] | None:
        if not self._dirty:
            return None
        upd = [e.head() for e in self.entries.values() if e.id in self._dirty]
        self._dirty.clear()
        return {"type": "delta", "upd": upd}, []

    def snapshot(self) -> StepsState:
        self._dirty.clear()
        return {"runs": [r.info() for r in self.runs], "series": [e.head() for e in self.entries.values()]}

    def size_hint(self) -> int:
        return sum(12 * len(e.steps) for e in self.entries.values())

    def keys_shown(self) -> list[str]:
        """The keys that hold records, sorted."""
        return sorted({e.key for e in self.entries.values()})

    def read(
        self, key: str, run: int = 0, step: int | None = None, index: int = 0
    ) -> tuple[dict[str, Any], bytes] | None:
        """Item ``index`` of the records of ``key`` (run number ``run``, at ``step`` or the
        newest) and its file's bytes (empty when unreadable), or None when there is none."""
        e = self.entries.get((run, key))
        record = None if e is None else e.item(step, index)
        if e is None or record is None:
            return None
        return record, self.media(e, record)

    def fetched(self, request: Any) -> tuple[FetchRecord, StepEntry, dict[str, Any] | None] | None:
        """What a page's ``fetch`` names, read defensively (it comes from the page): the
        request as checked, its (run, key) and the item it names (None when there is no
        such step or index); None when it is no fetch the page makes."""
        fetch = read_request(FetchRecord, request)
        if fetch is None:
            return None
        for e in self.entries.values():
            if e.id == fetch["id"]:
                return fetch, e, e.item(fetch["step"], fetch["index"])
        return None

    def media(self, entry: StepEntry, record: dict[str, Any]) -> bytes:
        """The bytes of ``record``'s file in ``entry``'s run (empty when the store cannot read it)."""
        try:
            return self.runs[entry.run].store.media(record["path"])
        except Exception:
            return b""
