"""The static pictures of parallel coordinates and parameter importance (``Compare``'s, and
the sweep panel's part), drawn from the positions, ticks and colours Python computed for
the page (``parallel.py``), so both show the same lines."""

from __future__ import annotations

from ..pictures.svg import MUTED, Picture, number, stack, text
from .contract import AXIS_GAP, MARGIN, PLOT_HEIGHT, PLOT_TOP, CompareData, Parallel

TOP, PLOT = PLOT_TOP, PLOT_HEIGHT
BAR = 160.0  # width of an importance bar at importance 1
ROW = 18.0
OFF = "#e3e3e3"  # a line outside the brushed selection


def parallel_picture(p: Parallel, selected: list[str]) -> Picture:
    """The axes with their labels and ticks, one line per run (grey when a selection
    leaves it out), the selection's count."""
    n = len(p["axes"])
    width = max(420.0, 2 * MARGIN + AXIS_GAP * max(n - 1, 1))
    if n == 0:
        return Picture(width, 28, text(8, 18, "no parameters to compare", fill=MUTED))
    xs = [MARGIN + AXIS_GAP * i for i in range(n)] if n > 1 else [width / 2]
    chosen = set(selected)
    body = []
    for keep in (False, True):  # the selection's lines over the others
        for line in p["lines"]:
            if (not chosen or line["id"] in chosen) != keep:
                continue
            color = line["color"] if keep else OFF
            seg: list[str] = []
            for x, pos in [*zip(xs, line["pos"]), (0.0, None)]:
                if pos is None:
                    if len(seg) > 1:
                        body.append(
                            f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="1.2"/>'
                        )
                    seg = []
                else:
                    seg.append(f"{x:.1f},{TOP + PLOT * (1 - pos):.1f}")
    for x, axis in zip(xs, p["axes"]):
        body.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + PLOT}" stroke="#555"/>')
        label = axis["label"] + (" (log)" if axis["log"] else "")
        body.append(text(x, TOP - 14, label, anchor="middle", weight="600", width=AXIS_GAP - 8))
        for tick in axis["ticks"]:
            y = TOP + PLOT * (1 - tick["pos"])
            body.append(f'<line x1="{x - 3:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#555"/>')
            body.append(text(x - 5, y + 4, tick["text"], size=10, fill=MUTED, anchor="end"))
    count = f"{len(chosen)} of {len(p['lines'])} runs selected" if chosen else f"{len(p['lines'])} runs"
    body.append(text(8, TOP + PLOT + 22, count, fill=MUTED))
    return Picture(width, TOP + PLOT + 30, "".join(body))


def importance_picture(p: Parallel) -> Picture:
    """Each parameter's importance (a bar) and correlation with the metric, the method named."""
    body = [text(8, 16, f"parameter importance for {p['metric']}", weight="600", width=640)]
    y = 16.0
    for line in (p["method"], p["note"]):
        if line:
            y += ROW
            body.append(text(8, y, line, fill=MUTED, width=640))
    y += ROW
    for head, x in (("parameter", 8), ("importance", 168), ("correlation", 400)):
        body.append(text(x, y, head, fill=MUTED))
    for e in p["importance"]:
        y += ROW
        body.append(text(8, y, e["key"], width=150))
        if e["importance"] is not None:
            w = BAR * max(0.0, min(1.0, e["importance"]))
            body.append(f'<rect x="168" y="{y - 10:.1f}" width="{w:.1f}" height="10" fill="#4c78a8"/>')
            body.append(text(174 + BAR, y, number(e["importance"])))
        corr = e["correlation"]
        body.append(text(400, y, "-" if corr is None else number(corr), fill="#b04a3a" if (corr or 0) < 0 else "#222"))
    return Picture(660, y + 8, "".join(body))


def compare_picture(data: CompareData, selected: list[str]) -> Picture:
    """``Compare``'s picture: the project and metric, the parallel coordinates, the importance."""
    p = data["parallel"]
    title = f"{data['project']}: {data['runs']} runs against {p['metric'] or 'no summary metric'}"
    head = Picture(660, 22, text(8, 16, title, weight="600", width=640))
    return stack([head, parallel_picture(p, selected), importance_picture(p)])
