"""The RunTable's contract (``js/table/contract.ts`` is written from here): the shape of its
``_data`` trait. It sends no messages; ``filter``, ``sort``, ``columns`` and ``selected``
are plain traits synced both ways (``widget.py``).
"""

from __future__ import annotations

from typing import Literal, TypedDict

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
