"""``Gallery``: the anywidget class (traits, the viewer's choices, the page's requests)
over an ``ImageIndex`` (``model.py``); its front end is ``js/gallery/``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..pictures.svg import Picture
from ..runs import resolve_runs
from .contract import Choices, GallerySnapshot, ImagesReply
from .model import ImageIndex


class Gallery(LiveWidget):
    """The images of one or many runs, by key, with a step slider; runs side by side.

    ``runs``: a run, ``"project/run_id"``, or a list (default: the current run).
    ``keys``: image keys or globs to offer (default every key holding images).
    ``columns``: images per row; ``size``: thumbnail width in px; ``per_page``: images
    per run shown at once (more are paged). The viewer's choices (``key``, ``step``,
    ``page``, ``shown_runs``, ``marks``) are traits, saved with the notebook. ``step == -1``
    follows the newest step. An image logged with ``masks=`` / ``boxes=`` is shown with
    them painted on and a legend of their classes; ``marks=False`` hides them.
    """

    esm_name = "gallery"

    _snapshot = t.Dict().tag(sync=True, ts=GallerySnapshot)
    key = t.Unicode("").tag(sync=True)
    step = t.Int(-1).tag(sync=True)
    page = t.Int(0).tag(sync=True)
    per_page = t.Int(24).tag(sync=True)
    columns = t.Int(4).tag(sync=True)
    size = t.Int(160).tag(sync=True)
    shown_runs = t.List(t.Int()).tag(sync=True)  # run numbers shown; empty: all
    marks = t.Bool(True).tag(sync=True)  # masks and boxes painted on the images

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        columns: int = 4,
        size: int = 160,
        per_page: int = 24,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.index = ImageIndex(resolve_runs(runs, store), keys)
        super().__init__(
            model=self.index,
            live=live,
            min_interval=min_interval,
            columns=columns,
            size=size,
            per_page=per_page,
            **kwargs,
        )
        if not self.key:
            self.key = next(iter(self.image_keys), "")

    def _answer(self, request: Any) -> tuple[ImagesReply, list[bytes]] | None:
        return self.index.answer(request, self.marks)

    @property
    def image_keys(self) -> list[str]:
        """The keys that hold images, sorted."""
        return sorted({e.key for e in self.index.entries.values()})

    def steps(self, key: str, run: int = 0) -> list[int]:
        """The steps of run number ``run`` that have images under ``key``."""
        return self.index.steps(run, key)

    def _choices(self) -> Choices:
        """The viewer's choices, as the picture and the page lay them out."""
        return {
            "key": self.key,
            "step": self.step,
            "page": self.page,
            "per_page": self.per_page,
            "columns": self.columns,
            "size": self.size,
            "shown_runs": list(self.shown_runs),
        }

    def _picture(self) -> Picture:
        from .picture import gallery_picture

        return gallery_picture(self.index, self._choices(), self.marks)
