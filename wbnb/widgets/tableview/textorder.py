"""The order of a TableView's text: the one rule, computed here and sent to the page.

A text (or media) column travels as a dictionary (``TextColumn``): its distinct values,
each row's index into them, and each distinct value's rank in natural order. The page
sorts a text column by its rows' ranks as it sorts numbers (js/tableview/columns.ts), so
the page never compares text. Natural order: case-insensitive (``str.lower``), each run of
ASCII digits compared as a number (zero-padded to 20 digits: ``row-2`` < ``row-10``,
``007`` ties ``7``; a longer run compares as text), else by UTF-16 code units (the order of JavaScript's ``<``); values
whose keys tie share a rank (the page then keeps the table's order); missing cells (None)
have no rank and go last both ways.

RunTable (js/table/sort.ts) orders its few thousand runs with the browser's locale
collator instead (accents ignored, mixed numbers and text in one column): it sorts live
data in the page alone, where a collator is at hand; a logged table of 100k rows is
ranked once here, and Python has no such collator, so this rule is code-unit based.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_DIGITS = re.compile(r"[0-9]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # where code points and UTF-16 code units order differently


def _pad(m: re.Match[str]) -> str:
    return m.group().zfill(20)


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
    index: dict[str | None, int] = dict.fromkeys(texts, 0)
    index.pop(None, None)
    for i, v in enumerate(index):
        index[v] = i
    values: list[str] = list(index)  # type: ignore[arg-type]  # None popped
    index[None] = -1
    codes = np.fromiter(map(index.__getitem__, texts), dtype=np.int32, count=len(texts))
    return TextColumn(values, codes, _ranks([natural_key(v) for v in values]))


def _ranks(keys: list[str]) -> np.ndarray:
    """Each key's place in ascending order (ties share the first one's)."""
    ranks = np.zeros(len(keys), dtype=np.int32)
    if not keys:
        return ranks
    if _ASTRAL.search("".join(keys)):  # compare as UTF-16 code units, as the page would
        units = [k.encode("utf-16-be", "surrogatepass") for k in keys]
        order = sorted(range(len(keys)), key=units.__getitem__)
    else:
        order = sorted(range(len(keys)), key=keys.__getitem__)
    ordered = np.array(keys, dtype=object)[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    ranks[order] = np.maximum.accumulate(np.where(new, np.arange(len(keys)), 0))
    return ranks
