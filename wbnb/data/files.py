"""What the media value types (Audio, Video, Html, Object3D) share: reading a file
they store as it is, and describing what they got.

No numpy here: ``Html`` uses it and must stay light.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any


def is_path(value: Any) -> bool:
    """True for a ``str`` or ``os.PathLike``: what the media types read as a file name."""
    return isinstance(value, (str, os.PathLike))


def positive_number(value: Any) -> float | None:
    """``value`` as a float when it is a positive finite number (numpy scalars too), else None."""
    if isinstance(value, (bool, str, bytes)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def describe(value: Any) -> str:
    """How an error names what it got: an array's dtype and shape, else the type."""
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return f"an array of dtype {value.dtype} and shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


def read_media_file(kind: str, path: str | os.PathLike[str], accepted: tuple[str, ...]) -> tuple[bytes, str]:
    """The bytes of a file that ``kind`` (``"Audio"``, ...) stores as it is, and its
    extension (the stored format), or a ValueError naming the file and what is accepted."""
    p = Path(path)
    ext = p.suffix.lower().lstrip(".")
    if ext not in accepted:
        raise ValueError(
            f"{kind} got the file {str(p)!r} with extension {ext!r}; accepted file types: {list(accepted)}"
        )
    if not p.is_file():
        raise ValueError(f"{kind} got the path {str(p)!r}, which is not an existing file")
    data = p.read_bytes()
    if not data:
        raise ValueError(f"{kind} got the file {str(p)!r}, which is empty")
    return data, ext
