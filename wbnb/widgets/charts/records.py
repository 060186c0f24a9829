"""A key's chart records (one per run, as logged by ``wbnb.plot.*`` / ``plot_table``) as
the rows one chart draws: ``Drawn``, what ``specs.py`` writes a Vega-Lite spec for and
``picture.py`` draws.

Every kind becomes rows of the same fields (``x``, ``y``, ``s`` the series' legend label,
``run`` the run's name when there are several, ``i`` the point's order; ``x2`` a histogram bin's end), so a
user's column names never become Vega field names (a dot or bracket in one would be read
as a path): they are axis titles. ROC / PR curves carry their AUC / average precision
(``wbnb/data/plot.py`` keeps it in the record; ``_trapezoid`` computes it for a record
without). Histograms are binned here, over every run's values at once (the same bins for
each run; the page then carries counts, not values). Tables above ``MAX_ROWS`` rows per
run are sampled evenly, ends kept, and the chart says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...data.plot import _trapezoid
from .contract import CUSTOM_ROWS, MAX_ROWS, CustomTable, LegendItem

# Series colours of a one-run chart (Vega's category10, as Curves' runs), and the dash
# patterns that tell series apart when colours are the runs'.
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac")
DASHES: tuple[list[float], ...] = ([], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4])
MAX_BINS = 60


@dataclass
class Version:
    """One run's record of a key: who logged it, in what colour, and how to read its table."""

    run: str
    color: str
    record: dict[str, Any]
    read: Callable[[str], bytes]


@dataclass
class Drawn:
    """What one chart draws: its kind, texts, rows (as columns) and legend."""

    kind: str
    title: str
    x_title: str = "x"
    y_title: str = "y"
    x_nominal: bool = False  # x holds labels (bars, or a line over text values)
    cols: dict[str, list[Any]] = field(default_factory=dict)
    legend: list[LegendItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    custom: list[CustomTable] = field(default_factory=list)
    complete: bool = True  # False: a table could not be read (not kept: read again when next asked)

    def add(self, **row: Any) -> None:
        for k, v in row.items():
            self.cols.setdefault(k, []).append(v)

    def series(self, label: str, color: str, dash: list[float] | None = None) -> str:
        self.legend.append({"label": label, "color": color, "dash": dash or []})
        return label


def kind_of(record: dict[str, Any]) -> str:
    """The chart a record is drawn as."""
    t = record.get("_type")
    if t == "roc_curve":
        return "roc"
    if t == "pr_curve":
        return "pr"
    if t == "plot":
        return str(record.get("kind") or "line")
    if t == "line_series":
        return "line_series"
    return "custom"


def draw(key: str, versions: list[Version]) -> Drawn:
    """The chart of ``key`` over each run's version (all of one kind: the first's)."""
    kind = kind_of(versions[0].record)
    titles = (v.record.get("title") or (v.record.get("string_fields") or {}).get("title") for v in versions)
    title = next((str(t) for t in titles if t not in (None, "")), key)
    d = Drawn(kind, title)
    several = len(versions) > 1
    if kind in ("roc", "pr"):
        _curves(d, versions, several)
    elif kind == "line_series":
        _line_series(d, versions, several)
    elif kind == "custom":
        d.custom = [_custom(v) for v in versions]
    else:
        _table_chart(d, versions, several)
    if kind != "custom" and not d.cols.get("y"):
        d.notes.append("nothing to draw: the logged data holds no finite numbers here")
    if not several:  # one run: its name is the legend's, not a column on the wire
        d.cols.pop("run", None)
    return d


def _look(i: int, v: Version, several: bool) -> tuple[str, list[float]]:
    """A series' colour and dash: its own colour with one run, else its run's colour and its own dash."""
    return (v.color, DASHES[i % len(DASHES)]) if several else (PALETTE[i % len(PALETTE)], [])


def _named(name: str, v: Version, several: bool) -> str:
    return f"{v.run} · {name}" if several else name


def _curves(d: Drawn, versions: list[Version], several: bool) -> None:
    roc = d.kind == "roc"
    d.x_title, d.y_title = ("False positive rate", "True positive rate") if roc else ("Recall", "Precision")
    what = "AUC" if roc else "AP"
    for v in versions:
        for i, c in enumerate(v.record.get("curves") or []):
            xs, ys = _floats(c.get("x")), _floats(c.get("y"))
            n = min(len(xs), len(ys))
            if not n:
                continue
            area = c.get("auc")
            if not isinstance(area, (int, float)):  # a record written without it: from its points
                x, y = np.asarray(xs[:n]), np.asarray(ys[:n])
                area = _trapezoid(x, y) if roc else float(np.sum(np.diff(x) * y[1:]))
            label = d.series(_named(f"{c.get('class')} ({what} {area:.2f})", v, several), *_look(i, v, several))
            for j in range(n):
                d.add(x=round(xs[j], 4), y=round(ys[j], 4), s=label, run=v.run, i=j)


def _line_series(d: Drawn, versions: list[Version], several: bool) -> None:
    d.x_title = next((str(v.record["xname"]) for v in versions if v.record.get("xname")), "x")
    for v in versions:
        r = v.record
        for i, (name, xs, ys) in enumerate(zip(r.get("keys") or [], r.get("xs") or [], r.get("ys") or [])):
            label = d.series(_named(str(name), v, several), *_look(i, v, several))
            points = [(x, y) for x, y in zip(xs, ys) if _finite(x) and _finite(y)]
            for j in _sample(len(points), d, f"{label}: {len(points):,} points"):
                d.add(x=points[j][0], y=points[j][1], s=label, run=v.run, i=j)


def _table_chart(d: Drawn, versions: list[Version], several: bool) -> None:
    fields = versions[0].record.get("fields") or {}
    if d.kind == "histogram":
        _histogram(d, versions, str(fields.get("value")), several)
        return
    xcol, ycol = (fields.get("label"), fields.get("value")) if d.kind == "bar" else (fields.get("x"), fields.get("y"))
    d.x_title, d.y_title = str(xcol), str(ycol)
    stroke = fields.get("stroke") if d.kind in ("line", "bar") else None  # a bar's: bars side by side per label
    tables = [(v, _columns(v, [xcol, ycol, stroke])) for v in versions]
    d.x_nominal = d.kind == "bar" or any(not _finite(x) for _, cols in tables for x in cols[0] if x is not None)
    for v, (xs, ys, strokes) in tables:
        rows = [
            (x if d.x_nominal else float(x), float(y), st)
            for x, y, st in zip(xs, ys, strokes)
            if x is not None and _finite(y)
        ]
        if stroke is None:
            color = v.color if several else PALETTE[0]
            label = d.series(v.run, color)
            for j in _sample(len(rows), d, f"{v.run}: {len(rows):,} rows"):
                x, y, _ = rows[j]
                d.add(x=_text(x) if d.x_nominal else x, y=y, s=label, run=v.run, i=j)
            continue
        groups: dict[str, list[tuple[Any, float]]] = {}
        for x, y, st in rows:
            groups.setdefault(_text(st), []).append((x, y))
        for i, (name, pts) in enumerate(groups.items()):
            label = d.series(_named(name, v, several), *_look(i, v, several))
            for j in _sample(len(pts), d, f"{label}: {len(pts):,} rows"):
                x, y = pts[j]
                d.add(x=_text(x) if d.x_nominal else x, y=y, s=label, run=v.run, i=j)


def _histogram(d: Drawn, versions: list[Version], col: str, several: bool) -> None:
    d.x_title, d.y_title = col, "count"
    values = [(v, np.array([float(x) for x in _columns(v, [col])[0] if _finite(x)])) for v in versions]
    every = np.concatenate([vals for _, vals in values]) if values else np.array([])
    if not every.size:
        return
    edges = np.histogram_bin_edges(every, bins="auto")
    if len(edges) > MAX_BINS + 1:
        edges = np.linspace(every.min(), every.max(), MAX_BINS + 1)
    for v, vals in values:
        label = d.series(v.run, v.color if several else PALETTE[0])
        counts, _ = np.histogram(vals, bins=edges)
        for j, n in enumerate(counts.tolist()):
            d.add(x=float(edges[j]), x2=float(edges[j + 1]), y=n, s=label, run=v.run, i=j)


def _custom(v: Version) -> CustomTable:
    r = v.record
    columns, rows = _table(v)
    return {
        "run": v.run,
        "spec_name": str(r.get("spec_name")),
        "fields": dict(r.get("fields") or {}),
        "string_fields": dict(r.get("string_fields") or {}),
        "columns": [str(c) for c in columns],
        "rows": [[_text(c) for c in row] for row in rows[:CUSTOM_ROWS]],
        "total": len(rows),
    }


def _table(v: Version) -> tuple[list[Any], list[list[Any]]]:
    """The columns and rows of a record's table (its body is a media file of the store)."""
    table = v.record.get("table")
    if not isinstance(table, dict) or not isinstance(table.get("path"), str):
        return [], []
    body = json.loads(v.read(table["path"]))
    return list(body.get("columns") or []), list(body.get("data") or [])


def _columns(v: Version, names: list[Any]) -> list[list[Any]]:
    """The values of columns ``names`` (None: a column of Nones) of a record's table."""
    columns, rows = _table(v)
    out = []
    for name in names:
        at = columns.index(name) if name in columns else None
        out.append([None if at is None else row[at] for row in rows])
    return out


def _sample(n: int, d: Drawn, what: str) -> list[int]:
    """Indices of ``n`` rows, at most ``MAX_ROWS`` evenly spaced (the ends kept); says so in ``d``'s notes."""
    if n <= MAX_ROWS:
        return list(range(n))
    d.notes.append(f"{what}, {MAX_ROWS:,} drawn (evenly sampled)")
    return np.unique(np.linspace(0, n - 1, MAX_ROWS).round().astype(np.int64)).tolist()


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _floats(values: Any) -> list[float]:
    return [float(x) for x in values or [] if _finite(x)]


def _text(v: Any) -> str:
    """A cell as text (a record, e.g. an image, by its type)."""
    if isinstance(v, dict):
        return f"<{v.get('_type', 'object')}>"
    return "" if v is None else str(v)
