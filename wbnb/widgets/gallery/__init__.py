"""The Gallery: the images runs logged, by key, through the steps, runs side by side.

    from wbnb.widgets import Gallery
    Gallery(run)                                  # every image key; slider over steps
    Gallery(["demo/a", "demo/b"], keys="samples", columns=6, size=200)

The slice: ``contract.py`` (the wire shapes and the layout's, written as
``js/gallery/contract.ts``), ``model.py`` (``ImageIndex``: the live step index and the
answers to the page's requests for images), ``layout.py`` (what a page shows, the same
rule as ``js/gallery/layout.ts``), ``widget.py`` (``Gallery``), ``picture.py`` (the
static picture). The front end is ``js/gallery/``.
"""

from .model import ImageIndex
from .widget import Gallery

__all__ = ["Gallery", "ImageIndex"]
