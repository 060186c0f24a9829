"""TableView's contract: the step index of one table key (snapshot and deltas) with a
preview of the table shown, the page's requests (the columns of a step, image cells) and
Python's replies.

``js/tableview/contract.ts`` is written from here (``python -m wbnb.widgets.typescript``).
The snapshot holds only the steps, the shown table's schema, row count and first
``PREVIEW_ROWS`` rows (what a saved notebook shows); the page asks for the whole table
(``FetchRequest`` with ``what: "columns"``) and gets each column as binary buffers
(``ColumnsReply``), and for the image cells it shows (``what: "images"``, ``ImagesReply``).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict

from ..contract import Delta, RunInfo, Snapshot

PREVIEW_ROWS = 50  # rows of the shown table in the snapshot (a saved notebook shows them)
RUN_COLUMN = "run"  # the column naming each row's run when several runs' tables are stacked
THUMB_SIDE = 128  # px: the longest side of an image cell's thumbnail as Python sends it

# number: float64 (NaN missing); bool: float64 1 / 0 / NaN; text: any other value as text
# (lists and dicts as JSON); media: every value a logged media record (its type is its text).
ColumnKind = Literal["number", "bool", "text", "media"]


class ColumnInfo(TypedDict):
    """A column of the shown table. In a ``ColumnsReply`` its values are buffers from
    ``buf`` on: one float64 buffer (number, bool), or four (text, media: a dictionary of the
    column's distinct values, see ``textorder.py``): their UTF-8 text one after another,
    uint32 offsets (one more than values, in UTF-16 code units of the decoded text), int32
    per row (its value's index, -1 missing), int32 per value (its rank in natural order:
    the page sorts text by it)."""

    name: str
    kind: ColumnKind
    buf: int


class MediaTag(TypedDict):
    """A media cell in the preview: its kind (``image``, ``audio``...)."""

    media: str


Cell = float | str | bool | None | MediaTag


class Preview(TypedDict):
    """The table shown for the ``step`` trait: which step each run shows (``version``),
    its shape and its first rows; ``ranks``: per column (none for number and bool), each
    of these rows' rank among them in natural order (-1 missing; ``textorder.py``)."""

    step: int  # the step chosen (-1: each run's last)
    version: str  # the step each run's table is taken from (fetches name it)
    nrows: int
    columns: list[ColumnInfo]
    rows: list[list[Cell]]
    ranks: list[list[int]]


class TableState(TypedDict):
    """What ``TableSteps.snapshot()`` makes: each run's steps that logged the key."""

    runs: list[RunInfo]
    key: str
    steps: list[list[int]]  # per run (its place in ``runs``), ascending


class TableViewSnapshot(Snapshot, TableState):
    """The ``_snapshot`` trait: the steps, and the preview of the table shown."""

    preview: NotRequired[Preview]


class StepsChange(TypedDict):
    """What ``TableSteps.delta()`` makes: every run's steps anew (a handful of numbers)."""

    type: Literal["delta"]
    steps: list[list[int]]


class TableViewDelta(Delta, StepsChange):
    """New steps of the key (custom message, no buffers)."""


class CellRef(TypedDict):
    """A cell of the shown table: its row (in Python's order) and column (in ``columns``)."""

    row: int
    col: int


class FetchRequest(TypedDict):
    """The page asks for the table at ``step`` (``what: "columns"``), or for the images of
    ``cells`` of table ``version`` (``what: "images"``; thumbnails unless ``full``)."""

    type: Literal["fetch"]
    req: int  # the page's number for this request, echoed in the reply
    what: Literal["columns", "images"]
    step: NotRequired[int]
    version: NotRequired[str]
    cells: NotRequired[list[CellRef]]
    full: NotRequired[bool]


class ColumnsReply(TypedDict):
    """The whole table shown for ``step``: each column's values in the reply's buffers
    (``ColumnInfo.buf``)."""

    type: Literal["columns"]
    req: int
    step: int
    version: str
    nrows: int
    columns: list[ColumnInfo]
    complete: bool  # False: a run's table could not be read yet (an error cell): the page asks again


class CellImage(TypedDict):
    """An image in an ``ImagesReply`` (its bytes: the buffer at the same position; empty
    when the store cannot read it)."""

    row: int
    col: int
    mime: str


class ImagesReply(TypedDict):
    """Python's answer to ``what: "images"``; it stops short of 16 MiB (the page asks again)."""

    type: Literal["images"]
    req: int
    version: str
    full: bool
    items: list[CellImage]


TO_PAGE = (TableViewDelta, ColumnsReply, ImagesReply)
FROM_PAGE = (FetchRequest,)
