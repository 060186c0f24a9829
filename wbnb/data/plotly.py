"""``Plotly``: a plotly figure stored as its JSON (what ``fig.to_json()`` writes), which
plotly.js draws as it is. plotly is not a dependency: any object with plotly's
``to_plotly_json()`` (or just ``to_json()``) is accepted.

Serialising a large figure takes long (~0.2 s for a million points), so the caller's
thread only takes a snapshot (``to_plotly_json()``, a deep copy: the figure may change
after ``log()``) and hashes it; the JSON is written by the ``wbnb-media`` thread under
that hash (``MediaSink.put_later``, see ``store/media.py``).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Mapping
from typing import Any

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.files import describe
from wbnb.data.image import is_matplotlib_figure


def _snapshot_key(snapshot: Mapping[str, Any]) -> str | None:
    """The SHA-256 of a figure's snapshot through pickle (lossless for the dicts, lists,
    numbers, strings and arrays a figure holds; arrays are hashed in place, not copied),
    or None when something in it cannot be pickled."""
    buffers: list[pickle.PickleBuffer] = []
    try:
        digest = hashlib.sha256(pickle.dumps(snapshot, protocol=5, buffer_callback=buffers.append))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    for buffer in buffers:
        digest.update(buffer.raw())
    return digest.hexdigest()


class Plotly(WBValue):
    """A plotly figure to log (``log({"fig": fig})`` makes one by itself).

    Stored as the figure's JSON, written off the caller's thread. Objects that only
    have ``to_json()`` are serialised by it on the caller's thread. A matplotlib figure
    is refused here: log it directly, which stores it as an ``Image``.
    """

    _type = "plotly"

    def __init__(self, figure: Any) -> None:
        self._json: bytes | None = None  # the JSON, when the figure gave it
        self._snapshot: Mapping[str, Any] | None = None  # or its snapshot, serialised on the media thread
        self._key: str | None = None
        if is_matplotlib_figure(figure):
            raise TypeError(
                "Plotly got a matplotlib figure; log it directly (log({'chart': fig}) stores it as an Image)"
                " or wrap it in wbnb.Image"
            )
        if callable(getattr(figure, "to_plotly_json", None)):
            snapshot = figure.to_plotly_json()
            if not isinstance(snapshot, Mapping):
                raise TypeError(f"Plotly: figure.to_plotly_json() returned {describe(snapshot)}, not a dict")
            self._snapshot = snapshot
            self._by_plotly = type(figure).__module__.startswith("plotly.")
        elif callable(getattr(figure, "to_json", None)):
            text = figure.to_json()
            if not isinstance(text, (str, bytes)) or not text.strip():
                raise TypeError(f"Plotly: figure.to_json() returned {describe(text)}, not a JSON text")
            self._json = text.encode() if isinstance(text, str) else text
        else:
            raise TypeError(
                f"Plotly got {describe(figure)}; accepted: a plotly figure"
                " (an object with to_plotly_json() or to_json())"
            )

    def _encode(self) -> bytes:
        """The figure's JSON, as ``fig.to_json()`` writes it (plotly's encoder when the
        figure is plotly's, so arrays keep its compact typed-array form)."""
        assert self._snapshot is not None
        if self._by_plotly:
            from plotly.io.json import to_json_plotly

            return to_json_plotly(self._snapshot).encode()
        from wbnb.data.image import to_plain

        return json.dumps(to_plain(self._snapshot), separators=(",", ":")).encode()

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the plotly record; the figure's JSON is stored through ``sink`` (from a
        snapshot: later, by the media thread)."""
        if self._json is None and self._key is None:
            assert self._snapshot is not None
            self._key = _snapshot_key(self._snapshot)
            if self._key is None:  # cannot be named by its input: serialise it now
                self._json = self._encode()
        if self._json is not None:
            path = sink.put(self._json, "json")
        else:
            assert self._key is not None
            path = sink.put_later(self._key, "json", self._encode)
        return {"_type": self._type, "path": path}
