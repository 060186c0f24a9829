"""Checking a value against a declared type, as the server's pydantic does (strict, no
NaN): the types and ``annotated_types`` constraints ``runmeta.py`` declares run
metadata with, so the SDK refuses at the call what the server would refuse later.

What is read: ``Any``; ``None``; ``str``, ``int``, ``float`` (an ``int`` too, finite)
and ``bool``, none converted (``True`` is no number, ``"1"`` no int); unions;
``Literal``; ``list[X]`` and ``dict[K, V]`` (those classes only, as pydantic's strict
mode); ``TypedDict``s (the fields they declare; others are let through, as the server
keeps them); and ``Annotated`` with ``MinLen``, ``MaxLen``, ``Ge`` or ``Predicate``.
Anything else is a ``NotImplementedError``, so a new kind of declaration cannot go
unchecked here unnoticed.
"""

from __future__ import annotations

import math
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from annotated_types import Ge, MaxLen, MinLen, Predicate
from typing_extensions import is_typeddict

_CLASSES = {str: "a str", int: "an int", float: "a number", bool: "a bool", list: "a list", dict: "a dict"}


def check(where: str, value: Any, hint: Any) -> None:
    """Raise if ``value`` does not fit ``hint``: ``TypeError`` for the wrong kind of
    value, ``ValueError`` for a limit it breaks; each message starts with ``where``."""
    origin = get_origin(hint)
    if hint is Any:
        return
    if origin is Annotated:
        check(where, value, get_args(hint)[0])
        for rule in hint.__metadata__:
            _apply(where, value, rule)
    elif origin in (Union, types.UnionType):
        _one_of(where, value, get_args(hint))
    elif origin is Literal:
        if not any(type(value) is type(choice) and value == choice for choice in get_args(hint)):
            raise ValueError(f"{where} must be one of {', '.join(map(repr, get_args(hint)))}, got {value!r}")
    elif origin in (list, dict):
        _instance(where, value, origin)
        if origin is list:
            for i, item in enumerate(value):
                check(f"{where}[{i}]", item, get_args(hint)[0])
        else:
            for key, item in value.items():
                check(f"{where} key {key!r}", key, get_args(hint)[0])
                check(f"{where}[{key!r}]", item, get_args(hint)[1])
    elif is_typeddict(hint):
        _instance(where, value, dict)
        fields = get_type_hints(hint, include_extras=True)
        for key, item in value.items():
            if key in fields:
                check(f"{where}.{key}", item, fields[key])
    elif hint is type(None):
        if value is not None:
            raise TypeError(f"{where} must be None, got {_got(value)}")
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{where} must be a number, got {_got(value)}")
        if not math.isfinite(value):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
    elif hint in _CLASSES:
        _instance(where, value, hint)
    else:
        raise NotImplementedError(f"{where}: no check for values declared {hint!r}")


def _instance(where: str, value: Any, cls: type) -> None:
    if not isinstance(value, cls) or (isinstance(value, bool) and cls is int):
        raise TypeError(f"{where} must be {_CLASSES[cls]}, got {_got(value)}")


def _one_of(where: str, value: Any, arms: tuple[Any, ...]) -> None:
    """Fit one arm of a union; else the limit an arm of the right kind breaks, or the
    kinds the value may be."""
    broken: ValueError | None = None
    for arm in arms:
        try:
            check(where, value, arm)
            return
        except ValueError as e:
            broken = broken or e
        except TypeError:
            pass
    if broken is not None:
        raise broken
    raise TypeError(f"{where} must be {' or '.join(_kind(arm) for arm in arms)}, got {_got(value)}")


def _apply(where: str, value: Any, rule: Any) -> None:
    unit = "characters" if isinstance(value, str) else "items"
    if isinstance(rule, MaxLen):
        if len(value) > rule.max_length:
            raise ValueError(f"{where} is {len(value)} {unit} long; at most {rule.max_length} are allowed")
    elif isinstance(rule, MinLen):
        if len(value) < rule.min_length:
            raise ValueError(f"{where} is {len(value)} {unit} long; at least {rule.min_length} are needed")
    elif isinstance(rule, Ge):
        if not value >= rule.ge:
            raise ValueError(f"{where} is {value!r}; it must be at least {rule.ge}")
    elif isinstance(rule, Predicate):
        try:
            ok = rule.func(value)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        if not ok:
            raise ValueError(f"{where} is not valid: {value!r}")
    else:
        raise NotImplementedError(f"{where}: no check for the constraint {rule!r}")


def _kind(hint: Any) -> str:
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if hint is type(None):
        return "None"
    return _CLASSES.get(get_origin(hint) or hint, "a dict" if is_typeddict(hint) else repr(hint))


def _got(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
