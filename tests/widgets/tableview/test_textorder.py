"""The order of a TableView's text (``textorder.py``), the one rule the page sorts text by:
natural (digit runs as numbers), case-insensitive, UTF-16 code units, ties sharing a rank,
missing last; each case is a column and the order its rows sort in."""

from __future__ import annotations

import pytest

from wbnb.widgets.tableview.textorder import natural_key, text_column

CASES = [
    # (a column's cells, the cells in ascending order: ties keep the column's order, missing last)
    (["row-10", "row-2", None, "Row-3", "row-1"], ["row-1", "row-2", "Row-3", "row-10", None]),
    (["B", "a", "b", "A"], ["a", "A", "B", "b"]),  # case-insensitive: ties keep the table's order
    (["x007", "x7", "x6", "x08"], ["x6", "x007", "x7", "x08"]),  # leading zeros: the same number
    (["v1.10", "v1.9", "v1.10.1", "v1"], ["v1", "v1.9", "v1.10", "v1.10.1"]),
    (["1" * 21, "9" * 20, "2"], ["2", "1" * 21, "9" * 20]),  # past 20 digits a run is compared as text
    (["b", "", None, "a"], ["", "a", "b", None]),  # empty text is no missing cell
    (["z", "é", "Z1", "z0"], ["z", "z0", "Z1", "é"]),  # else by code units: é (U+00E9) after z
    (["\uff01", "😀", "\ue000"], ["😀", "\ue000", "\uff01"]),  # UTF-16 units: an emoji's surrogates before U+E000
    (["ΣΑΣ", "σας", "ςας"], ["ςας", "ΣΑΣ", "σας"]),  # lower case as JavaScript's: a final Σ is ς
    (["a\0", "b", "A"], ["A", "a\0", "b"]),  # a NUL in a cell: a character as any other
    ([None, None], [None, None]),
    ([], []),
]


@pytest.mark.parametrize(("cells", "expected"), CASES)
def test_text_sorts_in_natural_order(cells: list[str | None], expected: list[str | None]) -> None:
    col = text_column(cells)
    ranks = col.row_ranks()
    assert [None if c < 0 else col.values[c] for c in col.codes] == cells  # the dictionary gives the cells back
    order = sorted(range(len(cells)), key=lambda r: (ranks[r] < 0, ranks[r], r))
    assert [cells[r] for r in order] == expected
    assert all((ranks[r] < 0) == (cells[r] is None) for r in range(len(cells)))


def test_values_that_tie_share_a_rank_and_others_do_not() -> None:
    col = text_column(["Row-3", "row-3", "row-03", "row-4"])
    assert col.row_ranks()[:3] == [col.row_ranks()[0]] * 3 and col.row_ranks()[3] > col.row_ranks()[0]
    assert natural_key("Run-2.5") == "run-" + "2".zfill(20) + "." + "5".zfill(20)
