"""The picture of a ``RunPanel``: its header's picture (``header/picture.py``) above the
pictures of its parts, stacked in the panel's order."""

from __future__ import annotations

from collections.abc import Sequence

from ..pictures.svg import Picture, stack


def panel_picture(header: Picture, parts: Sequence[Picture]) -> Picture:
    """The header, then each part's picture, one below the other."""
    return stack([header, *parts], gap=12)
