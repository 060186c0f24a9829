"""The wire shapes every component shares (``js/lib/contract.ts`` is written from here by
``typescript.py``). A component's own snapshot and delta extend ``Snapshot`` and ``Delta``."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict


class RunInfo(TypedDict):
    """A run a widget shows, as its snapshot lists it."""

    id: str
    name: str
    project: NotRequired[str]


class Snapshot(TypedDict):
    """The whole state of a live model, in the ``_snapshot`` trait (``live.Feed`` numbers it)."""

    seq: int
    # True in the placeholder a widget shows while a long history is read on a thread
    loading: NotRequired[bool]


class Delta(TypedDict):
    """What changed since message ``seq - 1`` (a custom message; arrays in its buffers)."""

    type: Literal["delta"]
    seq: int
