"""``MediaIndex``: the MediaView's live model, the audio, video and html each (run, key) logged.

Its snapshot lists every step of every (run, key) with what the page draws before any file
comes (kind, caption, the line under it): a few hundred bytes a record, no file bytes. The
page asks for the files of the cells it shows once they are visible; ``answer()`` reads them
through ``Store.media`` and adds a WAV's waveform (``waveform.py``) for the width the page
draws it at (shapes: ``contract.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..keys import key_patterns
from ..media import MAX_ANSWER_BYTES, logged_media
from ..pagerequest import read_request
from ..runs import RunRef
from .contract import (
    DESCRIBED,
    KINDS,
    FetchRequest,
    MediaChange,
    MediaFile,
    MediaItem,
    MediaReply,
    MediaSeries,
    MediaState,
)
from .waveform import peaks

MIME = {
    ("audio", "wav"): "audio/wav",
    ("audio", "mp3"): "audio/mpeg",
    ("audio", "ogg"): "audio/ogg",
    ("audio", "opus"): "audio/ogg",
    ("audio", "flac"): "audio/flac",
    ("audio", "m4a"): "audio/mp4",
    ("audio", "aac"): "audio/aac",
    ("video", "mp4"): "video/mp4",
    ("video", "webm"): "video/webm",
    ("video", "ogg"): "video/ogg",
    ("video", "gif"): "image/gif",
    ("html", "html"): "text/html",
    ("html", "htm"): "text/html",
}


def fmt_of(record: dict[str, Any]) -> str:
    """A record's file type: its ``format``, else its file's extension."""
    return str(record.get("format") or str(record.get("path", "")).rpartition(".")[2]).lower()


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def about(record: dict[str, Any]) -> str:
    """The line under a medium: duration, sample rate and channels of a sound, frames per
    second, frames and size of a video; the file type when nothing else is known."""
    kind, fmt = record.get("_type"), fmt_of(record)
    parts = []
    if kind == "audio":
        duration, rate, channels = (_number(record.get(k)) for k in ("duration", "sample_rate", "channels"))
        if duration is not None:
            parts.append(f"{duration:.2f} s")
        if rate is not None:
            parts.append(f"{rate:g} Hz")
        if channels is not None:
            parts.append(f"{channels:g} channel{'s' if channels != 1 else ''}")
    elif kind == "video":
        fps, frames = _number(record.get("fps")), _number(record.get("frames"))
        width, height = _number(record.get("width")), _number(record.get("height"))
        if fps is not None:
            parts.append(f"{fps:g} fps")
        if frames is not None:
            parts.append(f"{frames:g} frames")
        if width is not None and height is not None:
            parts.append(f"{width:g}×{height:g}")
    return " · ".join([fmt, *parts])


def item_of(record: dict[str, Any]) -> MediaItem:
    """What the page draws of a record before its file comes."""
    kind = record["_type"]
    fmt = fmt_of(record)
    caption = record.get("caption")
    return {
        "kind": kind,
        "format": fmt,
        "mime": MIME.get((kind, fmt), "application/octet-stream"),
        "caption": None if caption in (None, "") else str(caption),
        "about": about(record),
    }


class _Series:
    __slots__ = ("id", "run", "key", "steps", "records")

    def __init__(self, sid: int, run: int, key: str) -> None:
        self.id, self.run, self.key = sid, run, key
        self.steps: list[int] = []
        self.records: list[list[dict[str, Any]]] = []  # per step


class MediaIndex:
    """The ``LiveModel`` behind MediaView: the audio, video and html of each (run, key)."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None = None) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.series: dict[tuple[int, str], _Series] = {}
        self._dirty: dict[tuple[int, int], None] = {}  # (series id, step) to send, in order

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, KINDS, self.keys):
            s = self.series.get((source, key))
            if s is None:
                s = self.series[(source, key)] = _Series(len(self.series), source, key)
            step = int(step)
            i = bisect.bisect_left(s.steps, step)
            if i < len(s.steps) and s.steps[i] == step:  # the same step logged again: last wins
                s.records[i] = recs
            else:
                s.steps.insert(i, step)
                s.records.insert(i, recs)
            self._dirty[(s.id, step)] = None

    def delta(self) -> tuple[MediaChange, list[bytes]] | None:
        if not self._dirty:
            return None
        by_id = {s.id: s for s in self.series.values()}
        change: MediaChange = {"type": "delta", "upd": []}
        for sid, step in self._dirty:
            s = by_id[sid]
            recs = self.media(s.run, s.key, step)
            change["upd"].append({"id": sid, "run": s.run, "key": s.key, "step": step, "items": _items(recs)})
        self._dirty.clear()
        return change, []

    def snapshot(self) -> MediaState:
        self._dirty.clear()
        series: list[MediaSeries] = []
        for s in self.series.values():
            old = max(0, len(s.records) - DESCRIBED)
            series.append(
                {
                    "id": s.id,
                    "run": s.run,
                    "key": s.key,
                    "steps": list(s.steps),
                    "counts": [len(r) for r in s.records],
                    "items": [[] if i < old else _items(r) for i, r in enumerate(s.records)],
                }
            )
        return {"runs": [r.info() for r in self.runs], "series": series}

    def size_hint(self) -> int:
        return sum(8 * len(s.steps) + 200 * sum(map(len, s.records[-DESCRIBED:])) for s in self.series.values())

    # -- what the widget and the picture read ----------------------------------------

    def keys_logged(self) -> list[str]:
        """The keys that hold audio, video or html, sorted."""
        return sorted({s.key for s in self.series.values()})

    def steps(self, run: int, key: str) -> list[int]:
        """Every step at which run number ``run`` logged media under ``key``."""
        s = self.series.get((run, key))
        return list(s.steps) if s else []

    def media(self, run: int, key: str, step: int) -> list[dict[str, Any]]:
        """The records of ``key`` at ``step`` in run number ``run`` ([] if none)."""
        s = self.series.get((run, key))
        if s is None:
            return []
        i = bisect.bisect_left(s.steps, step)
        return s.records[i] if i < len(s.steps) and s.steps[i] == step else []

    def read(self, run: int, record: dict[str, Any]) -> bytes:
        """The file of a record (b"" when the store cannot read it: not written yet, gone)."""
        try:
            return self.runs[run].store.media(record["path"])
        except Exception:
            return b""

    # -- what the page asks for -------------------------------------------------------

    def answer(self, request: Any) -> tuple[MediaReply, list[bytes]] | None:
        """The reply to the page's request: two buffers per file, its bytes and its
        waveform (None: the request is no ``FetchRequest``)."""
        fetch = read_request(FetchRequest, request)
        if fetch is None:
            return None
        by_id = {s.id: s for s in self.series.values()}
        files: list[MediaFile] = []
        buffers: list[bytes] = []
        total = 0
        for want in fetch["items"]:
            sid, step, index, columns = want["id"], want["step"], want["index"], want.get("columns", 0)
            s = by_id.get(sid)
            recs = self.media(s.run, s.key, step) if s else []
            if s is None or not 0 <= index < len(recs):
                continue
            rec = recs[index]
            data = self.read(s.run, rec)
            if buffers and total + len(data) > MAX_ANSWER_BYTES:
                break  # the page asks again for what is still missing
            total += len(data)
            wave = peaks(data, columns) if columns > 0 and rec.get("_type") == "audio" and data else None
            files.append(
                {
                    "id": sid,
                    "step": step,
                    "index": index,
                    "item": item_of(rec),
                    "peaks": 0 if wave is None else wave.shape[1],
                }
            )
            buffers += [data, b"" if wave is None else np.ascontiguousarray(wave, dtype="<f8").tobytes()]
        return {"type": "media", "req": fetch["req"], "items": files}, buffers


def _items(recs: list[dict[str, Any]]) -> list[MediaItem]:
    return [item_of(r) for r in recs]
