"""``LiveWidget``: the plumbing every live component shares.

A component has a live model (``SeriesSet``, ``ImageIndex``, ...) fed by sources through
a ``Feed``; this base makes the feed, publishes its numbered deltas as custom messages
and its snapshots into the ``_snapshot`` trait, answers the page's fetch requests with
buffers, and stops the feed with the widget. A component declares its model, sources and
traits, ``_answer`` if its page fetches things (images, old matrices), and ``_picture``,
its static picture for saved notebooks (``pictures/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anywidget
import traitlets as t

from .live import Feed
from .loader import bundle
from .pictures import Pictured, live_runs


class LiveWidget(Pictured, anywidget.AnyWidget):
    """Base of the live components (see module doc). Displayed, each carries a static
    picture of itself (``Pictured``; a component draws it in ``_picture``)."""

    _snapshot = t.Dict().tag(sync=True)

    @staticmethod
    def use_bundle(cls: type, name: str) -> None:
        """Give ``cls`` the built ``wbnb/static/<name>.js`` as its ``_esm``, once (reading
        it at class definition would make ``import wbnb.widgets`` slow)."""
        if "_esm" not in cls.__dict__:
            cls._esm = bundle(name)

    def _open_feed(self, model: Any, sources: Sequence[Any], min_interval: float) -> dict[str, Any]:
        """Make the feed and return its first snapshot (before ``AnyWidget.__init__``)."""
        self._feed = Feed(model, list(sources), self._publish_delta, self._publish_snapshot,
                          min_interval=min_interval)
        return self._feed.load()

    def _follow(self, live: bool) -> None:
        """After ``AnyWidget.__init__``: answer the page, and follow the runs if ``live``."""
        self.on_msg(self._on_request)
        if live:
            self._feed.start()
        else:
            self._feed.stop()  # a still picture: no listener left on the run

    def _publish_delta(self, seq: int, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers)

    def _publish_snapshot(self, seq: int, state: dict[str, Any]) -> None:
        self._snapshot = state

    def _answer(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]] | None:
        """The reply to a ``{"type": "fetch"}`` from the page; None: nothing to fetch."""
        return None

    def _on_request(self, _widget: Any, content: Any, _buffers: list[Any]) -> None:
        if isinstance(content, dict) and content.get("type") == "fetch":
            answer = self._answer(content)
            if answer is not None:
                self.send(*answer)

    def _following(self) -> list[Any]:
        return live_runs(src.ref for src in self._feed.sources)

    def _picture_guard(self) -> Any:
        return self._feed.lock

    def _freshen(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Send what is pending now, as a snapshot (e.g. before saving a notebook)."""
        self._feed.tick(final=True)

    def stop(self) -> None:
        """Stop following the runs (the widget keeps what it shows)."""
        self._feed.stop()

    def close(self) -> None:
        self._feed.stop()
        super().close()
