"""How a widget's picture travels with it: one mixin, ``Pictured``, for every widget.

A displayed widget is two outputs: its view (``application/vnd.jupyter.widget-view+json``
and ``text/plain``), then its static picture (``picture_bundle``: the SVG as HTML and as
``image/svg+xml``). Two, because nbconvert (so nbviewer) renders one mime type per output
and prefers the view whenever the notebook saved its widget state (nbclient does, by
default), and the view needs a widget manager from a CDN. Front ends with wbnb's views
hide the picture output after a rendered view (the shared sheet in js/lib/style.ts).

The picture output is displayed under a display id; when a kernel run the widget follows
has finished (``Run.after_finish``: final state stored, every row written), the widget
takes in what is still pending and the picture is replaced, same id, by the final one.
Pictures are built then, at display, and once a history read behind the cell is in
(``_redraw_soon``, on a widget's ``loading`` trait), never per tick and never on a
viewer's choice (smoothing, log scale, a gallery's step...). ``_repr_mimebundle_`` (for
callers that take one bundle) keeps the view and the SVG together. A widget only
provides ``_picture()``; the rest is here.
"""

from __future__ import annotations

import asyncio
import base64
import warnings
from dataclasses import dataclass, field
from typing import Any

from .svg import Picture

SVG_MIME = "image/svg+xml"
# The class of the picture output's wrapper; the live views' shared sheet hides it.
PICTURE_CLASS = "wbnb-picture"
# What an output says where only its text shows (a terminal, an untrusted notebook's view).
LIVE_NOTE = "run the notebook to see it live"
# Seconds a redraw waits for more reasons to redraw (it re-renders the output's view).
REDRAW_DELAY = 0.3


@dataclass
class Displays:
    """Where a widget was displayed, so its outputs can be redrawn."""

    handles: list[Any] = field(default_factory=list)  # IPython ``DisplayHandle``s
    loop: asyncio.AbstractEventLoop | None = None  # the kernel's: redraws from other threads run on it
    redraw: asyncio.TimerHandle | None = None  # the redraw waiting for things to settle


class Pictured:
    """Mixin of every displayable wbnb widget (see module doc). Put it before the
    ipywidgets base: its ``_repr_mimebundle_`` adds the picture to the base's bundle."""

    _displays: Displays | None = None  # made on the first display

    def _picture(self) -> Picture:
        """The static picture of what the widget shows now."""
        raise NotImplementedError

    def _still_picture(self) -> Picture:
        """The picture, drawn safely (a live widget holds its feed's lock meanwhile)."""
        return self._picture()

    def _redraw_sources(self) -> list[tuple[Any, tuple[str, ...]]]:
        """(widget, trait names) whose changes redraw this widget's displayed pictures."""
        return []

    def _following(self) -> list[Any]:
        """The kernel's own runs, still running, that this widget follows (their
        ``finish()`` redraws its displayed outputs)."""
        return []

    def _freshen(self) -> None:
        """Take in what is pending, before the final picture (live widgets flush)."""

    def to_svg(self) -> str:
        """A static SVG picture of what the widget shows now (what a saved notebook shows
        without a kernel)."""
        return self._still_picture().markup()

    def _bundle(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        data: Any = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        data, metadata = data if isinstance(data, tuple) else (data, {})
        if data is None:
            return {}, {}
        try:
            svg = self.to_svg()
        except Exception as e:
            warnings.warn(
                f"wbnb: no static picture of {type(self).__name__}: {type(e).__name__}: {e}",
                RuntimeWarning,
                stacklevel=3,
            )
            return data, metadata or {}
        # An untrusted notebook in JupyterLab shows this bundle's text/plain, not its SVG.
        text = f"wbnb {type(self).__name__} (trust the notebook to see its picture, or {LIVE_NOTE})"
        return {**data, "text/plain": text, SVG_MIME: svg}, metadata or {}

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        data, metadata = self._bundle(**kwargs)
        return (data, metadata) if data else None

    def _display_(self) -> Any:
        """marimo's display protocol (only marimo calls it, so importing it here is safe):
        every wbnb widget is an anywidget, which marimo renders as itself (the run panel's
        page mounts its parts' views), without the static picture, which marimo never shows."""
        import anywidget
        import marimo

        if not isinstance(self, anywidget.AnyWidget):
            raise TypeError(f"{type(self).__name__}: Pictured is mixed into anywidgets only")
        return marimo.ui.anywidget(self)

    def _ipython_display_(self, **kwargs: Any) -> None:
        """``display(widget)`` or a widget ending a cell: an output with the view, then
        one with the picture, under a display id that the followed runs' ``finish()``
        updates (the view's output is never updated, so the live view is never re-rendered)."""
        from IPython.display import display

        data, metadata = self._bundle()
        if not data:
            return
        svg = data.pop(SVG_MIME, None)
        if svg is not None:  # the picture shows below whether trusted or not (sanitised HTML keeps it)
            data["text/plain"] = f"wbnb {type(self).__name__} ({LIVE_NOTE})"
        display(data, metadata=metadata, raw=True)
        if svg is None:  # no picture: nothing to show beside the view, nor to redraw
            return
        handle = display(picture_bundle(svg), raw=True, display_id=True)
        if handle is None:  # no IPython shell: nothing to update later
            return
        if self._displays is None:
            self._displays = Displays()
        shown = self._displays
        shown.handles.append(handle)
        try:
            shown.loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        if len(shown.handles) == 1:  # hook each followed run and redraw source once, however often it is shown
            for run in self._following():
                run.after_finish(self._final_picture)
            for widget, names in self._redraw_sources():
                widget.observe(self._redraw_soon, names=list(names))

    def _final_picture(self) -> None:
        """``Run.after_finish`` callback (the run has its final state and every row is
        stored): redraw every output of this widget with the final picture."""
        if getattr(self, "comm", True) is None:  # closed: its outputs show nothing live any more
            return
        self._redraw_displays("at finish", freshen=True)

    def _redraw_soon(self, _change: Any = None) -> None:
        """A redraw source changed (a history read behind the cell is in): redraw the
        displayed outputs' pictures on the kernel's loop, once things settle."""
        shown = self._displays
        if shown is None:
            return
        try:
            loop = asyncio.get_running_loop()  # the kernel's: the redraw runs when it is idle
        except RuntimeError:  # another thread (a widget's history read): ask the kernel's loop
            if shown.loop is not None and not shown.loop.is_closed():
                shown.loop.call_soon_threadsafe(self._redraw_soon, _change)
            else:
                self._redraw_displays("after loading")
            return
        if shown.redraw is not None:
            shown.redraw.cancel()
        shown.redraw = loop.call_later(REDRAW_DELAY, self._redraw_displays, "after loading")

    def _redraw_displays(self, when: str, freshen: bool = False) -> None:
        try:
            if freshen:
                self._freshen()
            picture = picture_bundle(self.to_svg())
            for handle in self._displays.handles if self._displays else []:
                handle.update(picture, raw=True)
        except Exception as e:
            warnings.warn(
                f"wbnb: could not redraw {type(self).__name__} {when}: {type(e).__name__}: {e}",
                RuntimeWarning,
                stacklevel=3,
            )


def live_runs(refs: Any) -> list[Any]:
    """The kernel's runs among ``RunRef``s that are still running, each once."""
    seen: dict[int, Any] = {}
    for ref in refs:
        run = getattr(ref, "live", None)
        if run is not None and run.state == "running" and hasattr(run, "after_finish"):
            seen.setdefault(id(run), run)
    return list(seen.values())


def picture_bundle(svg: str) -> dict[str, str]:
    """The output showing a widget's picture beside its view's output. Renderers without
    wbnb's front end (nbconvert, nbviewer, GitHub) show it whether or not the notebook saved
    its widget state (nbconvert shows one mime type per output, a saved view first); where
    a view is live, the shared sheet hides it (``PICTURE_CLASS`` in js/lib/style.ts). The
    SVG travels as an ``<img>``, so it runs no script and leaks no style into the page."""
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return {
        "text/html": f'<div class="{PICTURE_CLASS}"><img alt="wbnb picture" src="{src}"></div>',
        SVG_MIME: svg,
        "text/plain": f"wbnb picture ({LIVE_NOTE})",
    }
