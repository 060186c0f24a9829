"""What a ``RunHeader`` says, as HTML for the widget (``header_html``) and as plain
lines for its picture (``event_lines``; a duration as the commands say it,
``textout.duration``): both read these, so the header and its static picture say the same."""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape
from typing import Any

from ...textout import duration
from ..runs import RunRef

SHOWN_EVENTS = 5  # the newest; older ones are counted
ICONS = {"exception": "⚠", "alert": "🔔"}  # the event kinds a header shows


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
        lines = [f"<div class='wbnb-event'>{escape(line)}</div>" for line in event_lines(events)]
        html += "<div style='color:#a33;font-size:12px;margin-top:2px'>" + "".join(lines) + "</div>"
    return html + "</div>"


def event_lines(events: Sequence[dict[str, Any]]) -> list[str]:
    """The lines under the header (plain text): the newest ``SHOWN_EVENTS`` events, after
    one that counts the earlier ones."""
    lines = [event_line(e) for e in events[-SHOWN_EVENTS:]]
    if len(events) > SHOWN_EVENTS:
        lines.insert(0, f"… {len(events) - SHOWN_EVENTS} earlier")
    return lines


def event_line(event: dict[str, Any]) -> str:
    """One event as plain (unescaped) text: icon, clock time, what happened."""
    at = time.strftime("%H:%M:%S", time.localtime(event["t"])) if isinstance(event.get("t"), (int, float)) else ""
    if event.get("kind") == "alert":
        what = f"[{event.get('level', '')}] {event.get('title', '')}: {event.get('text', '')}"
    else:
        message = str(event.get("message") or "")
        what = f"{event.get('type', 'exception')}{': ' + message if message else ''} (the run stays open)"
    return f"{ICONS.get(str(event.get('kind')), '•')} {at} {what}".strip()
