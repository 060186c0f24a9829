"""``ImageIndex``: the Gallery's live model, which steps of which (run, key) have images.

Its snapshot (the ``_snapshot`` trait, kept by a ``Feed`` like every live widget) is
only the *step index*: for each (run, key) the steps that have images and how many, at
most ``MAX_SHOWN`` of them evenly spaced plus the last (a 100k-step run keeps ~16 kB of
state; the slider moves over those; every step stays here: ``steps``, ``images()``).
The page reads that index as it is (the thinning is this module's alone). Image bytes
never sit in traits: the page asks for the images it shows and ``answer()`` sends their
files' bytes, read through ``Store.media`` (shapes: ``contract.py``). While a cell runs
the kernel does not handle that request, so new images appear in the index (the slider
grows) and their pixels come once the cell is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..imageoverlay import image_file, legend
from ..keys import key_patterns
from ..media import MAX_ANSWER_BYTES, logged_media
from ..pagerequest import read_request
from ..runs import RunRef
from .contract import FetchRequest, GalleryState, ImageItem, ImageSeries, ImagesReply, IndexChange, KeySteps

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

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None = None) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.entries: dict[tuple[int, str], _Entry] = {}
        self._dirty: dict[int, int] = {}  # entry id -> first step position to send
        self.marked = False  # some image has masks or boxes (the page offers to hide them)

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, "image", self.keys):
            if not self.marked and any(r.get("masks") or r.get("boxes") for r in recs):
                self.marked = True
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

    def delta(self) -> tuple[IndexChange, list[bytes]] | None:
        if not self._dirty:
            return None
        by_id = {e.id: e for e in self.entries.values()}
        change: IndexChange = {"type": "delta", "upd": [], "marked": self.marked}
        buffers = []
        for sid, start in sorted(self._dirty.items()):
            e = by_id[sid]
            change["upd"].append({"id": e.id, "run": e.run, "key": e.key, "from": start})
            buffers.append(self._pairs(e, start))
        self._dirty.clear()
        return change, buffers

    def snapshot(self) -> GalleryState:
        self._dirty.clear()
        series: list[ImageSeries] = [
            {"id": e.id, "run": e.run, "key": e.key, "data": memoryview(self._pairs(e))} for e in self.entries.values()
        ]
        return {"runs": [r.info() for r in self.runs], "series": series, "marked": self.marked}

    def size_hint(self) -> int:
        return sum(16 * e.shown_count() for e in self.entries.values())

    def shown_steps(self) -> list[KeySteps]:
        """Every (run, key)'s steps as the page has them (thinned), with image counts."""
        out: list[KeySteps] = []
        for e in self.entries.values():
            pos = e.shown()
            out.append(
                {
                    "run": e.run,
                    "key": e.key,
                    "steps": [e.steps[i] for i in pos],
                    "counts": [len(e.records[i]) for i in pos],
                }
            )
        return out

    # -- what the page asks for -------------------------------------------------------

    def steps(self, run: int, key: str) -> list[int]:
        """Every step of run number ``run`` that has images under ``key``."""
        e = self.entries.get((run, key))
        return list(e.steps) if e else []

    def images(self, run: int, key: str, step: int) -> list[dict[str, Any]]:
        """The image records of ``key`` at ``step`` in run number ``run`` ([] if none)."""
        e = self.entries.get((run, key))
        if e is None:
            return []
        i = int(np.searchsorted(e.steps, step))
        return e.records[i] if i < len(e.steps) and e.steps[i] == step else []

    def answer(self, request: Any, marks: bool = True) -> tuple[ImagesReply, list[bytes]] | None:
        """The reply to the page's request: records as text, bytes as buffers, each image's
        masks and boxes painted on unless ``marks`` is False (None: the request is no
        ``FetchRequest``)."""
        fetch = read_request(FetchRequest, request)
        if fetch is None:
            return None
        items: list[ImageItem] = []
        buffers: list[bytes] = []
        total = 0
        for want in fetch["items"]:
            run, key, step = want["run"], want["key"], want["step"]
            if not 0 <= run < len(self.runs):
                continue
            recs = self.images(run, key, step)
            lo = max(0, want.get("from", 0))
            hi = min(len(recs), want.get("to", len(recs)))
            for index in range(lo, hi):
                rec = recs[index]
                data, mime = image_file(self.runs[run].store, rec, marks)
                if buffers and total + len(data) > MAX_ANSWER_BYTES:
                    break  # the page asks again for what is still missing
                total += len(data)
                items.append(
                    {
                        "run": run,
                        "key": key,
                        "step": step,
                        "index": index,
                        "caption": rec.get("caption"),
                        "width": rec.get("width"),
                        "height": rec.get("height"),
                        "mime": mime,
                        "legend": legend(rec) if marks else [],
                    }
                )
                buffers.append(data)
        return {"type": "images", "req": fetch["req"], "items": items}, buffers
