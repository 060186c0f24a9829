"""Mongo-style filters and ordering over run documents, as ``Api().runs()`` takes them.

    matches(run_document(meta), {"$and": [{"config.lr": {"$lt": 0.01}},
                                          {"summary_metrics.val/acc": {"$gte": 0.9}},
                                          {"tags": "baseline"}]})
    sort_runs(docs, "-summary_metrics.val/acc,+config.lr")

Paths are dotted; a key that itself contains ``.`` is found by trying the longest
prefix first, and metric names with ``/`` need nothing special. A field set to
``None`` counts as missing. Comparisons between values that cannot be compared
(a number and a string, anything and a missing field) are false, never an error.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .runmeta import RunMeta

T = TypeVar("T")
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}
_LOGICAL = ("$and", "$or", "$nor", "$not")
_FIELD_OPS = ("$eq", "$ne", *_COMPARE, "$in", "$nin", "$exists", "$regex", "$options", "$not")
KNOWN_OPERATORS = tuple(dict.fromkeys((*_LOGICAL, *_FIELD_OPS)))


def iso_time(timestamp: float | None) -> str | None:
    """Seconds since the epoch as wandb writes times: ``2024-05-01T12:00:00`` (UTC)."""
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class Time(str):
    """A run's time as filters see it: wandb's ISO text (``"2024-05-01T12:00:00"``) that
    also compares with seconds since the epoch, datetimes and ISO strings of any
    precision (``"2024-05-01"``) as the moment they name. Naive times are UTC, as
    wandb's are."""

    seconds: float

    def __new__(cls, seconds: float) -> Time:
        self = super().__new__(cls, iso_time(seconds))
        self.seconds = float(seconds)
        return self


def _moment(value: Any) -> float | None:
    """Seconds since the epoch of a number, datetime or ISO string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    return None


def run_runtime(meta: RunMeta) -> float | None:
    """Seconds the run took; for one still going (or killed before finishing), so far."""
    if meta.get("runtime") is not None:
        return float(meta["runtime"])
    start = meta.get("created_at")
    if start is None:
        return None
    end = time.time() if meta.get("state") == "running" else meta.get("ended_at") or start
    return max(0.0, float(end) - float(start))


def run_document(meta: RunMeta) -> dict[str, Any]:
    """The document filters and ordering see for one run's metadata.

    ``created_at`` and ``createdAt`` are a ``Time``: wandb's ISO string, so
    ``{"created_at": {"$gt": "2024-05-01"}}`` works as it does there, which compares
    with seconds since the epoch and datetimes too. ``sweep`` is the run's sweep id.
    """
    summary = meta.get("summary") or {}
    created = meta.get("created_at")
    created_at = Time(created) if isinstance(created, (int, float)) and not isinstance(created, bool) else None
    return {
        "id": meta.get("id"),
        "name": meta.get("name"),
        "display_name": meta.get("name"),
        "project": meta.get("project"),
        "entity": meta.get("entity"),
        "state": meta.get("state"),
        "tags": list(meta.get("tags") or ()),
        "group": meta.get("group"),
        "job_type": meta.get("job_type"),
        "jobType": meta.get("job_type"),
        "notes": meta.get("notes"),
        "sweep": meta.get("sweep_id"),  # wandb's name: {"sweep": sweep_id} selects a sweep's runs
        "config": meta.get("config") or {},
        "summary_metrics": summary,
        "summary": summary,
        "created_at": created_at,
        "createdAt": created_at,
        "runtime": run_runtime(meta),
    }


def lookup(doc: Any, path: str) -> Any:
    """The value at a dotted ``path`` in ``doc``, or ``MISSING``.

    ``config.lr.value`` (how wandb addresses config) finds a plain ``config.lr`` too.
    """
    parts = path.split(".")
    value = _walk(doc, parts)
    if value is MISSING and len(parts) > 1 and parts[-1] == "value":
        value = _walk(doc, parts[:-1])
    return value


def _walk(node: Any, parts: list[str]) -> Any:
    if not parts:
        return MISSING if node is None else node
    if not isinstance(node, Mapping):
        return MISSING
    for i in range(len(parts), 0, -1):  # longest key first: keys may contain "."
        key = ".".join(parts[:i])
        if key in node:
            found = _walk(node[key], parts[i:])
            if found is not MISSING:
                return found
    return MISSING


def matches(doc: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    """Whether ``doc`` satisfies a mongo-style ``filters`` document (None matches all).

    Raises ``ValueError`` for an unknown operator or a malformed filter.
    """
    if not filters:
        return True
    if not isinstance(filters, Mapping):
        raise ValueError(f"a filter must be a dict, got {type(filters).__name__}: {filters!r}")
    return all(_clause(doc, key, cond) for key, cond in filters.items())


def _clause(doc: Mapping[str, Any], key: str, cond: Any) -> bool:
    if key in ("$and", "$or", "$nor"):
        if not isinstance(cond, (list, tuple)):
            raise ValueError(f"{key} takes a list of filters, got {cond!r}")
        results = (matches(doc, sub) for sub in cond)
        if key == "$and":
            return all(results)
        return any(results) if key == "$or" else not any(results)
    if key == "$not":
        return not matches(doc, cond)
    if key.startswith("$"):
        raise _unknown(key)
    return _field(lookup(doc, key), cond)


def _field(value: Any, cond: Any) -> bool:
    """Whether a field's value satisfies ``cond``: an operator dict or a value to equal."""
    if not (isinstance(cond, Mapping) and any(str(k).startswith("$") for k in cond)):
        return _equals(value, cond)
    for op, arg in cond.items():
        if op == "$options":
            if "$regex" not in cond:
                raise ValueError("$options is only valid next to $regex")
        elif op == "$regex":
            if not _regex(value, arg, cond.get("$options", "")):
                return False
        elif not _operator(op, value, arg):
            return False
    return True


def _operator(op: str, value: Any, arg: Any) -> bool:
    if op == "$eq":
        return _equals(value, arg)
    if op == "$ne":
        return not _equals(value, arg)
    if op in _COMPARE:
        return any(_compare(op, v, arg) for v in _candidates(value))
    if op in ("$in", "$nin"):
        if not isinstance(arg, (list, tuple, set)):
            raise ValueError(f"{op} takes a list, got {arg!r}")
        found = any(_equals(value, a) for a in arg)
        return found if op == "$in" else not found
    if op == "$exists":
        return (value is not MISSING) == bool(arg)
    if op == "$not":
        if isinstance(arg, (str, re.Pattern)):
            return not _regex(value, arg, "")
        return not _field(value, arg)
    raise _unknown(op)


def _candidates(value: Any) -> list[Any]:
    """What an operator is tried against: each element of a list (mongo's array rule)."""
    if value is MISSING:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _equals(value: Any, target: Any) -> bool:
    if target is None:
        return value is MISSING
    if value is MISSING:
        return False
    if isinstance(value, (list, tuple)) and not isinstance(target, (list, tuple)):
        return any(_same(v, target) for v in value)
    return _same(value, target)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Time):
        return a.seconds == _moment(b)
    # True == 1 in Python, but a flag and a count are not the same value in a filter.
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, Time):
        moment = _moment(b)
        return moment is not None and _COMPARE[op](a.seconds, moment)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    try:
        return bool(_COMPARE[op](a, b))
    except TypeError:
        return False


def _regex(value: Any, pattern: Any, options: str) -> bool:
    flags = 0
    for letter in str(options):
        flag = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(letter)
        if flag is None:
            raise ValueError(f"$options: unknown flag {letter!r}; known: i, m, s, x")
        flags |= flag
    try:
        compiled = re.compile(pattern, flags) if not isinstance(pattern, re.Pattern) else pattern
    except (re.error, TypeError) as e:
        raise ValueError(f"$regex {pattern!r} is not a valid regular expression: {e}") from None
    return any(isinstance(v, str) and compiled.search(v) is not None for v in _candidates(value))


def _unknown(op: str) -> ValueError:
    return ValueError(f"unknown filter operator {op!r}; known operators: {', '.join(KNOWN_OPERATORS)}")


def sort_runs(items: list[T], order: str | None, key: Callable[[T], Mapping[str, Any]] | None = None) -> list[T]:
    """Sort run documents (or anything ``key`` maps to one) by ``order``.

    ``order`` is one or more comma-separated paths, each optionally prefixed ``-``
    (descending) or ``+`` (ascending): ``"-summary_metrics.val_acc,+config.lr"``.
    Runs missing a value (or with NaN) come last whichever the direction; ties keep
    their order.
    """
    doc_of = key or (lambda item: item)  # type: ignore[assignment,return-value]
    out = list(items)
    fields = [f.strip() for f in (order or "").split(",") if f.strip()]
    for spec in reversed(fields):  # stable sorts, least significant key first
        descending = spec.startswith("-")
        path = spec.lstrip("+-").strip()
        values = [(_sort_key(lookup(doc_of(item), path)), item) for item in out]
        present = [(k, item) for k, item in values if k is not None]
        present.sort(key=lambda pair: pair[0], reverse=descending)
        out = [item for _, item in present] + [item for k, item in values if k is None]
    return out


def _sort_key(value: Any) -> tuple[int, Any] | None:
    """Numbers before strings before anything else, so mixed columns never raise."""
    if value is MISSING:
        return None
    if isinstance(value, Time):
        return (0, value.seconds)
    if isinstance(value, (int, float)):
        return None if math.isnan(value) else (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, repr(value))
