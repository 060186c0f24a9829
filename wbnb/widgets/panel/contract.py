"""The RunPanel's contract: its traits only (``widget.py``), no messages.

Python owns the layout: ``_sections`` lists the sections (keys by ``prefix/``, the system
metrics last) and in each the cells, one per (part, key); the page draws them in a grid,
each cell mounting its part's view over the part's model for that one key. The viewer's
choices (collapsed sections, an enlarged cell) are the ``arrangement`` trait, set by the
page, so a saved notebook reopens as it was left.
"""

from __future__ import annotations

from typing_extensions import TypedDict

SYSTEM_SECTION = "/system"  # the system metrics' section (a key prefix never holds "/")


class PanelCell(TypedDict):
    """One panel of the grid: ``key`` of the part ``part`` (a name in ``_parts``), drawn by
    the view the page registers as ``view`` (the part's ``esm_name``)."""

    id: str  # unique in the panel: what ``arrangement`` names it by
    part: str
    view: str
    key: str


class PanelSection(TypedDict):
    """A section of cells: ``id`` the key prefix ("" for keys without one, ``SYSTEM_SECTION``)."""

    id: str
    title: str
    cells: list[PanelCell]


class Arrangement(TypedDict):
    """The viewer's layout choices: the ids of the collapsed sections, of the enlarged cell
    ("" when none is) and of the hidden cells."""

    collapsed: list[str]
    enlarged: str
    hidden: list[str]
