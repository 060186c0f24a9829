"""The sweep panel's static picture: the sweep's title, the parallel coordinates and the
importance (``compare/picture.py``), the metric per trial with the best so far, Hyperband's
rungs with each run drawn to where it was cut, and the first rows of the trial table."""

from __future__ import annotations

from collections.abc import Sequence

from ..compare.picture import importance_picture, parallel_picture
from ..pictures.svg import MUTED, Picture, number, place, stack, text
from .contract import CHART_HEIGHT, CHART_LEFT, CHART_TOP, CHART_WIDTH, SweepData

W, H, LEFT, TOP = CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP
ROWS = 30  # trials the table draws at most
CUT = "#d62728"


def _scale(values: Sequence[float], lo_px: float, hi_px: float) -> tuple[float, float, float, float]:
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi, lo_px, hi_px


def _map(v: float, s: tuple[float, float, float, float]) -> float:
    lo, hi, a, b = s
    return a + (v - lo) / (hi - lo) * (b - a)


def _frame(title: str, ys: tuple[float, float, float, float], xlabel: str) -> list[str]:
    body = [text(8, 14, title, weight="600", width=W + LEFT)]
    body.append(f'<rect x="{LEFT}" y="{TOP}" width="{W}" height="{H}" fill="none" stroke="#ccc"/>')
    for v in (ys[0], ys[1]):
        body.append(text(LEFT - 4, _map(v, ys) + 4, number(v), size=10, fill=MUTED, anchor="end"))
    body.append(text(LEFT + W / 2, TOP + H + 28, xlabel, size=10, fill=MUTED, anchor="middle"))
    return body


def trials_picture(data: SweepData) -> Picture:
    """The metric of each trial (dots) and the best so far (a step line)."""
    points = [(r["seq"], r["value"]) for r in data["trials"] if r["value"] is not None]
    title = f"{data['metric']} per trial ({data['goal']})"
    if not points:
        return Picture(W + LEFT + 10, 28, text(8, 18, f"{title}: no value yet", fill=MUTED))
    n = max(len(data["trials"]) - 1, 1)
    xs = (0.0, float(n), LEFT, LEFT + W)
    ys = _scale([v for _, v in points], TOP + H, TOP)
    body = _frame(title, ys, "trial")
    for seq, v in points:
        body.append(f'<circle cx="{_map(seq, xs):.1f}" cy="{_map(v, ys):.1f}" r="3" fill="#4c78a8"/>')
    step = [f"{_map(i, xs):.1f},{_map(b, ys):.1f}" for i, b in enumerate(data["best"]) if b is not None]
    if len(step) > 1:
        body.append(f'<polyline points="{" ".join(step)}" fill="none" stroke="#f58518" stroke-width="1.5"/>')
    return Picture(W + LEFT + 10, TOP + H + 34, "".join(body))


def rungs_picture(data: SweepData) -> Picture:
    """Each run's metric per iteration, ending where Hyperband cut it (a red mark), the
    bands as vertical lines with the threshold that survives each."""
    traces = [t for t in data["traces"] if t["y"]]
    if not traces:
        return Picture(0, 0, "")
    last = max(max(t["x"]) for t in traces)
    xs = (1.0, float(max(last, 2)), LEFT, LEFT + W)
    ys = _scale([v for t in traces for v in t["y"]] + [r["threshold"] for r in data["rungs"]], TOP + H, TOP)
    body = _frame(f"Hyperband: {data['metric']} per iteration", ys, "iteration")
    for r in data["rungs"]:
        x = _map(r["band"], xs)
        body.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + H}" stroke="#999" stroke-dasharray="3,3"/>')
        y = _map(r["threshold"], ys)
        body.append(
            f'<line x1="{x - 6:.1f}" y1="{y:.1f}" x2="{x + 6:.1f}" y2="{y:.1f}" stroke="#000" stroke-width="2"/>'
        )
        body.append(text(x, TOP + H + 14, str(r["band"]), size=10, fill=MUTED, anchor="middle"))
    for t in traces:
        pts = " ".join(f"{_map(x, xs):.1f},{_map(y, ys):.1f}" for x, y in zip(t["x"], t["y"]))
        color = CUT if t["cut"] is not None else "#4c78a8"
        body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-opacity="0.7"/>')
        if t["cut"] is not None:
            cx, cy = _map(t["x"][-1], xs), _map(t["y"][-1], ys)
            body.append(
                f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="11" fill="{CUT}" text-anchor="middle">×</text>'
            )
    return Picture(W + LEFT + 10, TOP + H + 34, "".join(body))


def table_picture(data: SweepData) -> Picture:
    """The first ``ROWS`` trials: #, state, parameters, value, run name."""
    heads = ["#", "state", *data["params"], data["metric"] or "value", "run"]
    widths = [30.0, 70.0, *([90.0] * len(data["params"])), 90.0, 240.0]
    body, y = [], 14.0
    xs = [8.0]
    for w in widths[:-1]:
        xs.append(xs[-1] + w)
    for head, x, w in zip(heads, xs, widths):
        body.append(text(x, y, head, weight="600", width=w - 6))
    for r in data["trials"][:ROWS]:
        y += 17
        cells = [str(r["seq"] + 1), r["state"], *r["params"], r["value_text"], r["name"]]
        for cell, x, w in zip(cells, xs, widths):
            body.append(text(x, y, cell, width=w - 6))
    if len(data["trials"]) > ROWS:
        y += 17
        body.append(text(8, y, f"… {len(data['trials']) - ROWS} more trials", fill=MUTED))
    return Picture(xs[-1] + widths[-1], y + 8, "".join(body))


def sweep_picture(data: SweepData, selected: list[str]) -> Picture:
    """The whole panel, as saved in a notebook."""
    title = f"sweep {data['name']} ({data['project']}/{data['id']}) · {data['method']} · {data['state']}"
    count = f"{len(data['trials'])} trials"
    head = Picture(660, 22, text(8, 16, f"{title} · {count}", weight="600", width=640))
    charts = [trials_picture(data), rungs_picture(data)]
    side = Picture(charts[0].width + charts[1].width, max(c.height for c in charts), "")
    side.body = place(charts[0], 0, 0) + place(charts[1], charts[0].width, 0)
    p = data["parallel"]
    return stack([head, parallel_picture(p, selected), importance_picture(p), side, table_picture(data)])
