"""Text sparklines and the end-of-run summary block, as plain text and as HTML.

The block is bounded whatever the run holds: at most ``ROW_LIMIT`` rows a section and
``KEY_WIDTH`` characters a key name, and it says how many rows were left out and where
to read them (``finish()`` and ``wbnb show`` draw it with the same functions).
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_BARS = "▁▂▃▄▅▆▇█"
_MAX_STR = 40
KEY_WIDTH = 40  # characters of a key name shown
ROW_LIMIT = 40  # rows shown per section
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


@dataclass
class Section:
    """A heading and its ``(key, text)`` rows, ``left_out`` more rows not drawn."""

    heading: str
    rows: list[tuple[str, str]]
    left_out: int = 0


def fit_key(key: str, width: int = KEY_WIDTH) -> str:
    """``key`` in at most ``width`` characters: a longer one loses its middle to "…"
    (both the prefix and the metric's own name stay readable)."""
    if len(key) <= width:
        return key
    head = (width - 1) // 2
    return key[:head] + "…" + key[len(key) - (width - 1 - head) :]


def section(heading: str, keys: Iterable[str], text: Callable[[str], str], limit: int = ROW_LIMIT) -> Section:
    """The rows of the first ``limit`` of ``keys`` (``text(key)`` is called for those
    only) with their names fitted, and how many more there were."""
    keys = list(keys)
    rows = [(fit_key(k), text(k)) for k in keys[:limit]]
    return Section(heading, rows, len(keys) - len(rows))


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys, as filters address them: ``{"acc": {"max": 0.9}}``
    (``define_metric(summary="max")``) is ``{"acc.max": 0.9}``. A logged media record
    (a dict with ``_type``) and an empty dict stay whole values."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping) and value and _media_kind(value) is None:
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def summary_sections(history: Mapping[str, Sequence[float]], summary: Mapping[str, Any]) -> list[Section]:
    """The non-empty "Run history:" (sparklines) and "Run summary:" sections, keys sorted;
    nested summary values are rows of their own (``acc.max  0.9``)."""
    summary = flatten(summary)
    sections = [
        section("Run history:", sorted(history, key=str), lambda k: sparkline(history[k])),
        section("Run summary:", sorted(summary, key=str), lambda k: format_value(summary[k])),
    ]
    return [s for s in sections if s.rows]


def _more(left_out: int) -> str:
    return f"… and {left_out:,} more"


def render_sections_text(sections: Sequence[Section], where: str = "") -> list[str]:
    """Sections as aligned plain-text lines; ``where`` (e.g. "run.summary") says where
    the rows left out can be read."""
    key_width = max((len(k) for s in sections for k, _ in s.rows), default=0)
    lines = []
    for s in sections:
        lines.append(s.heading)
        lines.extend(f"  {key.ljust(key_width)}  {value}" for key, value in s.rows)
        if s.left_out:
            lines.append(f"  {_more(s.left_out)}")
    left_out = sum(s.left_out for s in sections)
    if left_out and where:
        lines.append(f"({left_out:,} rows left out; all of them: {where})")
    return lines


def render_summary_text(
    history: Mapping[str, Sequence[float]], summary: Mapping[str, Any], title: str, where: str = ""
) -> str:
    """The summary as an aligned plain-text block (no ANSI escapes), at most
    ``ROW_LIMIT`` rows a section and ``KEY_WIDTH`` characters a key."""
    lines = [title] if title else []
    return "\n".join(lines + render_sections_text(summary_sections(history, summary), where))


def render_summary_html(
    history: Mapping[str, Sequence[float]], summary: Mapping[str, Any], title: str, where: str = ""
) -> str:
    """The summary as small side-by-side HTML tables (bounded like the text);
    every user string is escaped."""
    tables = []
    sections = summary_sections(history, summary)
    for s in sections:
        rows = [*s.rows, *([(_more(s.left_out), "")] if s.left_out else [])]
        body = "".join(
            f'<tr><td style="{_CELL}">{html.escape(key)}</td><td style="{_CELL}">{html.escape(value)}</td></tr>'
            for key, value in rows
        )
        tables.append(
            '<table style="border-collapse:collapse;margin:0 24px 0 0">'
            f'<caption style="text-align:left;font-weight:bold">{html.escape(s.heading)}</caption>'
            f"{body}</table>"
        )
    left_out = sum(s.left_out for s in sections)
    note = (
        f'<div style="margin-top:4px">{left_out:,} rows left out; all of them: {html.escape(where)}</div>'
        if left_out and where
        else ""
    )
    return (
        '<div style="font-family:monospace;font-size:12px">'
        f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(title)}</div>'
        f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{"".join(tables)}</div>'
        f"{note}</div>"
    )
