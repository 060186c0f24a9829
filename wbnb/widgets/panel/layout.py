"""The run panel's sections: which cell goes where (the page only draws them).

Keys go into sections by ``prefix/`` in Curves' order (``curves/model.py``: the keys
without a prefix first, titled as Curves titles them, then by name), each key's cell
once per part that draws it; the system metrics come last, in their own section.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..curves.contract import UNSECTIONED
from ..curves.model import section_of, sort_keys
from .contract import SYSTEM_SECTION, PanelCell, PanelSection


def cell(part: str, view: str, key: str) -> PanelCell:
    """The cell of ``key`` drawn by ``part`` (its id: both, as the page names it)."""
    return {"id": f"{part}:{key}", "part": part, "view": view, "key": key}


def sections(cells: Iterable[PanelCell], system: Iterable[PanelCell] = ()) -> list[PanelSection]:
    """``cells`` in sections by their key's prefix, in Curves' order, then the ``system`` cells."""
    by_key: dict[str, list[PanelCell]] = {}
    for c in cells:
        by_key.setdefault(c["key"], []).append(c)
    out: list[PanelSection] = []
    for key in sort_keys(by_key):
        sid = section_of(key)
        if not out or out[-1]["id"] != sid:
            out.append({"id": sid, "title": sid or UNSECTIONED, "cells": []})
        out[-1]["cells"] += sorted(by_key[key], key=lambda c: c["part"])
    system_cells = sorted(system, key=lambda c: c["key"])
    if system_cells:
        out.append({"id": SYSTEM_SECTION, "title": "System", "cells": system_cells})
    return out
