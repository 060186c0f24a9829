"""The RunTable's contract (``js/table/contract.ts`` is written from here): the shapes of its
``_data`` and ``_shown`` traits. It sends no messages; ``filter``, ``sort``, ``columns`` and
``selected`` are plain traits synced both ways (``widget.py``).

Who computes what: Python reads the runs into ``_data`` (``model.py``); the page alone
filters and sorts them (``js/lib/filter.ts``, ``sort.ts``) and writes what it shows back
into ``_shown``, which the static picture draws (``picture.py``). The page evaluates
because a filter typed while a training cell runs must apply at once, and the kernel
handles no message from the page until that cell ends.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

# The rows the page reports in ``_shown``: the most the static picture draws.
SHOWN_ROWS = 50

Scalar = str | float | bool | None
Cell = Scalar | list[Scalar]
NumKind = Literal["num", "time", "dur"]
TextKind = Literal["str", "list", "any"]


class NumColumn(TypedDict):
    """A column of numbers as float64 bytes, NaN where a run has none (``time``: seconds
    since the epoch, ``dur``: seconds)."""

    key: str
    type: NumKind
    values: bytes | memoryview


class TextColumn(TypedDict):
    """A column of JSON values, null where a run has none (``list``: the tags; ``any``: a
    column whose runs disagree on the kind of value)."""

    key: str
    type: TextKind
    values: list[Cell]


class TableData(TypedDict):
    """The ``_data`` trait: every run of the project, one row each, stored by column (rows
    newest first). ``rev`` counts the re-reads that changed it."""

    rev: int
    n: int
    ids: list[str]
    columns: list[NumColumn | TextColumn]


class Shown(TypedDict):
    """The ``_shown`` trait, written by the page (debounced) whenever it has filtered and
    sorted: the first ``SHOWN_ROWS`` run ids in display order, how many rows pass the
    filter, why the filter did not parse ("" when it did), the columns the sort resolved
    to (key, descending), and the ``filter``, ``sort`` and ``_data`` rev it was computed
    for (the picture ignores a stale one)."""

    filter: str
    sort: list[str]
    rev: int
    ids: list[str]
    count: int
    error: str
    sorted_by: list[tuple[str, bool]]
