"""``MediaView``: the anywidget class (traits, the page's requests) over a ``MediaIndex``
(``model.py``); its front end is ``js/mediaview/``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..pictures.svg import Picture
from ..runs import resolve_runs
from .contract import MediaReply, MediaSnapshot
from .model import MediaIndex


class MediaView(LiveWidget):
    """The audio, video and html that one or many runs logged, by key, with a step slider
    per key; runs side by side, each under its name.

    ``runs``: a run, ``"project/run_id"``, or a list (default: the current run).
    ``keys``: keys or globs to show (default every key holding audio, video or html).
    Audio: a player and its waveform; video: a player (a GIF as an image); html: the page
    in an ``<iframe sandbox="allow-scripts">`` (an opaque origin: its scripts run, and can
    never reach the notebook's page, cookies or storage), ``html_height`` px tall, resizable.
    Files travel only when their cell is visible. The steps chosen (``steps_shown``: key ->
    step; absent, the newest) are saved with the notebook.
    """

    esm_name = "mediaview"

    _snapshot = t.Dict().tag(sync=True, ts=MediaSnapshot)
    steps_shown = t.Dict().tag(sync=True, ts=dict[str, int])  # key -> step chosen; absent: the newest
    html_height = t.Int(320).tag(sync=True)

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        store: Store | None = None,
        live: bool = True,
        html_height: int = 320,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.index = MediaIndex(resolve_runs(runs, store), keys)
        super().__init__(model=self.index, live=live, min_interval=min_interval, html_height=html_height, **kwargs)

    def _answer(self, request: Any) -> tuple[MediaReply, list[bytes]] | None:
        return self.index.answer(request)

    @property
    def media_keys(self) -> list[str]:
        """The keys that hold audio, video or html, sorted."""
        return self.index.keys_logged()

    def steps(self, key: str, run: int = 0) -> list[int]:
        """The steps at which run number ``run`` logged media under ``key``."""
        return self.index.steps(run, key)

    def _picture(self) -> Picture:
        from .picture import media_picture

        return media_picture(self.index, dict(self.steps_shown))
