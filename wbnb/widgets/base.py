"""``LiveWidget``: the plumbing every live component shares.

A component has a live model (``SeriesSet``, ``ImageIndex``, ...) fed by sources through
a ``Feed``; this base makes the feed, publishes its numbered deltas as custom messages
and its snapshots into the ``_snapshot`` trait, answers the page's fetch requests with
buffers, and stops the feed with the widget. A component declares its model, sources and
traits, ``_answer`` if its page fetches things (images, old matrices), and ``_picture``,
its static picture for saved notebooks (``pictures/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import anywidget
import traitlets as t

from .bundles import bundle
from .feed import Feed, LiveModel
from .pictures import Pictured, live_runs
from .runs import RunRef
from .sources import make_sources


class LiveWidget(Pictured, anywidget.AnyWidget):
    """Base of the live components (see module doc). Displayed, each carries a static
    picture of itself (``Pictured``; a component draws it in ``_picture``).

    A component names its bundle in ``esm_name`` and calls ``LiveWidget.__init__`` once,
    with its model (made over ``resolve_runs``' runs, its ``keys=`` passed on as given) and
    its own traits; the sources, the feed, the bundle and following the runs are set up
    here, in the one order they need."""

    _snapshot = t.Dict().tag(sync=True)
    # True while the history is read on a thread (see ``Feed.load``); pictures follow it.
    loading = t.Bool(False).tag(sync=True)
    # Seconds a widget's constructor waits for the history before it shows itself
    # "loading" and lets a thread finish; None: always wait (a short history, media).
    load_budget: float | None = None
    # The built front end, ``wbnb/static/<esm_name>.js``: js/<esm_name>/index.ts.
    esm_name: ClassVar[str]

    _esm: str  # read from the bundle on the first construction (see ``_load_esm``)

    def __init__(
        self,
        *,
        model: LiveModel,
        live: bool,
        min_interval: float,
        **traits: Any,
    ) -> None:
        """Read the history of ``model``'s runs into it (a thread finishes a long one after
        ``load_budget`` seconds), make the anywidget with that first snapshot and
        ``traits``, then answer the page and follow the runs when ``live``."""
        sources = self._sources(list(model.runs))
        self._feed = Feed(model, sources, self._publish_delta, self._publish_snapshot, min_interval=min_interval)
        self._feed.on_loaded = self._loaded
        snapshot = self._for_page(self._feed.load(budget=self.load_budget))
        loading = self._feed.loading
        self._load_esm()
        super().__init__(_snapshot=snapshot, loading=loading, **traits)
        self.on_msg(self._on_request)
        self._feed.ready()  # a history still being read is published from now on
        if live:
            self._feed.start()
        else:
            self._feed.stop()  # a still picture: no listener left on the run

    @classmethod
    def _load_esm(cls) -> None:
        """The component's bundle as its ``_esm``, read once per class (reading it when the
        class is defined would make ``import wbnb.widgets`` slow)."""
        if "_esm" not in cls.__dict__:
            cls._esm = bundle(cls.esm_name)

    def _sources(self, refs: list[RunRef]) -> list[Any]:
        """Where new rows come from: each run's history (``System`` reads its system stream)."""
        return make_sources(refs)

    def _for_page(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """What a snapshot of the model becomes in the ``_snapshot`` trait (a component
        adds what only the widget knows, e.g. the runs' colours)."""
        return snapshot

    def _publish_delta(self, seq: int, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers)

    def _publish_snapshot(self, seq: int, state: dict[str, Any]) -> None:
        self._snapshot = self._for_page(state)

    def _answer(self, request: Any) -> tuple[Mapping[str, Any], list[bytes]] | None:
        """The reply to a ``{"type": "fetch"}`` from the page (its shape: the component's
        contract; JSON from the page, so read it defensively); None: nothing to fetch."""
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
