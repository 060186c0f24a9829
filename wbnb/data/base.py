"""The contract every loggable value type follows.

A value type (Image, Histogram, Table, a plot) turns itself into a JSON-able dict
with a ``_type`` field when it is logged. Bulky bytes (PNG files, table JSON) go to
the run's media sink, which stores them by content and returns a path the dict keeps.
Bytes that are slow to make (a video's encoding) go through ``put_later``: the path
comes back at once and the file follows from a background thread.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Protocol

_said: set[str] = set()  # topics warn_once has warned about in this process


class MediaSink(Protocol):
    """Where value types put their files (a store's ``MediaStore`` in practice)."""

    def put(self, data: bytes, ext: str) -> str:
        """Store ``data`` and return its store-relative path."""
        ...

    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        """Return the path of a file named after ``key`` (the SHA-256, hex, of everything
        its bytes are made from) and store ``produce()`` there off the caller's thread."""
        ...


class WBValue:
    """Base class of every rich value that ``Run.log`` accepts."""

    _type: str = ""

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the JSON-able record of this value, writing any files to ``sink``."""
        raise NotImplementedError


def warn_once(topic: str, message: str) -> None:
    """Warn ``message`` the first time ``topic`` comes up in this process: a value type
    that reinterprets data says so once, not at every step of a training loop."""
    if topic not in _said:
        _said.add(topic)
        warnings.warn(message, RuntimeWarning, stacklevel=3)
