"""The order of a TableView's text: the one rule, computed here and sent to the page.

A text (or media) column travels as a dictionary (``TextColumn``): its distinct values,
each row's index into them, and each distinct value's rank in natural order. The page
sorts a text column by its rows' ranks as it sorts numbers (js/tableview/columns.ts), so
the page never compares text. Natural order: case-insensitive (``str.lower``), each run of
ASCII digits compared as a number (zero-padded to 20 digits: ``row-2`` < ``row-10``,
``007`` ties ``7``; a longer run compares as text), else by UTF-16 code units (as
JavaScript compares strings); values whose keys tie share a rank (the page then keeps the
table's order); missing cells (None) have no rank and go last both ways.

RunTable (js/table/sort.ts) orders its few thousand runs with the browser's locale
collator instead (accents ignored, mixed numbers and text in one column): it sorts live
data in the page alone, where a collator is at hand; a logged table of 100k rows is
ranked once here, and Python has no such collator, so this rule is code-unit based.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_DIGITS = re.compile(r"[0-9]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # where code points and UTF-16 code units order differently


def _pad(m: re.Match[str]) -> str:
    return m[0].zfill(20)


def natural_key(s: str) -> str:
    """What a text value sorts by: lower case, each digit run zero-padded to 20 digits."""
    return _DIGITS.sub(_pad, s.lower())


@dataclass(frozen=True)
class TextColumn:
    """A text column as a dictionary: ``values`` (distinct, in first-seen order),
    ``codes`` (int32 per row: its index in ``values``, -1 missing) and ``ranks`` (int32 per
    distinct value: its place in natural order, equal where the order ties)."""

    values: list[str]
    codes: np.ndarray
    ranks: np.ndarray

    def row_ranks(self) -> list[int]:
        """Each row's rank (-1 missing)."""
        return np.append(self.ranks, -1)[self.codes].tolist()  # code -1 picks the appended -1


def text_column(texts: Sequence[str | None]) -> TextColumn:
    """``texts`` (None: missing) as a ``TextColumn``, ranked in natural order."""
    import pandas as pd  # its factorize: the distinct values and each row's index in one pass in C

    codes, values = pd.factorize(np.array(texts, dtype=object))
    distinct: list[str] = values.tolist()
    return TextColumn(distinct, codes.astype(np.int32), _ranks(_natural_keys(distinct)))


def _natural_keys(texts: list[str]) -> list[str]:
    """``natural_key`` of each text: one pass over them joined by NUL when none holds one
    (a NUL, like a string's end, ends a digit run and a word for ``lower``'s final sigma)."""
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:
        return [natural_key(s) for s in texts]  # (no text at all, too)
    return natural_key(joined).split("\0")


def _ranks(keys: list[str]) -> np.ndarray:
    """Each key's place among the distinct keys in ascending order (equal keys, equal ranks)."""
    ordered: list[Any] = keys
    joined = "".join(keys)
    if not joined.isascii() and _ASTRAL.search(joined):  # compare as UTF-16 code units, as JavaScript does
        ordered = [k.encode("utf-16-be", "surrogatepass") for k in keys]
    rank_of = {k: i for i, k in enumerate(sorted(ordered))}  # equal keys: the last one's place, for all
    return np.fromiter(map(rank_of.__getitem__, ordered), dtype=np.int32, count=len(ordered))
