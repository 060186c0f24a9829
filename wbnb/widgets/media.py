"""The media records (images, confusion matrices, histograms, audio, video, html) runs
logged, found in raw history rows: what the media components (``gallery/``, ``confusion``,
``histograms``, ``mediaview/``) read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .keys import wanted

# The most file bytes one answer to a page carries (Gallery, MediaView, TableView): one
# answer stays well under what a comm message should carry; the page asks for the rest.
MAX_ANSWER_BYTES = 16 << 20


def media_of(value: Any, kind: str | tuple[str, ...]) -> list[dict[str, Any]] | None:
    """The records of type ``kind`` (or of any of a tuple of types) in a history value
    (one record or a list), else None."""
    kinds = (kind,) if isinstance(kind, str) else kind
    if isinstance(value, dict):
        return [value] if value.get("_type") in kinds else None
    if isinstance(value, (list, tuple)) and value:
        recs = [v for v in value if isinstance(v, dict) and v.get("_type") in kinds]
        return recs or None
    return None


def logged_media(
    rows: list[tuple], kind: str | tuple[str, ...], patterns: list[str] | None
) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """``(step, key, records)`` of each wanted key's ``kind`` media (one type or a tuple
    of them) in raw history rows."""
    for keys, step, _ts, _rt, values in rows:
        for key, value in zip(keys, values):
            recs = media_of(value, kind)
            if recs is not None and wanted(key, patterns):
                yield step, key, recs
