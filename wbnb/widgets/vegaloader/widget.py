"""``VegaLoader``: the one hidden model that carries the charting code.

Every anywidget model carries its ``_esm`` as state and a saved notebook stores that
per model. The heavy part (vega, ``static/vega.js``, and vega-lite, ``static/vegalite.js``)
is therefore held by ONE ``VegaLoader`` per kernel, a model that is never displayed.
Chart widgets reference it in a trait (``widget_serialization``, so it is saved with
them) and ``js/lib/vega.ts`` imports its source once per page through a Blob URL,
cached on ``window`` by content hash. Ten charts cost one bundle, not ten. Its front end
(``js/vegaloader/``: only anywidget's ``initialize``) starts that import as soon as the
page has the model, which a chart widget makes before it reads its runs' history: the
page loads vega while the kernel is still busy. Vega-Lite is imported only when a chart
template is not compiled already (the page and localStorage keep compiled ones).
"""

from __future__ import annotations

import hashlib

import anywidget
from traitlets import Unicode

from ..bundles import bundle


class VegaLoader(anywidget.AnyWidget):
    """Hidden model holding the shared vega bundle (see module doc). Use ``shared()``."""

    source = Unicode("").tag(sync=True)  # vega
    lite_source = Unicode("").tag(sync=True)  # vega-lite, imported only to compile a template
    version = Unicode("").tag(sync=True)  # content hash of both: the page's cache key

    _shared: VegaLoader | None = None

    @classmethod
    def shared(cls) -> VegaLoader:
        """The kernel's one loader (made on first use, remade if it was closed)."""
        inst = cls._shared
        # marimo closes the comms a cell made when that cell runs again, behind the widget:
        # the comm stays, marked closed (its `_closed`, as in the `comm` package's BaseComm).
        if inst is None or inst.comm is None or getattr(inst.comm, "_closed", False):
            if "_esm" not in cls.__dict__:
                cls._esm = bundle("vegaloader")
            src, lite = bundle("vega"), bundle("vegalite")
            version = hashlib.sha256(f"{src}\0{lite}".encode()).hexdigest()[:16]
            inst = cls._shared = cls(source=src, lite_source=lite, version=version)
        return inst
