"""The built front ends: ``wbnb/static/<name>.js``, one per ``js/<name>/`` (``js/build.mjs``
bundles them when the package is built; they are not committed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
