"""A one-line progress bar for long work (``wbnb sync``): redrawn in place on a
terminal, at most ten times a second; one line per quarter when the output is a file."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``label [██████░░░░]  60%  6,000/10,000 records``."""

    def __init__(
        self, label: str, total: int, unit: str = "records", stream: TextIO | None = None, width: int = 24
    ) -> None:
        self.label, self.total, self.unit, self.width = label, max(total, 0), unit, width
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self._drawn_at = 0.0
        self._quarter = -1

    def update(self, done: int) -> None:
        """Record progress (an absolute count) and redraw when it is time to."""
        self.done = min(done, self.total) if self.total else done
        now = time.monotonic()
        if self.tty and now - self._drawn_at >= 0.1:
            self._drawn_at = now
            self.stream.write("\r" + self.line())
            self.stream.flush()
        elif not self.tty and self.total and (q := 4 * self.done // self.total) > self._quarter and q < 4:
            self._quarter = q
            self.stream.write(self.line() + "\n")

    def close(self, note: str = "") -> None:
        """Draw the final state and end the line."""
        self.stream.write(("\r" if self.tty else "") + self.line() + (f"  {note}" if note else "") + "\n")
        self.stream.flush()

    def line(self) -> str:
        """The bar as text."""
        frac = self.done / self.total if self.total else 1.0
        filled = round(frac * self.width)
        bar = "█" * filled + "░" * (self.width - filled)
        return f"{self.label} [{bar}] {frac:4.0%}  {self.done:,}/{self.total:,} {self.unit}"


BIG = 256 << 20  # bytes of work past which a transfer shows a bar


def bytes_bar(label: str, total: int) -> ProgressBar | None:
    """A bar counting MiB for ``total`` bytes of work, or None when that is too little
    to be worth one (under ``BIG``)."""
    return ProgressBar(label, total >> 20, unit="MiB") if total >= BIG else None
