"""``RunHeader``: the top line of a RunPanel — name, project/id, state, duration — and
the run's notable events under it: a cell's exception or interrupt (the run stays open,
see ``wbnb.jupyter.hooks``) and ``run.alert()``s.

An anywidget (marimo renders nothing else; its view, ``js/header/``, shows the HTML as
text and simple markup) refreshed by one small daemon thread while the run is live
(every ``interval`` s: state and duration from the run or its stored metadata, events
read from the store's ``events`` stream after a cursor). Every user string is escaped
(``text.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ..bundles import bundle
from ..pictures.svg import Picture
from ..runs import RunRef
from .picture import header_picture
from .text import ICONS, header_html

MAX_BACKOFF = 8  # a quiet header of another process's run looks every 8 intervals at most


class RunHeader(anywidget.AnyWidget):
    """Name, state, duration and events of one run, kept current while it is live."""

    value = traitlets.Unicode("").tag(sync=True)  # header_html's markup

    def __init__(
        self,
        ref: RunRef,
        *,
        live: bool = True,
        interval: float = 1.0,
        on_look: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """``on_look``: called at each look while the run is live, after the header's own
        (the run panel re-reads the run's keys then); True when it found something new."""
        if "_esm" not in RunHeader.__dict__:  # read on first use: importing widgets stays quick
            RunHeader._esm = bundle("header")
        self.ref = ref
        self._events: list[dict[str, Any]] = []
        self._offset = 0
        self._ended: float | None = None
        self._stopped = threading.Event()
        self._on_look = on_look
        super().__init__(**kwargs)
        self.refresh()
        if live and self.ref.live is not None:
            self.ref.live.after_finish(self.refresh)  # the final state, not the one at the last tick
        if live and self._state() == "running":
            threading.Thread(target=self._refresh_while_live, args=(interval,), name="wbnb-header", daemon=True).start()

    def _state(self) -> str:
        run = self.ref.live
        return run.state if run is not None else str(self.ref.meta.get("state", "?"))

    def refresh(self) -> bool:
        """Read new events and the current state; redraw if anything changed (returns
        whether the state or the events did)."""
        ref, run = self.ref, self.ref.live
        try:
            new, self._offset = ref.store.records(ref.project, ref.id, "events", self._offset)
        except Exception:
            new = []
        self._events += [e for e in new if e.get("kind") in ICONS]
        if run is not None:
            if self._ended is None and run.state != "running":
                self._ended = time.time()  # finish() refreshes the header once, right after
            # While it runs, no ticking duration: a message a second to every open page.
            seconds: float | None = None if self._ended is None else self._ended - run.start_time
        else:
            if ref.meta.get("state") == "running":
                try:
                    ref.meta = ref.store.run(ref.project, ref.id)
                except Exception:
                    pass
            seconds = ref.meta.get("runtime")
        before = getattr(self, "_shown", None)
        self._shown = (self._state(), seconds, list(self._events))
        since = run.start_time if run is not None and self._ended is None else None
        html = header_html(ref, *self._shown, since=since)
        if html != self.value:
            self.value = html
        return before is None or (before[0], before[2]) != (self._shown[0], self._shown[2])

    def _picture(self) -> Picture:
        """The static picture of what the header shows (``picture.py``)."""
        return header_picture(self.ref, *self._shown)

    def _refresh_while_live(self, interval: float) -> None:
        wait = interval
        while not self._stopped.wait(wait):
            changed = self.refresh()
            if self._on_look is not None:
                changed = self._on_look() or changed
            if self._state() != "running":
                return
            # Another process's run is read from the store (a server's too) at each look:
            # look less often while nothing changes, up to MAX_BACKOFF x, and again every
            # `interval` after news. The kernel's own run costs a local read: no backoff.
            quiet = not changed and self.ref.live is None
            wait = min(2 * wait, MAX_BACKOFF * interval) if quiet else interval

    def stop(self) -> None:
        """Stop following the run (the header keeps what it shows)."""
        self._stopped.set()

    def close(self) -> None:
        self.stop()
        super().close()
