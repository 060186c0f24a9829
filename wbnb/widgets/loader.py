"""The built bundles, and the one hidden model that carries the charting code.

Every anywidget model carries its ``_esm`` as state and a saved notebook stores that
per model. The heavy part (vega, ``static/vega.js``, and vega-lite, ``static/vegalite.js``)
is therefore held by ONE ``VegaLoader`` per kernel, a model that is never displayed.
Chart widgets reference it in a trait (``widget_serialization``, so it is saved with
them) and ``js/lib/vega.ts`` imports its source once per page through a Blob URL,
cached on ``window`` by content hash. Ten charts cost one bundle, not ten. Its own tiny
module (``static/vegaloader.js``) starts that import as soon as the page has the model,
which a chart widget makes before it reads its runs' history: the page loads vega
while the kernel is still busy. Vega-Lite is imported only when a chart template is not
compiled already (the page and localStorage keep compiled ones).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import anywidget
from traitlets import Unicode

STATIC = Path(__file__).resolve().parent.parent / "static"


@cache
def bundle(name: str) -> str:
    """The text of ``wbnb/static/<name>.js``; a clear error when it was never built."""
    path = STATIC / f"{name}.js"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(
            f"wbnb's widget bundle {path} is missing: the front end was not built. Install wbnb from a "
            "wheel, or on a machine with node run `npm ci && npm run build` in the source tree "
            "(`pip install -e .` does this through hatch-jupyter-builder)."
        ) from None


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
