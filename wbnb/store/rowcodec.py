"""The row log's records: a compact codec for metric rows, written and recognised.

A row is ``{key: value}`` at a step. Writing the key names in every record would make
decoding four times slower, so each distinct key tuple is declared once as a schema
record, the marshal *list* ``["S", schema_id, keys]``, and rows are marshal *tuples*
``(schema_id, step, timestamp, runtime, *values)``. The first payload byte
(``SCHEMA_MARK`` or ``ROW_MARK``) tells them apart without decoding, which lets a
sampler skip most rows.

Every reader (``rowread``, ``colread``, ``sampling``, ``fastdecode``) skips the same
damage: what ``wal.decode_frames`` skips, and records whose checksum holds but that are
no row (``is_row``) or schema (``declare``), such as a row of a schema never declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .wal import LogWriter, Reread, decode_frames, encode, frame_size

RESERVED = ("_step", "_timestamp", "_runtime")
SCHEMA_MARK = ord("[")  # the first byte of a schema record (a marshal list)
ROW_MARK = ord("(")  # the first byte of a row record (a marshal tuple)


class RowWriter:
    """Encodes rows for one log file; owns that file's schema table.

    Storage errors go to ``on_error`` instead of raising: the training loop that calls
    ``append`` must keep running when the disk fills up.
    """

    def __init__(
        self,
        log: LogWriter,
        known: Mapping[tuple[str, ...], int] | None = None,
        on_error: Callable[[OSError], None] | None = None,
    ) -> None:
        self.log = log
        self._schemas: dict[tuple[str, ...], int] = dict(known or {})
        # Past every id known: a declaration lost to damage must not have its id reused.
        self._next_id = max(self._schemas.values(), default=-1) + 1
        self._on_error = on_error

    def append(self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]) -> None:
        """Append one row durably; hot path of ``Run.log``, which already holds the key
        tuple (so it is not built twice) and passes ``row.values()``."""
        try:
            sid = self._schemas.get(keys)
            if sid is None:
                self.log.append(encode(["S", self._next_id, keys]))
                sid = self._schemas[keys] = self._next_id
                self._next_id += 1
            self.log.append(encode((sid, step, timestamp, runtime, *values)))
        except (OSError, ValueError) as e:  # ValueError: the map is closed (run finished)
            if self._on_error is None:
                raise
            self._on_error(e if isinstance(e, OSError) else OSError(str(e)))


def is_row(rec: Any, keys_of: Callable[[Any], tuple[str, ...] | None]) -> bool:
    """Whether ``rec`` is a row record ``(schema_id, step, timestamp, runtime, *values)``
    of a schema declared before it (``keys_of``: ``get`` of the schemas so far)."""
    try:
        return type(rec) is tuple and len(rec) == len(keys_of(rec[0])) + 4 and type(rec[1]) is int  # type: ignore[arg-type]
    except (TypeError, IndexError):  # no such schema (len(None)), an unhashable id, ()
        return False


def declare(rec: Any, schemas: dict[int, tuple[str, ...]]) -> bool:
    """Note a schema record ``["S", schema_id, keys]``; False when ``rec`` is none, or
    declares a known id as other keys (a writer never does)."""
    return (
        type(rec) is list
        and len(rec) == 3
        and rec[0] == "S"
        and type(rec[1]) is int
        and type(rec[2]) is tuple
        and all(type(k) is str for k in rec[2])
        and schemas.setdefault(rec[1], rec[2]) == rec[2]
    )


@dataclass
class Rows:
    """The row records of a stretch of log (``raw``: as written, or as ``read_rows``
    returns them), where each one's frame starts, where a reader goes on, and what was
    skipped as damage."""

    raw: list[tuple]
    at: list[int]
    end: int
    damaged: list[tuple[int, int]]


def parse_rows(data: bytes, schemas: dict[int, tuple[str, ...]], reread: Reread | None, resolve: bool = False) -> Rows:
    """Decode a stretch of row log; ``schemas`` (those declared before it) gets its
    declarations. Records that are neither a row nor a schema are damage. ``resolve``:
    rows as ``(keys, step, timestamp, runtime, values)``, not as written."""
    frames = decode_frames(data, reread)
    raw: list[tuple] = []
    at: list[int] = []
    damaged = frames.damaged
    keep, note, keys_of = raw.append, at.append, schemas.get
    for rec, pos in zip(frames.records, frames.offsets):
        if is_row(rec, keys_of):
            keep((keys_of(rec[0]), rec[1], rec[2], rec[3], rec[4:]) if resolve else rec)
            note(pos)
        elif not declare(rec, schemas):
            damaged.append((pos, frame_size(data, pos)))
    return Rows(raw, at, frames.end, sorted(damaged))
