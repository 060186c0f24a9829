"""Plain text for a terminal, shared by the commands (``wbnb``, ``wbnb server``, ``%wbnb``):
user strings made safe, times, durations, byte counts (a run header says them too), columns, and argv
clean-up."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any


def plain(value: Any) -> str:
    """A user string made safe for a terminal: control characters (escape codes,
    newlines) are shown escaped instead of acting."""
    text = str(value)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def clip(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def local_time(timestamp: float | None) -> str:
    """Seconds since the epoch as local ``YYYY-MM-DD HH:MM:SS``, or ``-``."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp)) if timestamp else "-"


def duration(seconds: float | None) -> str:
    """``3h05m``, ``4m12s``, ``9s`` (``0s`` for a clock that went back), or ``-`` when unknown."""
    if seconds is None:
        return "-"
    s = int(max(0, seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def counted(n: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count and its noun (plural by an ``s``)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def human_bytes(n: float) -> str:
    """``340 B``, ``1.5 KiB``, ``3.0 GiB``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in (header, *rows))


def join_dash_values(argv: list[str], options: tuple[str, ...]) -> list[str]:
    """``["--order", "-acc"]`` -> ``["--order=-acc"]``: argparse would take a sort key
    with a leading minus for an option of its own."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in options and arg.startswith("-"):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out
