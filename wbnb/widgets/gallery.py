"""``Gallery``: the images runs logged, by key, through the steps, side by side.

    from wbnb.widgets import Gallery
    Gallery(run)                                  # every image key; slider over steps
    Gallery(["demo/a", "demo/b"], keys="samples", columns=6, size=200)

Live state (the ``_snapshot`` trait, kept by a ``Feed`` like every live widget) is only
the *step index*: for each (run, key) the steps that have images and how many, at most
``MAX_SHOWN`` of them evenly spaced plus the last (a 100k-step run keeps ~16 kB of state;
the slider moves over those; every step stays in Python: ``Gallery.steps()``, ``index.images()``). Image
bytes never sit in traits: the page asks for the images it shows (a custom message
``{"type": "fetch", "req", "items": [{"run", "key", "step", "from", "to"}]}``) and
Python answers ``{"type": "images", "req", "items": [{"run", "key", "step", "index",
"caption", "width", "height", "format"}]}`` with one binary buffer per image, read
through ``Store.media``. While a cell runs the kernel does not handle that request, so
new images appear in the index (the slider grows) and their pixels come once the cell
is done.

Wire format of a series (snapshot ``series`` entry or delta ``upd`` entry): ``{"id",
"run", "key"}`` and float64 pairs (step, image count); a delta's pairs are appended
(a pair with the step of the last one replaces it: records of one step may come in
several ``log`` calls).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import traitlets as t

from ..store.base import Store
from .base import LiveWidget
from .runs import RunRef, resolve_runs
from .sources import make_sources

MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "tiff": "image/tiff",
    "tif": "image/tiff",
}
MAX_ANSWER_BYTES = 16 << 20  # one answer stays well under what a comm message should carry


def media_of(value: Any, kind: str) -> list[dict[str, Any]] | None:
    """The records of type ``kind`` in a history value (one record or a list), else None."""
    if isinstance(value, dict):
        return [value] if value.get("_type") == kind else None
    if isinstance(value, (list, tuple)) and value:
        recs = [v for v in value if isinstance(v, dict) and v.get("_type") == kind]
        return recs or None
    return None


def wanted(key: str, patterns: list[str] | None) -> bool:
    if key.startswith("_"):
        return False
    return patterns is None or any(key == p or fnmatch.fnmatchcase(key, p) for p in patterns)


def logged_media(
    rows: list[tuple], kind: str, patterns: list[str] | None
) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """``(step, key, records)`` of each wanted key's ``kind`` media in raw history rows."""
    for keys, step, _ts, _rt, values in rows:
        for key, value in zip(keys, values):
            recs = media_of(value, kind)
            if recs is not None and wanted(key, patterns):
                yield step, key, recs


MAX_SHOWN = 1024  # steps per (run, key) the slider moves over: ~16 kB of state however long the run


class _Entry:
    __slots__ = ("id", "run", "key", "steps", "records", "stride")

    def __init__(self, sid: int, run: int, key: str) -> None:
        self.id, self.run, self.key = sid, run, key
        self.steps: list[int] = []
        self.records: list[list[dict[str, Any]]] = []  # per step: the image records
        self.stride = 1  # the page gets every stride-th step, and always the last

    def shown_count(self) -> int:
        """``len(self.shown())``, without building it (ingest asks per image step)."""
        n = len(self.steps)
        return 0 if n == 0 else (n - 1) // self.stride + 1 + (1 if (n - 1) % self.stride else 0)

    def shown(self) -> list[int]:
        """Positions (in ``steps``) of the steps the page gets."""
        n = len(self.steps)
        pos = list(range(0, n, self.stride))
        if pos and pos[-1] != n - 1:
            pos.append(n - 1)
        return pos


class ImageIndex:
    """The ``LiveModel`` behind Gallery: which steps of which (run, key) have images."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | None = None) -> None:
        self.runs = runs
        self.keys = list(keys) if keys else None
        self.entries: dict[tuple[int, str], _Entry] = {}
        self._dirty: dict[int, int] = {}  # entry id -> first step position to send

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, "image", self.keys):
            e = self.entries.get((source, key))
            if e is None:
                e = self.entries[(source, key)] = _Entry(len(self.entries), source, key)
            if e.steps and e.steps[-1] == step:  # the same step logged again: last wins
                e.records[-1] = recs
            else:
                e.steps.append(int(step))
                e.records.append(recs)
            if len(e.steps) > MAX_SHOWN * e.stride:  # thin out: every other shown step goes
                e.stride *= 2
                first = 0
            else:  # only the last shown entry changes: an old last off the stride is replaced
                first = max(0, e.shown_count() - 1)
            self._dirty[e.id] = min(self._dirty.get(e.id, first), first)

    def _pairs(self, e: _Entry, start: int = 0) -> bytes:
        """(step, image count) of the shown steps from shown position ``start``."""
        pos = e.shown()[start:]
        a = np.empty((len(pos), 2))
        a[:, 0] = [e.steps[i] for i in pos]
        a[:, 1] = [len(e.records[i]) for i in pos]
        return a.tobytes()

    def delta(self) -> tuple[dict[str, Any], list[bytes]] | None:
        if not self._dirty:
            return None
        by_id = {e.id: e for e in self.entries.values()}
        upd, buffers = [], []
        for sid, start in sorted(self._dirty.items()):
            e = by_id[sid]
            upd.append({"id": e.id, "run": e.run, "key": e.key, "from": start})
            buffers.append(self._pairs(e, start))
        self._dirty.clear()
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> dict[str, Any]:
        self._dirty.clear()
        series = [
            {"id": e.id, "run": e.run, "key": e.key, "data": memoryview(self._pairs(e))} for e in self.entries.values()
        ]
        runs = [{"id": r.id, "name": r.name, "project": r.project} for r in self.runs]
        return {"runs": runs, "series": series}

    def size_hint(self) -> int:
        return sum(16 * e.shown_count() for e in self.entries.values())

    # -- what the page asks for -------------------------------------------------------

    def images(self, run: int, key: str, step: int) -> list[dict[str, Any]]:
        """The image records of ``key`` at ``step`` in run number ``run`` ([] if none)."""
        e = self.entries.get((run, key))
        if e is None:
            return []
        i = int(np.searchsorted(e.steps, step))
        return e.records[i] if i < len(e.steps) and e.steps[i] == step else []

    def answer(self, content: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        """The reply to a ``fetch`` request: records as text, bytes as buffers."""
        items: list[dict[str, Any]] = []
        buffers: list[bytes] = []
        total = 0
        for want in content.get("items") or []:
            run, key, step = int(want.get("run", 0)), str(want.get("key", "")), int(want.get("step", 0))
            if not 0 <= run < len(self.runs):
                continue
            recs = self.images(run, key, step)
            lo = max(0, int(want.get("from", 0)))
            hi = min(len(recs), int(want.get("to", len(recs))))
            for index in range(lo, hi):
                rec = recs[index]
                try:
                    data = self.runs[run].store.media(rec["path"])
                except Exception:
                    data = b""
                if buffers and total + len(data) > MAX_ANSWER_BYTES:
                    break  # the page asks again for what is still missing
                total += len(data)
                fmt = str(rec.get("format") or rec.get("path", "").rpartition(".")[2]).lower()
                items.append(
                    {
                        "run": run,
                        "key": key,
                        "step": step,
                        "index": index,
                        "caption": rec.get("caption"),
                        "width": rec.get("width"),
                        "height": rec.get("height"),
                        "mime": MIME.get(fmt, "application/octet-stream"),
                    }
                )
                buffers.append(data)
        return {"type": "images", "req": content.get("req"), "items": items}, buffers


class Gallery(LiveWidget):
    """The images of one or many runs, by key, with a step slider; runs side by side.

    ``runs``: a run, ``"project/run_id"``, or a list (default: the current run).
    ``keys``: image keys or globs to offer (default every key holding images).
    ``columns``: images per row; ``size``: thumbnail width in px; ``per_page``: images
    per run shown at once (more are paged). The viewer's choices (``key``, ``step``,
    ``page``, ``shown_runs``) are traits, saved with the notebook. ``step == -1``
    follows the newest step.
    """

    esm_name = "gallery"

    key = t.Unicode("").tag(sync=True)
    step = t.Int(-1).tag(sync=True)
    page = t.Int(0).tag(sync=True)
    per_page = t.Int(24).tag(sync=True)
    columns = t.Int(4).tag(sync=True)
    size = t.Int(160).tag(sync=True)
    shown_runs = t.List(t.Int()).tag(sync=True)  # run numbers shown; empty: all

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        columns: int = 4,
        size: int = 160,
        per_page: int = 24,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        if isinstance(keys, str):
            keys = [keys]
        refs = resolve_runs(runs, store)
        self.index = ImageIndex(refs, keys)
        sources = make_sources(refs)
        super().__init__(
            model=self.index,
            sources=sources,
            live=live,
            min_interval=min_interval,
            columns=columns,
            size=size,
            per_page=per_page,
            **kwargs,
        )
        if not self.key:
            self.key = next(iter(self.image_keys), "")

    def _answer(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        return self.index.answer(request)

    @property
    def image_keys(self) -> list[str]:
        return sorted({e.key for e in self.index.entries.values()})

    def steps(self, key: str, run: int = 0) -> list[int]:
        """The steps of run number ``run`` that have images under ``key``."""
        e = self.index.entries.get((run, key))
        return list(e.steps) if e else []

    def _picture(self) -> Any:
        from .pictures.gallery import gallery_picture

        return gallery_picture(
            self.index,
            self.key,
            self.step,
            shown_runs=list(self.shown_runs),
            page=self.page,
            per_page=self.per_page,
            columns=self.columns,
            size=self.size,
        )
