"""Plain notices printed once per process: what wbnb accepts but adapts or ignores."""

from __future__ import annotations

import sys
from collections.abc import Iterable

_said: set[str] = set()


def first_time(topic: str) -> bool:
    """True the first time ``topic`` is asked about in this process, False after."""
    if topic in _said:
        return False
    _said.add(topic)
    return True


def unsaid(topic: str, names: Iterable[str]) -> list[str]:
    """Those of ``names`` not yet named under ``topic`` in this process (now they are)."""
    return [name for name in names if first_time(f"{topic}:{name}")]


def say(message: str) -> None:
    """Print ``wbnb: message`` to stderr (the caller has decided it is the first time)."""
    print(f"wbnb: {message}", file=sys.stderr)


def say_once(topic: str, message: str) -> None:
    """Print ``wbnb: message`` to stderr, once per process for ``topic``."""
    if first_time(topic):
        say(message)
