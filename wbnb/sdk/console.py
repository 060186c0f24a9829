"""Capture of stdout/stderr as whole lines, while the output still reaches the screen."""

from __future__ import annotations

import os
import re
import sys
import threading
import warnings
import weakref
from collections.abc import Callable
from typing import Any, TextIO

_STREAMS = ("stdout", "stderr")
_BREAKS = re.compile(r"(\r|\n)")
_started: weakref.WeakSet[ConsoleCapture] = weakref.WeakSet()


class _Tee:
    """Stands in for a stream: forwards everything to it and feeds the text to the capture."""

    def __init__(self, stream: TextIO, name: str, capture: ConsoleCapture) -> None:
        self._stream = stream
        self._forward = stream.write  # bound now: installed in place, the tee replaces it
        self._name = name
        self._capture = capture

    def write(self, text: str) -> int:
        written = self._forward(text)
        if isinstance(text, str):
            self._capture._feed(self._name, text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding, and whatever IPython's OutStream adds.
        return getattr(self._stream, name)


class ConsoleCapture:
    """Tees ``sys.stdout``/``sys.stderr`` and calls ``write(stream_name, line)`` per finished line.

    Text after a carriage return replaces the current line, so a progress bar that
    redraws itself with ``\\r`` is recorded once, in its final state. Thread-safe:
    each thread's text makes its own lines, and ``write`` is called for one line at a
    time, in the order the lines end. An exception in ``write`` is warned about once
    and never reaches ``print``. In a forked child the tees only forward: the lines
    would go to the parent's run.

    ``in_place``: tee the stream objects themselves (their ``write``) instead of
    replacing ``sys.stdout``/``sys.stderr``, for a host that puts its own stream object
    back as ``sys.stdout`` for every cell it runs (marimo): a replacement would be gone
    after the cell that started the run. A stream that takes no attributes is replaced.
    """

    def __init__(self, write: Callable[[str, str], None], in_place: bool = False) -> None:
        self._write = write
        self._in_place = in_place
        self._lock = threading.Lock()
        self._local = threading.local()  # marks a thread that is inside write()
        self._active = False
        self._warned = False
        self._originals: dict[str, TextIO] = {}
        self._tees: dict[str, _Tee] = {}
        # Per (stream, thread), so lines printed concurrently by threads are not mixed:
        # the unfinished line and whether a "\r" is waiting to replace it.
        self._pending: dict[tuple[str, int], tuple[str, bool]] = {}

    def start(self) -> None:
        """Install the tees on sys.stdout and sys.stderr (no-op when already started)."""
        if self._active:
            return
        self._active = True
        _started.add(self)
        for name in _STREAMS:
            stream = getattr(sys, name)
            if stream is None:  # e.g. pythonw has no console streams
                continue
            self._originals[name] = stream
            tee = self._tees[name] = _Tee(stream, name, self)
            if self._in_place:
                try:
                    stream.write = tee.write  # type: ignore[method-assign]
                    continue
                except AttributeError:  # a stream that takes no attributes (__slots__)
                    pass
            setattr(sys, name, tee)

    def stop(self) -> None:
        """Flush partial lines and restore the original streams if ours are still installed."""
        if not self._active:
            return
        self._active = False  # a tee someone else has wrapped now only forwards
        _started.discard(self)
        for name, tee in self._tees.items():
            original = self._originals[name]
            if getattr(sys, name) is tee:
                setattr(sys, name, original)
            elif getattr(original, "__dict__", {}).get("write") == tee.write:  # in place, still ours
                del original.write
        self._tees.clear()
        self._originals.clear()
        with self._lock:
            for (name, _), (line, _) in self._pending.items():
                if line:
                    self._emit(name, line)
            self._pending.clear()

    def _forked(self) -> None:
        """In a forked child: forward only, and forget the parent's unfinished lines."""
        self._active = False
        self._lock = threading.Lock()  # another thread may have held it at the fork
        self._pending.clear()

    def _feed(self, name: str, text: str) -> None:
        if not self._active or getattr(self._local, "busy", False):
            return
        key = (name, threading.get_ident())
        # write() is called under the lock: the run's console log has one writer at a
        # time, and lines are stored in the order they end.
        with self._lock:
            line, after_cr = self._pending.pop(key, ("", False))
            for piece in _BREAKS.split(text):
                if piece == "\n":
                    self._emit(name, line)
                    line, after_cr = "", False
                elif piece == "\r":
                    # Not cleared yet: "\r\n" (possibly split across writes) ends the line as is.
                    after_cr = True
                elif piece:
                    line = piece if after_cr else line + piece
                    after_cr = False
            if line or after_cr:  # finished threads leave nothing behind
                self._pending[key] = (line, after_cr)

    def _emit(self, name: str, line: str) -> None:
        self._local.busy = True  # output produced by write() itself is not captured
        try:
            self._write(name, line)
        except Exception as exc:
            if not self._warned:
                self._warned = True
                warnings.warn(f"wbnb: could not record console output ({exc!r})", RuntimeWarning, stacklevel=2)
        finally:
            self._local.busy = False


def _forget_captures_in_child() -> None:
    for capture in list(_started):
        capture._forked()
    _started.clear()


os.register_at_fork(after_in_child=_forget_captures_in_child)
