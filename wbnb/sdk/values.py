"""Turn what a user passes to ``log()`` into a flat row of storable values.

Nested dicts flatten to ``a/b`` keys. Plain numbers, bools, strings and None pass
through untouched (the hot path: one type lookup per value); everything else goes
through ``convert``, which knows numpy, torch, matplotlib, PIL and the wbnb value
types, and raises a ``TypeError`` / ``ValueError`` that names the key, the type it
got and what is accepted. numpy and the value types are imported only when seen, so
``import wbnb`` stays light.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from ..data.base import MediaSink, WBValue
from ..store.history import RESERVED

PLAIN = frozenset({float, int, bool, str, type(None)})

ACCEPTED = (
    "numbers, bools, strings, None, numpy scalars and arrays, torch tensors, "
    "wbnb.Image / Histogram / Table / plot.* / Audio / Video / Html / Plotly / Object3D, "
    "matplotlib figures (or the pyplot module: its current figure), plotly figures, PIL images, "
    "lists of these, or nested dicts of these"
)


def flatten(
    data: Mapping[str, Any], sink: MediaSink, prefix: str = "", out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Flatten and validate one ``log()`` payload into ``{"a/b": value}``."""
    if out is None:
        out = {}
    for key, value in data.items():
        if type(key) is not str:
            raise TypeError(f"wbnb.log: key {key!r} is a {type(key).__name__}; keys must be str")
        if prefix:
            key = prefix + key
        elif not key or key in RESERVED:
            raise ValueError(f"wbnb.log: key {key!r} is reserved or empty; pick another name")
        if type(value) in PLAIN:
            out[key] = value
        elif isinstance(value, Mapping):
            flatten(value, sink, key + "/", out)
        else:
            out[key] = convert(key, value, sink)
    return out


def plain_keys(keys: tuple[Any, ...]) -> bool:
    """True when every key may be stored as it is (a non-empty str, not reserved)."""
    return all(type(k) is str and k and k not in RESERVED for k in keys)


def convert(key: str, value: Any, sink: MediaSink) -> Any:
    """Convert one non-plain value to something storable, or raise naming ``key``."""
    try:
        return _convert(key, value, sink)
    except (TypeError, ValueError) as e:
        if str(e).startswith("wbnb.log:"):
            raise
        raise type(e)(f"wbnb.log: key {key!r}: {e}") from e


def storable(key: str, value: Any, sink: MediaSink) -> Any:
    """One value made storable, nested mappings kept nested (for ``summary[key] = ...``)."""
    if type(value) in PLAIN:
        return value
    if isinstance(value, Mapping):
        return {str(k): storable(f"{key}/{k}", v, sink) for k, v in value.items()}
    return convert(key, value, sink)


def _convert(key: str, value: Any, sink: MediaSink) -> Any:
    if isinstance(value, WBValue):
        return value.to_json(sink)
    if isinstance(value, (bool, int, float, str)):  # subclasses of the plain types
        return _plain(value)
    module = type(value).__module__.split(".")[0]
    if module in ("numpy", "torch"):
        if getattr(value, "ndim", 1) == 0 or module == "numpy" and not hasattr(value, "ndim"):
            return _plain(value.item())
        from ..data import Histogram

        return Histogram(value).to_json(sink)
    if module == "matplotlib" or module == "PIL" or getattr(value, "__name__", None) == "matplotlib.pyplot":
        from ..data import Image

        return Image(value).to_json(sink)
    if module == "plotly":
        from ..data import Plotly

        return Plotly(value).to_json(sink)
    if isinstance(value, (list, tuple)):
        return [v if type(v) in PLAIN else _convert(key, v, sink) for v in value]
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return _plain(float(value))
    raise TypeError(f"wbnb.log: key {key!r} has a value of type {type(value).__name__}; accepted: {ACCEPTED}")


def _plain(value: Any) -> Any:
    """Map subclasses (numpy.float64, IntEnum, ...) to the plain builtin type."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, complex):
        raise TypeError(f"complex numbers cannot be logged; accepted: {ACCEPTED}")
    return value
