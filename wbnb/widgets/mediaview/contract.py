"""The MediaView's contract: which media each (run, key) logged at which steps (snapshot and
deltas), the page's request for a file and Python's reply, and the step each run shows.

``js/mediaview/contract.ts`` is written from here (``python -m wbnb.widgets.typescript``).
The snapshot holds what a saved notebook needs to draw the cells (kind, caption, the text
under it); a file's bytes never sit in it: the page asks for the files of the cells it
shows once they are visible (``FetchRequest``) and Python answers with two binary buffers
per file (``MediaReply``): the bytes, and a WAV's waveform.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ..contract import Delta, RunInfo, Snapshot

KINDS = ("audio", "video", "html")  # the record ``_type``s a MediaView draws
MAX_COLUMNS = 4096  # pixel columns of a waveform, at most, whatever the page asks
DESCRIBED = 100  # steps per (run, key) whose media the snapshot describes: the newest


class MediaItem(TypedDict):
    """One logged audio, video or html record, as the page draws its cell."""

    kind: Literal["audio", "video", "html"]
    format: str  # the stored file's type: wav, mp3, mp4, gif, html...
    mime: str
    caption: str | None
    about: str  # the line under it (duration, sample rate, fps, size), said by Python


class MediaSeries(TypedDict):
    """One (run, key) in the snapshot: every step it logged media at, how many at each, and
    the media of its newest ``DESCRIBED`` steps (the page learns an older step's from the
    replies with its files: a long run's snapshot stays small)."""

    id: int
    run: int  # position in the snapshot's ``runs``
    key: str
    steps: list[int]  # ascending
    counts: list[int]  # media per step
    items: list[list[MediaItem]]  # per step; [] for a step before the newest DESCRIBED


class MediaState(TypedDict):
    """What ``MediaIndex.snapshot()`` makes (the feed numbers it into a ``MediaSnapshot``)."""

    runs: list[RunInfo]
    series: list[MediaSeries]


class MediaSnapshot(Snapshot, MediaState):
    """The ``_snapshot`` trait."""


class StepUpdate(TypedDict):
    """The media of one (run, key) at one step, new or logged again (then they replace)."""

    id: int
    run: int
    key: str
    step: int
    items: list[MediaItem]


class MediaChange(TypedDict):
    """What ``MediaIndex.delta()`` makes (the feed numbers it into a ``MediaDelta``)."""

    type: Literal["delta"]
    upd: list[StepUpdate]


class MediaDelta(Delta, MediaChange):
    """New media (custom message, no buffers)."""


class FetchItem(TypedDict):
    """Medium ``index`` that series ``id`` has at ``step``; ``columns``: the pixel columns
    of its waveform (audio), 0 or absent for none."""

    id: int
    step: int
    index: int
    columns: NotRequired[int]


class FetchRequest(TypedDict):
    """The page asks for the files of the cells it shows (no buffers)."""

    type: Literal["fetch"]
    req: int  # the page's number for this request, echoed in the reply
    items: list[FetchItem]


class MediaFile(TypedDict):
    """One file in a reply. Its buffers: ``2 * i`` the file's bytes (empty when the store
    cannot read it, e.g. a video still being encoded), ``2 * i + 1`` its waveform."""

    id: int
    step: int
    index: int
    item: MediaItem  # what its cell says (the snapshot may not describe an old step)
    # pixel columns of the waveform: float64 minima of each column, then its maxima, in -1..1;
    # 0 when there is none (not a WAV that the standard library reads)
    peaks: int


class MediaReply(TypedDict):
    """Python's answer to a ``FetchRequest``: it stops short of a big request (16 MiB a
    reply, the first file whatever its size); the page asks again for what is missing."""

    type: Literal["media"]
    req: int
    items: list[MediaFile]


class StepShown(TypedDict):
    """The step a run shows under a key for the viewer's choice (``steps.py`` and
    ``js/mediaview/steps.ts``; both held to ``tests/cases/steps.json``)."""

    step: int | None  # None: the run has nothing to show by the chosen step
    note: str  # beside the run's name


TO_PAGE = (MediaDelta, MediaReply)
FROM_PAGE = (FetchRequest,)
