"""Text sparklines and the end-of-run summary block, as plain text and as HTML."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

_BARS = "▁▂▃▄▅▆▇█"
_MAX_STR = 40
_CELL = "padding:1px 12px 1px 0;text-align:left;vertical-align:top;border:none"


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _resample(values: list[float], width: int) -> list[float]:
    """Mean of the finite values in each of ``width`` equal buckets (NaN for an empty bucket)."""
    n = len(values)
    out = []
    for i in range(width):
        bucket = [v for v in values[i * n // width : (i + 1) * n // width] if math.isfinite(v)]
        out.append(sum(bucket) / len(bucket) if bucket else math.nan)
    return out


def sparkline(values: Sequence[float], width: int = 20) -> str:
    """Draw ``values`` with ▁▂▃▄▅▆▇█, one character each, resampled to at most ``width``.

    NaN and infinite values show as a space; a constant series is a flat middle line.
    """
    points = [_as_float(v) for v in values]
    if len(points) > width:
        points = _resample(points, max(width, 0))
    finite = [v for v in points if math.isfinite(v)]
    if not finite:
        return " " * len(points)
    low, span = min(finite), max(finite) - min(finite)
    chars = []
    for v in points:
        if not math.isfinite(v):
            chars.append(" ")
        elif span == 0:
            chars.append(_BARS[len(_BARS) // 2 - 1])
        else:
            chars.append(_BARS[round((v - low) / span * (len(_BARS) - 1))])
    return "".join(chars)


def format_value(value: Any) -> str:
    """Compact text for a summary value: 4 significant digits for floats, ints as is, ≤40 chars."""
    if isinstance(value, numbers.Integral):  # bool included: prints True/False
        return str(value)
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    kind = _media_kind(value)
    if kind is not None:  # a logged image, table, ... or a list of them: say what, not the record
        return f"{len(value)} {kind}s" if isinstance(value, list) else kind
    text = str(value)
    return text if len(text) <= _MAX_STR else text[: _MAX_STR - 1] + "…"


def _media_kind(value: Any) -> str | None:
    """``"image"`` for a media record (or a list of them), None for anything else."""
    if isinstance(value, list) and value:
        kinds = {_media_kind(v) for v in value}
        return kinds.pop() if len(kinds) == 1 and None not in kinds else None
    if isinstance(value, Mapping) and isinstance(value.get("_type"), str):
        return value["_type"].replace("_", " ")
    return None


def _sections(
    history: Mapping[str, Sequence[float]], summary: Mapping[str, Any]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The non-empty ("Run history:", rows) and ("Run summary:", rows) sections, keys sorted."""
    sections = [
        ("Run history:", [(str(k), sparkline(history[k])) for k in sorted(history, key=str)]),
        ("Run summary:", [(str(k), format_value(summary[k])) for k in sorted(summary, key=str)]),
    ]
    return [(heading, rows) for heading, rows in sections if rows]


def render_summary_text(history: Mapping[str, Sequence[float]], summary: Mapping[str, Any], title: str) -> str:
    """The summary as an aligned plain-text block (no ANSI escapes)."""
    sections = _sections(history, summary)
    key_width = max((len(k) for _, rows in sections for k, _ in rows), default=0)
    lines = [title] if title else []
    for heading, rows in sections:
        lines.append(heading)
        lines.extend(f"  {key.ljust(key_width)}  {value}" for key, value in rows)
    return "\n".join(lines)


def render_summary_html(history: Mapping[str, Sequence[float]], summary: Mapping[str, Any], title: str) -> str:
    """The summary as small side-by-side HTML tables; every user string is escaped."""
    tables = []
    for heading, rows in _sections(history, summary):
        body = "".join(
            f'<tr><td style="{_CELL}">{html.escape(key)}</td><td style="{_CELL}">{html.escape(value)}</td></tr>'
            for key, value in rows
        )
        tables.append(
            '<table style="border-collapse:collapse;margin:0 24px 0 0">'
            f'<caption style="text-align:left;font-weight:bold">{html.escape(heading)}</caption>'
            f"{body}</table>"
        )
    return (
        '<div style="font-family:monospace;font-size:12px">'
        f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(title)}</div>'
        f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{"".join(tables)}</div>'
        "</div>"
    )
