"""Turn what a user passes to ``log()`` into a flat row of storable values.

Nested dicts flatten to ``a/b`` keys. Plain numbers, bools, strings and None pass
through untouched (the hot path: one type lookup per value); everything else goes
through ``convert``, which knows numpy, torch, datetimes, matplotlib, PIL and the wbnb
value types, and raises a ``TypeError`` / ``ValueError`` that names the key, the type
it got and what is accepted. What comes out follows ``store/rows.py``, the rules the
store and the server share: a value this module accepts is stored as it returns it,
and one it cannot make storable is refused here, never later by the disk or a server.
numpy and the value types are imported only when seen, so ``import wbnb`` stays light.
"""

from __future__ import annotations

import datetime
import numbers
from collections.abc import Mapping
from typing import Any

from ..data.base import MediaSink, WBValue
from ..store.rows import INT64_MAX, INT64_MIN, MAX_DEPTH, key_problem, value_problem

PLAIN = frozenset({float, int, bool, str, type(None)})
SCALARS = PLAIN - {int}  # plain and stored as they are; an int is checked to fit 64 bits


def plain_values(values: Any) -> bool:
    """Whether every value is stored as it is: plain types, ints within 64 bits.
    ``Run.log`` tries ``SCALARS`` inline first; this is its path for rows with ints."""
    return PLAIN.issuperset(map(type, values)) and all(INT64_MIN <= v <= INT64_MAX for v in values if type(v) is int)


ACCEPTED = (
    "numbers, bools, strings, None, datetimes, numpy scalars and arrays, torch tensors, "
    "wbnb.Image / Histogram / Table / plot.* / Audio / Video / Html / Plotly / Object3D, "
    "matplotlib figures (or the pyplot module: its current figure), plotly figures, PIL images, "
    "lists of these, or nested dicts of these"
)


def flatten(data: Mapping[str, Any], sink: MediaSink) -> dict[str, Any]:
    """Flatten and validate one ``log()`` payload into ``{"a/b": value}``."""
    out: dict[str, Any] = {}
    _flatten(data, sink, "", out, [])
    return out


def _flatten(data: Mapping[str, Any], sink: MediaSink, prefix: str, out: dict[str, Any], above: list[int]) -> None:
    """``flatten`` below ``prefix``; ``above`` holds the ids of the dicts enclosing ``data``."""
    for name, value in data.items():
        if type(name) is not str:
            where = f" in {prefix[:-1]!r}" if prefix else ""
            raise TypeError(f"wbnb.log: key {name!r}{where} is a {type(name).__name__}; keys must be str")
        key = prefix + name
        if not name and prefix:
            raise ValueError(
                f"wbnb.log: key {key!r}: the dict under {prefix[:-1]!r} has an empty key; keys must be non-empty"
            )
        if problem := key_problem(key):
            raise ValueError(f"wbnb.log: key {key!r} {problem}")
        if key in out:
            raise ValueError(
                f"wbnb.log: key {key!r} is given twice in one call (a flat 'a/b' and a nested "
                "{'a': {'b': ...}} name the same key); keep one"
            )
        kind = type(value)
        if kind in PLAIN:
            out[key] = value if kind is not int else _int(key, value)
        elif isinstance(value, Mapping):
            if id(value) in above:
                raise ValueError(f"wbnb.log: key {key!r} is a dict that contains itself; a logged dict must be a tree")
            if len(above) >= MAX_DEPTH:
                raise ValueError(f"wbnb.log: key {key!r} nests dicts deeper than {MAX_DEPTH} levels; log fewer levels")
            above.append(id(value))
            _flatten(value, sink, key + "/", out, above)
            above.pop()
        else:
            out[key] = convert(key, value, sink)


def plain_keys(keys: tuple[Any, ...]) -> bool:
    """True when every key may be stored as it is (``store/rows.py``: a non-empty str,
    not reserved); ``Run.log`` asks once per key tuple and remembers the answer."""
    return all(key_problem(k) is None for k in keys)


def convert(key: str, value: Any, sink: MediaSink) -> Any:
    """Convert one non-plain value to something storable, or raise naming ``key``."""
    try:
        out = _convert(key, value, sink, 0)
    except (TypeError, ValueError) as e:
        if str(e).startswith("wbnb.log:"):
            raise
        raise type(e)(f"wbnb.log: key {key!r}: {e}") from e
    if type(out) not in PLAIN and (problem := value_problem(out)):  # e.g. a WBValue subclass's record
        raise TypeError(f"wbnb.log: key {key!r}: {type(value).__name__} made a value that {problem}")
    return out


def storable(key: str, value: Any, sink: MediaSink, above: tuple[int, ...] = ()) -> Any:
    """One value made storable, nested mappings kept nested (for ``summary[key] = ...``);
    ``above`` holds the ids of the dicts enclosing ``value``."""
    kind = type(value)
    if kind in PLAIN:
        return value if kind is not int else _int(key, value)
    if isinstance(value, Mapping):
        if id(value) in above:
            raise ValueError(f"wbnb: key {key!r} is a dict that contains itself; a stored dict must be a tree")
        if len(above) >= MAX_DEPTH:
            raise ValueError(f"wbnb: key {key!r} nests dicts deeper than {MAX_DEPTH} levels")
        return {str(k): storable(f"{key}/{k}", v, sink, (*above, id(value))) for k, v in value.items()}
    return convert(key, value, sink)


def _convert(key: str, value: Any, sink: MediaSink, depth: int) -> Any:
    if isinstance(value, WBValue):
        return value.to_json(sink)
    if value is None or isinstance(value, (bool, int, float, str)):  # subclasses of the plain types
        return _plain(key, value)
    module = type(value).__module__.split(".")[0]
    if module == "numpy" and hasattr(value, "dtype"):
        if value.ndim:
            return _histogram(value, sink)
        import numpy as np

        if isinstance(value, np.ndarray):
            value = value[()]  # a numpy scalar, or the object a 0-d object array holds
        return _numpy_scalar(key, value) if isinstance(value, np.generic) else _convert(key, value, sink, depth + 1)
    if module == "torch" and hasattr(value, "ndim"):
        return _plain(key, value.item()) if value.ndim == 0 else _histogram(value, sink)
    if module == "matplotlib" or module == "PIL" or getattr(value, "__name__", None) == "matplotlib.pyplot":
        from ..data import Image

        return Image(value).to_json(sink)
    if module == "plotly":
        from ..data import Plotly

        return Plotly(value).to_json(sink)
    if isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            raise ValueError(f"nests lists deeper than {MAX_DEPTH} levels (or contains itself)")
        return [v if type(v) in SCALARS else _convert(key, v, sink, depth + 1) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):  # datetime too: ISO 8601 text, as wandb stores them
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, numbers.Number) and not isinstance(value, complex):  # Decimal, Fraction
        return float(value)  # type: ignore[arg-type]
    raise TypeError(f"wbnb.log: key {key!r} has a value of type {type(value).__name__}; accepted: {ACCEPTED}")


def _histogram(value: Any, sink: MediaSink) -> Any:
    from ..data import Histogram

    return Histogram(value).to_json(sink)


def _numpy_scalar(key: str, value: Any) -> Any:
    """A numpy scalar of any dtype as a plain value: numbers of every width (longdouble
    and float16 too) become int / float, datetime64 ISO 8601 text (NaT: None),
    timedelta64 seconds; bytes, complex and structured scalars are refused."""
    kind = value.dtype.kind
    if kind == "b":
        return bool(value)
    if kind in "iu":
        return _int(key, int(value))
    if kind == "f":
        return float(value)
    if kind == "U":
        return str(value)
    import numpy as np

    if kind == "M":
        return None if np.isnat(value) else str(np.datetime_as_string(value))
    if kind == "m":
        return float(value / np.timedelta64(1, "s"))  # NaT: NaN
    what = {"c": "complex numbers", "S": "bytes (decode them to str)"}.get(kind, "structured or raw values")
    raise TypeError(f"numpy {value.dtype} scalars cannot be logged ({what}); accepted: {ACCEPTED}")


def _plain(key: str, value: Any) -> Any:
    """Map subclasses (numpy.float64, IntEnum, ...) to the plain builtin type."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _int(key, int(value))
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, complex):
        raise TypeError(f"complex numbers cannot be logged; accepted: {ACCEPTED}")
    return value


def _int(key: str, value: int) -> int:
    """An int, if it fits the 64 bits every store keeps."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    raise ValueError(f"wbnb.log: key {key!r}: {value} does not fit in 64 bits; log it as a float or a str")
