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
    # True while the history is read on a thread (see ``Feed.load``); pictures follow it.
    loading = t.Bool(False).tag(sync=True)
    # Seconds a widget's constructor waits for the history before it shows itself
    # "loading" and lets a thread finish; None: always wait (a short history, media).
    load_budget: float | None = None

    _esm: str  # set per component class by use_bundle

    @staticmethod
    def use_bundle(cls: type[LiveWidget], name: str) -> None:
        """Give ``cls`` the built ``wbnb/static/<name>.js`` as its ``_esm``, once (reading
        it at class definition would make ``import wbnb.widgets`` slow)."""
        if "_esm" not in cls.__dict__:
            cls._esm = bundle(name)

    def _open_feed(self, model: Any, sources: Sequence[Any], min_interval: float) -> dict[str, Any]:
        """Make the feed and return its first snapshot (before ``AnyWidget.__init__``)."""
        self._feed = Feed(model, list(sources), self._publish_delta, self._publish_snapshot, min_interval=min_interval)
        self._feed.on_loaded = self._loaded
        snapshot = self._feed.load(budget=self.load_budget)
        self._loading_at_start = self._feed.loading
        return snapshot

    def _follow(self, live: bool) -> None:
        """After ``AnyWidget.__init__``: answer the page, let a history still being read be
        published, and follow the runs if ``live``."""
        self.on_msg(self._on_request)
        if self._loading_at_start:
            self.loading = True
        self._feed.ready()
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

    def _still_picture(self) -> Any:
        if self._feed.loading:  # drawn again once the history is in (``loading`` is a choice trait)
            from .pictures.svg import note

            return note(f"wbnb {type(self).__name__}: loading the history…")
        with self._feed.lock:  # no tick changes the model midway
            return self._picture()

    def _redraw_sources(self) -> list[tuple[Any, tuple[str, ...]]]:
        return [(self, ("loading",))]

    def _loaded(self) -> None:
        """``Feed.on_loaded`` (on the reading thread): the history is in."""
        self.loading = False

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
