"""The picture of a ``Curves`` (and of ``System``, which is one): small multiples.

One small line chart per key, all runs overlaid in their widget colours, in the
widget's sections (``UNSECTIONED`` first, then each ``prefix/``), against the x-axis the
widget uses, with a legend of the runs. Built from the widget's own downsampled points
(``SeriesSet``), so it costs no read; each line keeps at most the min and max of each
pixel column, so a long run stays a few kB per chart.

It draws what the page draws: the rules both compute (the smoothing, the x-axis a key
is drawn against, the sections) are held to the page's by the shared cases
``tests/cases/curves_*.json`` (``tests/widgets/test_curves_cases.py`` and
``tests/js/curves.test.ts``). On a log scale each line leaves out its values <= 0, as the
page's spec filters them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..pictures.svg import MUTED, Picture, clock, esc, number, text, thin_line
from .contract import UNSECTIONED
from .downsample import FIELDS, R, S, T, Y
from .model import section_of

if TYPE_CHECKING:
    from .model import SeriesSet

Line = tuple[np.ndarray, np.ndarray]  # x, y of a line's points

PANEL_W, PANEL_H, PAD = 240, 130, 40
PLOT_W, PLOT_H, PLOT_TOP = PANEL_W - PAD - 8, PANEL_H - 46, 22
SECTION_H = 22


def series_picture(
    series: SeriesSet,
    colors: dict[str, str],
    *,
    x_axis: str = "auto",
    log_y: bool = False,
    smoothing: float = 0.0,
    columns: int = 3,
) -> Picture:
    """Every key of ``series`` as a small chart, by section, runs overlaid, and a legend;
    with ``smoothing``, each run's smoothed line over its faint raw one, as in the widget."""
    keys = series.keys_shown()
    if not keys:
        return Picture(PANEL_W, 40, text(8, 24, "no metrics logged yet", fill=MUTED))
    cols = min(columns, len(keys))
    body, y = [], 0.0
    sections: dict[str, list[str]] = {}
    for key in keys:  # keys_shown is in section order already
        sections.setdefault(section_of(key), []).append(key)
    titled = len(sections) > 1 or "" not in sections
    for section, skeys in sections.items():
        if titled:
            body.append(text(4, y + 15, section or UNSECTIONED, size=13, weight="600"))
            y += SECTION_H
        for i, key in enumerate(skeys):
            body.append(
                _panel(series, key, colors, x_axis, log_y, smoothing, (i % cols) * PANEL_W, y + (i // cols) * PANEL_H)
            )
        y += -(-len(skeys) // cols) * PANEL_H
    y += 14
    x = 8.0
    for r in series.runs:  # the legend: one swatch per run, wrapped to the width
        label = f"■ {r.name}"
        w = min(220.0, 16 + 6.5 * len(label))
        if x > 8 and x + w > cols * PANEL_W:
            x, y = 8.0, y + 16
        body.append(text(x, y, label, size=11, fill=colors.get(r.id, "#333"), width=w - 8))
        x += w
    return Picture(cols * PANEL_W, y + 8, "".join(body))


def smoothed(y: np.ndarray, alpha: float) -> np.ndarray:
    """Debiased exponential moving average of ``y`` (wandb's "smoothing"), as the page
    draws it (``smooth`` in ``js/curves/series.ts``); ``alpha`` 0 returns ``y``."""
    if alpha <= 0:
        return np.asarray(y, dtype=float)
    out = np.empty(len(y))
    e, weight = 0.0, 1.0
    for i, v in enumerate(np.asarray(y, dtype=float).tolist()):
        e = e * alpha + (1 - alpha) * v
        weight *= alpha
        out[i] = e / (1 - weight)
    return out


def x_field(x_axis: str, step_metrics: Iterable[str | None]) -> str:
    """The point field (``WIRE_FIELDS``) a key is drawn against: ``x_axis`` as the viewer
    chose it, ``step_metrics`` those of the key's series ("auto": the first one set, else
    the step). ``xField`` in ``js/curves/xaxis.ts``."""
    if x_axis == "wall":
        return "t"
    if x_axis == "relative":
        return "r"
    if x_axis == "auto" and any(step_metrics):
        return "m"
    return "s"


def _x_field(series: SeriesSet, key: str, x_axis: str) -> tuple[int, str]:
    """The point column drawn on x and its label."""
    metrics = [s.step_metric for (_, k), s in series.series.items() if k == key]
    field = x_field(x_axis, metrics)
    labels = {"s": "step", "t": "time", "r": "seconds", "m": next((m for m in metrics if m), "")}
    return FIELDS.index(field), labels[field]


def _panel(
    series: SeriesSet,
    key: str,
    colors: dict[str, str],
    x_axis: str,
    log_y: bool,
    smoothing: float,
    x0: float,
    y0: float,
) -> str:
    field, x_name = _x_field(series, key, x_axis)
    parts = [f'<g transform="translate({x0:.1f},{y0:.1f})">', text(PAD, 14, key, weight="600", width=PANEL_W - PAD - 4)]
    # (run, drawn line, faint raw line): each (x, y) as plotted (log10 on a log scale), or None
    lines: list[tuple[int, Line | None, Line | None]] = []
    for (run, k), s in series.series.items():
        if k != key:
            continue
        p = s.buckets.points()
        xs, raw = p[:, field], p[:, Y]
        ys = smoothed(raw, smoothing)  # over the points in order, before any are left out
        shown = _drawn(xs, ys, log_y)
        faint = _drawn(xs, raw, log_y) if smoothing > 0 else None
        if shown is not None or faint is not None:
            lines.append((run, shown, faint))
    if lines:
        drawn = [line for _, shown, faint in lines for line in (shown, faint) if line is not None]
        xs = np.concatenate([x for x, _ in drawn])
        ys = np.concatenate([y for _, y in drawn])
        x_lo, x_hi, y_lo, y_hi = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        x_span, y_span = (x_hi - x_lo) or 1.0, (y_hi - y_lo) or 1.0
        for run, shown, faint in lines:
            color = esc(colors.get(series.runs[run].id, "#4c78a8"))
            for line, style in ((faint, 'stroke-width="1" stroke-opacity="0.25"'), (shown, 'stroke-width="1.3"')):
                if line is None:
                    continue
                x, y = line
                order = np.argsort(x, kind="stable")
                px = PAD + (x[order] - x_lo) / x_span * PLOT_W
                py = PLOT_TOP + PLOT_H - (y[order] - y_lo) / y_span * PLOT_H
                px, py = thin_line(px, py, PLOT_W)
                coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
                parts.append(f'<polyline fill="none" stroke="{color}" {style} points="{coords}"/>')
        top, bottom = (10**y_hi, 10**y_lo) if log_y else (y_hi, y_lo)
        left, right = _x_label(x_lo, field), _x_label(x_hi, field)
        parts.append(
            text(2, PLOT_TOP + 4, f"{top:.3g}", size=9, fill=MUTED)
            + text(2, PLOT_TOP + PLOT_H, f"{bottom:.3g}", size=9, fill=MUTED)
            + text(PAD, PANEL_H - 10, f"{x_name} {left}", size=9, fill=MUTED, width=PLOT_W / 2)
            + text(PANEL_W - 8, PANEL_H - 10, right, size=9, fill=MUTED, anchor="end")
        )
        notes = [w for w, on in (("log", log_y), (f"smoothed {smoothing:.2g}", smoothing > 0)) if on]
        if notes:
            parts.append(text(PANEL_W - 8, 14, ", ".join(notes), size=9, fill=MUTED, anchor="end"))
    parts.append("</g>")
    return "".join(parts)


def _drawn(x: np.ndarray, y: np.ndarray, log_y: bool) -> Line | None:
    """The points of one line that are drawn (finite; on a log scale, y > 0 as log10), or None."""
    ok = np.isfinite(x) & np.isfinite(y)
    if log_y:
        ok &= y > 0
    if not ok.any():
        return None
    return x[ok], np.log10(y[ok]) if log_y else y[ok]


def _x_label(v: float, field: int) -> str:
    if field == T:
        return clock(v)
    if field in (R, S):
        return f"{v:.0f}"
    return number(v)
