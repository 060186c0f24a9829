"""The media records (images, confusion matrices, histograms) runs logged, found in raw
history rows: what the media components (``gallery/``, ``confusion``, ``histograms``) read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .keys import wanted


def media_of(value: Any, kind: str) -> list[dict[str, Any]] | None:
    """The records of type ``kind`` in a history value (one record or a list), else None."""
    if isinstance(value, dict):
        return [value] if value.get("_type") == kind else None
    if isinstance(value, (list, tuple)) and value:
        recs = [v for v in value if isinstance(v, dict) and v.get("_type") == kind]
        return recs or None
    return None


def logged_media(
    rows: list[tuple], kind: str, patterns: list[str] | None
) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """``(step, key, records)`` of each wanted key's ``kind`` media in raw history rows."""
    for keys, step, _ts, _rt, values in rows:
        for key, value in zip(keys, values):
            recs = media_of(value, kind)
            if recs is not None and wanted(key, patterns):
                yield step, key, recs
