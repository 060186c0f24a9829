"""``RunHeader``: the top line of a RunPanel — name, project/id, state, duration — and
the run's notable events under it: a cell's exception or interrupt (the run stays open,
see ``wbnb.jupyter.hooks``) and ``run.alert()``s.

An anywidget (its view, ``js/header/``, shows the HTML as text and simple markup) refreshed
by one small daemon thread while the run is live
(every ``interval`` s: state and duration from the run or its stored metadata, events
read from the store's ``events`` stream after a cursor). Every user string is escaped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from html import escape
from typing import Any

import anywidget
import traitlets

from .bundles import bundle
from .runs import RunRef

SHOWN_EVENTS = 5  # the newest; older ones are counted
_ICONS = {"exception": "⚠", "alert": "🔔"}


def header_html(
    ref: RunRef, state: str, seconds: float | None, events: Sequence[dict[str, Any]] = (), since: float | None = None
) -> str:
    """The header line and event lines; every user string escaped. A running run says
    when it started (``since``), not a duration that would change every second."""
    took = "" if seconds is None else f" · {duration(seconds)}"
    if since is not None:
        took += time.strftime(" since %H:%M:%S", time.localtime(since))
    html = (
        f'<div class="wbnb-run-header" style="font:13px sans-serif;margin:2px 0 6px">'
        f"<b>{escape(ref.name)}</b> <span style='color:#666'>{escape(ref.project)}/{escape(ref.id)}"
        f" · {escape(state)}{took}</span>"
    )
    if events:
        lines = [f"<div class='wbnb-event'>{event_text(e)}</div>" for e in events[-SHOWN_EVENTS:]]
        if len(events) > SHOWN_EVENTS:
            lines.insert(0, f"<div class='wbnb-event'>… {len(events) - SHOWN_EVENTS} earlier</div>")
        html += "<div style='color:#a33;font-size:12px;margin-top:2px'>" + "".join(lines) + "</div>"
    return html + "</div>"


def event_text(event: dict[str, Any]) -> str:
    """One event as escaped text: icon, clock time, what happened."""
    return escape(event_line(event))


def event_line(event: dict[str, Any]) -> str:
    """One event as plain (unescaped) text: icon, clock time, what happened."""
    at = time.strftime("%H:%M:%S", time.localtime(event["t"])) if isinstance(event.get("t"), (int, float)) else ""
    if event.get("kind") == "alert":
        what = f"[{event.get('level', '')}] {event.get('title', '')}: {event.get('text', '')}"
    else:
        message = str(event.get("message") or "")
        what = f"{event.get('type', 'exception')}{': ' + message if message else ''} (the run stays open)"
    return f"{_ICONS.get(str(event.get('kind')), '•')} {at} {what}".strip()


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}h{rest // 60:02d}m" if h else f"{rest // 60}m{rest % 60:02d}s" if rest >= 60 else f"{rest}s"


MAX_BACKOFF = 8  # a quiet header of another process's run looks every 8 intervals at most


class RunHeader(anywidget.AnyWidget):
    """Name, state, duration and events of one run, kept current while it is live."""

    value = traitlets.Unicode("").tag(sync=True)  # header_html's markup

    def __init__(self, ref: RunRef, *, live: bool = True, interval: float = 1.0, **kwargs: Any) -> None:
        if "_esm" not in RunHeader.__dict__:  # read on first use: importing widgets stays quick
            RunHeader._esm = bundle("header")
        self.ref = ref
        self._events: list[dict[str, Any]] = []
        self._offset = 0
        self._ended: float | None = None
        self._stopped = threading.Event()
        super().__init__(**kwargs)
        self.refresh()
        if live and self.ref.live is not None:
            self.ref.live.after_finish(self.refresh)  # the final state, not the one at the last tick
        if live and self._state() == "running":
            threading.Thread(target=self._follow, args=(interval,), name="wbnb-header", daemon=True).start()

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
        self._events += [e for e in new if e.get("kind") in _ICONS]
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

    def _picture(self) -> Any:
        """The static picture of what the header shows (``pictures.panel``)."""
        from .pictures.panel import header_picture

        return header_picture(self.ref, *self._shown)

    def _follow(self, interval: float) -> None:
        wait = interval
        while not self._stopped.wait(wait):
            changed = self.refresh()
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
