"""What every static picture is made of: a ``Picture`` (size + SVG body), escaped text,
vertical stacking, the heatmap colour scale, and raster cells as an embedded PNG.

Every user string (run names, keys, captions, class names, table values) goes through
``esc`` or ``text``: the pictures are shown by renderers that trust SVG (nbconvert,
GitHub, JupyterLab without a kernel), so nothing in one may become markup.
"""

from __future__ import annotations

import base64
import math
import re
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from html import escape

import numpy as np

FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
MUTED = "#666"
CHAR_WIDTH = 0.58  # a character's width (em) as the pictures estimate it: they cannot measure text
# The sequential scale of js/lib/heat.ts (near-white to dark blue), so a picture and the live
# widget colour the same cell alike (tests/cases/heat.json holds both).
STOPS = np.array([[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]], dtype=float)
MAX_RASTER_SIDE = 640  # an embedded heatmap is upscaled to about its drawn size, no more
# What XML 1.0 cannot hold even escaped (C0 controls but tab and newlines, lone surrogates, U+FFFE/F):
# one in a run name or file path would leave the whole picture unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Picture:
    """An SVG fragment (``body``) of a known size; ``markup()`` makes it a document."""

    width: float
    height: float
    body: str

    def markup(self) -> str:
        """The standalone SVG document (white background: dark pages show it too)."""
        w, h = math.ceil(self.width), math.ceil(self.height)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="12">'
            f'<rect width="{w}" height="{h}" fill="#fff"/>{self.body}</svg>'
        )


def esc(s: object) -> str:
    """``s`` as SVG text or attribute content: &, <, >, quotes escaped, characters XML
    cannot hold shown as U+FFFD."""
    return escape(NOT_XML.sub("\ufffd", str(s)), quote=True)


def text_width(s: str, size: float) -> float:
    """About how wide ``s`` is in px at font ``size``."""
    return len(s) * size * CHAR_WIDTH


def clip(s: object, width: float, size: float = 12) -> str:
    """``s`` shortened with "…" to about ``width`` px at font ``size`` (not escaped)."""
    s = str(s).replace("\n", " ")
    room = max(1, int(width / (size * CHAR_WIDTH)))
    return s if len(s) <= room else s[: max(0, room - 1)] + "…"


def text(
    x: float,
    y: float,
    s: object,
    *,
    size: float = 12,
    fill: str = "#222",
    anchor: str = "start",
    weight: str = "",
    width: float | None = None,
    extra: str = "",
) -> str:
    """A ``<text>`` element; ``s`` is clipped to ``width`` px (if given) and escaped."""
    if width is not None:
        s = clip(s, width, size)
    attrs = f' font-weight="{weight}"' if weight else ""
    attrs += f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"{attrs}{extra}>{esc(s)}</text>'


def note(message: str, width: float = 360) -> Picture:
    """A one-line picture that says why there is nothing else to show."""
    return Picture(width, 28, text(8, 18, message, fill=MUTED, width=width - 16))


def stack(parts: list[Picture], gap: float = 10) -> Picture:
    """``parts`` one below the other, left-aligned."""
    body, y, width = [], 0.0, 0.0
    for p in parts:
        body.append(f'<g transform="translate(0,{y:.1f})">{p.body}</g>')
        y += p.height + gap
        width = max(width, p.width)
    return Picture(width, max(0.0, y - gap), "".join(body))


def place(p: Picture, x: float, y: float) -> str:
    """``p``'s body moved to (x, y), to put beside others."""
    return f'<g transform="translate({x:.1f},{y:.1f})">{p.body}</g>'


def thin_line(px: np.ndarray, py: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """A line's points (px, in x order) drawn ``width`` px wide, thinned to the lowest and
    highest of each pixel column, in x order: a line drawn from them looks the same as one
    drawn from every point (Curves' and Charts' pictures)."""
    if len(px) <= 2 * width:
        return px, py
    col = np.floor(px).astype(np.int64)
    order = np.lexsort((py, col))  # by column, then by y within it
    starts = np.r_[0, np.flatnonzero(np.diff(col[order])) + 1]
    ends = np.r_[starts[1:] - 1, len(order) - 1]
    keep = np.unique(np.concatenate([order[starts], order[ends]]))  # indices into x-sorted arrays
    return px[keep], py[keep]


def number(v: float) -> str:
    """A number as the widgets print one: ``formatNumber`` in js/lib/dom.ts, whose
    ``toExponential(3)`` / ``toPrecision(5)`` round a tie up and write ``1.235e+6``
    (tests/cases/numbers.json holds both)."""
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        a = abs(v)
        if a != 0 and (a >= 1e6 or a < 1e-3):
            return f"{Decimal(v):.3e}"
        g = float(f"{Decimal(v):.5g}")
    return str(int(g)) if g.is_integer() else repr(g)


def clock(t: float) -> str:
    """Wall time ``t`` (seconds since the epoch) as the kernel's local HH:MM:SS."""
    return time.strftime("%H:%M:%S", time.localtime(t))


def heat_rgb(v: np.ndarray) -> np.ndarray:
    """Colours (uint8, ``v.shape + (3,)``) of values in [0, 1] (clamped; NaN is 0)."""
    x = np.clip(np.nan_to_num(np.asarray(v, dtype=float)), 0.0, 1.0) * (len(STOPS) - 1)
    i = np.minimum(len(STOPS) - 2, np.floor(x).astype(int))
    f = (x - i)[..., None]
    # a half rounds up, as the page's Math.round does (numpy's round goes to even)
    return np.floor(STOPS[i] + (STOPS[i + 1] - STOPS[i]) * f + 0.5).astype(np.uint8)


def heat_color(v: float) -> str:
    """``heat_rgb`` of one value as ``rgb(r,g,b)``."""
    r, g, b = heat_rgb(np.array(v))
    return f"rgb({r},{g},{b})"


def heat_text(v: float) -> str:
    """The colour of text on a cell of value ``v``: white on the dark end of the scale."""
    return "#fff" if v > 0.55 else "#1a1a1a"


def png_image(
    png: bytes,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    pixelated: bool = False,
    mime: str = "image/png",
    fit: bool = False,
) -> str:
    """An ``<image>`` carrying ``png`` (or another raster, ``mime``) as a data: URI."""
    data = base64.b64encode(png).decode("ascii")
    aspect = "xMidYMid meet" if fit else "none"
    look = ' image-rendering="optimizeSpeed" style="image-rendering:pixelated"' if pixelated else ""
    return (
        f'<image x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" preserveAspectRatio="{aspect}"'
        f'{look} xlink:href="data:{mime};base64,{data}"/>'
    )


def heat_image(values: np.ndarray, x: float, y: float, w: float, h: float) -> str:
    """A grid of values in [0, 1] (rows x columns) drawn as heat cells filling the box:
    one embedded PNG (a few kB where 10k ``<rect>`` would be ~1 MB), each cell a block of
    whole pixels near its drawn size so no viewer blurs the cell edges."""
    from ...data.png import encode_png

    rows, cols = values.shape
    fy = max(1, min(int(h / max(rows, 1)), MAX_RASTER_SIDE // max(rows, 1)))
    fx = max(1, min(int(w / max(cols, 1)), MAX_RASTER_SIDE // max(cols, 1)))
    pixels = np.repeat(np.repeat(heat_rgb(values), fy, axis=0), fx, axis=1)
    return png_image(encode_png(np.ascontiguousarray(pixels)), x, y, w, h, pixelated=True)
