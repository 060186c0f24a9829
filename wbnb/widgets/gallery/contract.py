"""The Gallery's contract: its step index (snapshot and deltas), the page's request for
images and Python's reply, and the layout both its picture and its page draw.

``js/gallery/contract.ts`` is written from here (``python -m wbnb.widgets.typescript``).
Image bytes never sit in the snapshot: the page asks for the images it shows
(``FetchRequest``) and Python answers with one binary buffer per image (``ImagesReply``).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ..contract import ClassMark, Delta, RunInfo, Snapshot

MIN_SIZE = 32  # px: the smallest thumbnail either side draws, whatever the size trait says


class ImageSeries(TypedDict):
    """One (run, key)'s step index in the snapshot: ``data`` holds float64 pairs (step,
    image count) of the steps the page gets (at most ``MAX_SHOWN`` of them, evenly
    spaced, and always the last; ``model.py`` thins them)."""

    id: int
    run: int  # position in the snapshot's ``runs``
    key: str
    data: memoryview


class GalleryState(TypedDict):
    """What ``ImageIndex.snapshot()`` makes (the feed numbers it into a ``GallerySnapshot``)."""

    runs: list[RunInfo]
    series: list[ImageSeries]
    marked: bool  # some image has masks or boxes: the page offers to hide them


class GallerySnapshot(Snapshot, GalleryState):
    """The ``_snapshot`` trait: every (run, key)'s step index."""


# ``from`` is a keyword in Python: these two are declared in the functional form.
SeriesUpdate = TypedDict("SeriesUpdate", {"id": int, "run": int, "key": str, "from": int})
SeriesUpdate.__doc__ = """One (run, key) in a delta: its pairs from shown position ``from`` on
replace what the page has there (the old last step, off the stride, goes)."""


class IndexChange(TypedDict):
    """What ``ImageIndex.delta()`` makes (the feed numbers it into a ``GalleryDelta``).
    Buffer ``i``: float64 pairs (step, image count) of ``upd[i]`` from its ``from`` on."""

    type: Literal["delta"]
    upd: list[SeriesUpdate]
    marked: bool  # as the snapshot's


class GalleryDelta(Delta, IndexChange):
    """New steps of the index (custom message). Buffer ``i``: float64 pairs (step, image
    count) of ``upd[i]``, from its shown position ``from`` on."""


FetchItem = TypedDict(
    "FetchItem",
    {"run": int, "key": str, "step": int, "from": NotRequired[int], "to": NotRequired[int]},
)
FetchItem.__doc__ = """Images ``from`` (default 0) up to ``to`` (default all) that ``key`` has at
``step`` in run number ``run``."""


class FetchRequest(TypedDict):
    """The page asks for the images it shows and has not got (no buffers)."""

    type: Literal["fetch"]
    req: int  # the page's number for this request, echoed in the reply
    items: list[FetchItem]


class ImageItem(TypedDict):
    """One image in a reply (its bytes: the reply's buffer at the same position)."""

    run: int
    key: str
    step: int
    index: int  # its position among the images ``key`` has at ``step``
    caption: str | None
    width: int | None
    height: int | None
    mime: str
    legend: list[ClassMark]  # the classes its masks and boxes name (painted on its pixels); [] when hidden


class ImagesReply(TypedDict):
    """Python's answer to a ``FetchRequest``. Buffer ``i``: the file bytes of ``items[i]``
    (empty when the store cannot read it). It stops short of a big request (16 MiB a
    reply): the page asks again for what is still missing."""

    type: Literal["images"]
    req: int
    items: list[ImageItem]


class KeySteps(TypedDict):
    """One (run, key)'s shown steps and their image counts, as ``layout`` reads them."""

    run: int
    key: str
    steps: list[int]
    counts: list[int]


class Choices(TypedDict):
    """The viewer's choices (the widget's traits of the same names)."""

    key: str
    step: int  # -1: the newest
    page: int
    per_page: int
    columns: int
    size: int
    shown_runs: list[int]  # run numbers shown; empty: all


class RunPlace(TypedDict):
    """One run's part of the page: the step it shows and which of its images."""

    run: int
    step: int | None  # None: no images under the key
    note: str  # beside the run's name: which step, or why none
    count: int  # images at that step
    start: int  # the page shows images start..stop-1
    stop: int


class GalleryLayout(TypedDict):
    """What a page of the gallery shows (``layout.py`` and ``js/gallery/layout.ts``; both
    checked against ``tests/cases/gallery_layout.json``)."""

    keys: list[str]
    key: str  # "" when no images were logged
    steps: list[int]  # the chosen key's steps over the runs shown, ascending
    step: int  # the chosen step (-1 follows the newest: its last); -1 when none
    page: int
    pages: int
    per_page: int
    columns: int
    size: int
    runs: list[RunPlace]


class Figure(TypedDict):
    """How one image is drawn: the caption under it, and crisp pixels when it is small."""

    caption: str | None
    pixelated: bool


TO_PAGE = (GalleryDelta, ImagesReply)
FROM_PAGE = (FetchRequest,)
