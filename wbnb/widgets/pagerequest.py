"""What a page sends, read against its contract before a component looks at it.

A page's request (``{"type": "fetch", ...}``) is JSON from the browser: any shape may come.
``read_request(FetchChart, content)`` gives the request as its contract ``TypedDict``
declares it, or None when it is not one, and never raises. The contract's field types
are read with ``typing.get_type_hints``; a request may use ``int`` (a bool is not one),
``bool``, ``str``, ``Literal[...]``, ``list[X]`` (the items that are not an ``X`` left
out, as the other items still deserve an answer) and ``TypedDict`` fields, and
``NotRequired`` ones (absent or null: left out); a contract with any other field type is
refused when first read (``TypeError``), so a test of the component finds it.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import typing_extensions as tx

T = TypeVar("T")
_NOT = object()  # what a reader returns for a value that is not of its type
_Reader = Callable[[Any], Any]


def read_request(shape: Callable[..., T], value: object) -> T | None:
    """``value`` as the ``TypedDict`` ``shape`` declares it (extra keys dropped), or None
    when it is not one (a missing field, a field of the wrong type)."""
    out = _reader(shape)(value)
    return None if out is _NOT else typing.cast(T, out)


@functools.cache
def _reader(tp: Any) -> _Reader:
    """How to read a value of type ``tp`` (made once per type)."""
    if tp is int:
        return lambda v: v if type(v) is int else _NOT
    if tp is bool or tp is str:
        return lambda v: v if type(v) is tp else _NOT
    origin, args = tx.get_origin(tp), tx.get_args(tp)
    if origin is typing.Literal:
        return lambda v: v if any(type(v) is type(a) and v == a for a in args) else _NOT
    if origin is list:
        return functools.partial(_read_list, _reader(args[0]))
    if isinstance(tp, type) and tx.is_typeddict(tp):
        return functools.partial(_read_dict, _fields(tp))
    raise TypeError(f"a page's request cannot hold a {tp!r}: use int, bool, str, Literal, list or a TypedDict")


def _fields(td: type) -> tuple[tuple[str, _Reader, bool], ...]:
    """``(name, reader, required)`` of each field of ``td``."""
    fields = []
    for name, tp in tx.get_type_hints(td, include_extras=True).items():
        origin = tx.get_origin(tp)
        if origin is tx.NotRequired or origin is tx.Required:
            fields.append((name, _reader(tx.get_args(tp)[0]), origin is tx.Required))
        else:
            fields.append((name, _reader(tp), name in td.__required_keys__))  # type: ignore[attr-defined]
    return tuple(fields)


def _read_list(item: _Reader, value: Any) -> Any:
    if type(value) is not list:
        return _NOT
    return [v for v in map(item, value) if v is not _NOT]


def _read_dict(fields: tuple[tuple[str, _Reader, bool], ...], value: Any) -> Any:
    if not isinstance(value, dict):
        return _NOT
    out = {}
    for name, read, required in fields:
        if value.get(name) is None:
            if required:
                return _NOT
            continue
        v = read(value[name])
        if v is _NOT:
            return _NOT
        out[name] = v
    return out
