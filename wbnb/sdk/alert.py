"""``run.alert``: a message kept with the run and printed where the user looks."""

from __future__ import annotations

import datetime
import enum
import sys
import time

from ..store.base import RunWriter


class AlertLevel(str, enum.Enum):
    """How serious an alert is."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def record_alert(
    writer: RunWriter,
    last_sent: dict[str, float],
    title: str,
    text: str,
    level: str | AlertLevel,
    wait_duration: float | datetime.timedelta | None,
) -> bool:
    """Record and print an alert unless one with the same title was sent less than
    ``wait_duration`` ago; returns whether it was sent."""
    if not isinstance(title, str) or not isinstance(text, str):
        raise TypeError(f"alert: title and text must be str, got {type(title).__name__} and {type(text).__name__}")
    try:
        level = AlertLevel(level.value if isinstance(level, AlertLevel) else str(level).upper())
    except ValueError:
        raise ValueError(f"alert: level must be INFO, WARN or ERROR, got {level!r}") from None
    if isinstance(wait_duration, datetime.timedelta):
        wait_duration = wait_duration.total_seconds()
    now = time.time()
    if wait_duration and now - last_sent.get(title, float("-inf")) < float(wait_duration):
        return False
    last_sent[title] = now
    writer.log_event(
        {"kind": "alert", "title": title, "text": text, "level": level.value, "wait_duration": wait_duration, "t": now}
    )
    print(f"wbnb: alert [{level.value}] {title}: {text}", file=sys.stderr)
    return True
