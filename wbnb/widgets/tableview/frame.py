"""The table a TableView shows (``Frame``): each run's logged ``Table`` at its resolved
step, read back from the store, one run's as it is, several runs' stacked under a run
column or joined on a column; and its columns as the page's binary buffers.

Several runs, two ways (the one rule both the page and ``TableView.df`` get):

- stacked (no ``join``): a first column ``run`` (the run's name), then the union of the
  runs' columns in first-seen order; a run lacking a column has None there;
- joined (``join="id"``): one row per value of the join column (in first-seen order, an
  outer join: a run without that value has None in its columns), then each run's other
  columns named ``"<column> (<run name>)"``. A run whose table lacks the join column adds
  no columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ...data.table import Table
from ..runs import RunRef
from .contract import RUN_COLUMN, Cell, ColumnInfo, ColumnKind, Preview
from .model import TableSteps
from .textorder import text_column

EXACT_INT = 2**53  # the largest int a float64 holds exactly (with all below it)
ERROR_COLUMN = "error"  # the one column of a table that cannot be read (``unreadable``)
PREVIEW_CHARS = 80  # a text cell in the preview is cut to this: a saved 50 × 20 preview stays under ~80 kB


@dataclass
class Frame:
    """A table as shown: ``cells[c][r]`` is column ``c``'s value in row ``r``; ``owner[c]``
    (a run number, or None: per row, ``row_run``) says whose store a media cell is in."""

    version: str
    columns: list[str]
    cells: list[list[Any]]
    owner: list[int | None]
    row_run: list[int] = field(default_factory=list)
    complete: bool = True  # False: a run's table could not be read (shown as an error cell; read again when asked)

    @property
    def nrows(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    @cached_property
    def kinds(self) -> list[ColumnKind]:
        """What each column holds (``kind_of``)."""
        return [kind_of(values) for values in self.cells]

    @cached_property
    def encoded(self) -> tuple[list[ColumnInfo], list[bytes]]:
        """The columns as the page's buffers (``encode``), made once: a view mounted again asks again."""
        return encode(self)

    def run_of(self, row: int, col: int) -> int:
        """The run whose store holds the media of cell (``row``, ``col``)."""
        owner = self.owner[col]
        return self.row_run[row] if owner is None else owner


def version_of(steps: list[int | None]) -> str:
    """The name of the table made of each run's table at ``steps`` ("-": none)."""
    return ",".join("-" if s is None else str(s) for s in steps)


def steps_of(version: str, runs: int) -> list[int | None] | None:
    """``version_of``'s inverse (None when malformed: it comes from the page)."""
    parts = version.split(",")
    if len(parts) != runs:
        return None
    try:
        return [None if p == "-" else int(p) for p in parts]
    except ValueError:
        return None


def read_table(ref: RunRef, record: dict[str, Any]) -> Table | None:
    """A logged table read back from its run's store (media cells come back as records);
    None when it cannot be read: its file not on the store (yet: a server may not have
    it) or not a table (any client may log any record)."""
    try:
        return Table.from_record(record, ref.store.media)
    except Exception:
        return None


def unreadable(ref: RunRef, record: dict[str, Any]) -> Table:
    """What a table that cannot be read shows: one ``ERROR_COLUMN`` cell saying so."""
    try:
        ref.store.media_size(record.get("path"))  # type: ignore[arg-type]
        why = "not a table"
    except (KeyError, FileNotFoundError):  # (KeyError: a server's 404)
        why = "not available yet"
    except ValueError:
        why = "its path names no media file"
    except Exception as err:
        why = f"the store answered {type(err).__name__}"
    table = Table(columns=[ERROR_COLUMN])
    table.data = [[f"the table logged by {ref.name} cannot be read: {why}"]]
    return table


def build(model: TableSteps, steps: list[int | None], join: str | None, names: list[str]) -> Frame:
    """The table shown when each run shows its table at ``steps`` (see module doc)."""
    tables: list[tuple[int, Table]] = []
    complete = True
    for run, step in enumerate(steps):
        rec = None if step is None else model.record(run, step)
        if rec is not None:
            table = read_table(model.runs[run], rec)
            if table is None:
                complete, table = False, unreadable(model.runs[run], rec)
            tables.append((run, table))
    version = version_of(steps)
    if len(model.runs) == 1:
        if not tables:
            return Frame(version, [], [], [])
        t = tables[0][1]
        cols = [list(c) for c in zip(*t.data, strict=True)] if t.data else [[] for _ in t.columns]
        owner: list[int | None] = [0] * len(t.columns)
        frame = Frame(version, list(t.columns), cols, owner)
    else:
        frame = _joined(version, tables, join, names) if join else _stacked(version, tables, names)
    frame.complete = complete
    return frame


def _stacked(version: str, tables: list[tuple[int, Table]], names: list[str]) -> Frame:
    columns: list[str] = [RUN_COLUMN]
    for _run, t in tables:
        columns += [c for c in t.columns if c not in columns]
    cells: list[list[Any]] = [[] for _ in columns]
    row_run: list[int] = []
    for run, t in tables:
        at = {c: i for i, c in enumerate(t.columns)}
        n = len(t.data)
        cells[0] += [names[run]] * n
        row_run += [run] * n
        for j, c in enumerate(columns[1:], start=1):
            i = at.get(c)
            cells[j] += [None] * n if i is None else [row[i] for row in t.data]
    return Frame(version, columns, cells, [None] * len(columns), row_run)


def _joined(version: str, tables: list[tuple[int, Table]], join: str, names: list[str]) -> Frame:
    keys: dict[Any, int] = {}  # join value (as JSON text, so any cell can be one) -> row
    values: list[Any] = []
    placed: list[tuple[int, Table, list[int]]] = []
    for run, t in tables:
        if join not in t.columns:
            continue
        j = t.columns.index(join)
        rows = []
        for row in t.data:
            k = json.dumps(row[j], sort_keys=True)
            if k not in keys:
                keys[k] = len(values)
                values.append(row[j])
            rows.append(keys[k])
        placed.append((run, t, rows))
    columns, cells = [join], [values]
    owner: list[int | None] = [placed[0][0] if placed else 0]
    for run, t, rows in placed:
        for i, c in enumerate(t.columns):
            if c == join:
                continue
            col: list[Any] = [None] * len(values)
            for r, row in zip(rows, t.data, strict=True):
                col[r] = row[i]
            columns.append(f"{c} ({names[run]})")
            cells.append(col)
            owner.append(run)
    return Frame(version, columns, cells, owner)


def run_names(runs: list[RunRef]) -> list[str]:
    """Each run's name as its rows and columns say it (its id added where names repeat)."""
    names = [r.name for r in runs]
    return [f"{n} [{r.id}]" if names.count(n) > 1 else n for n, r in zip(names, runs, strict=True)]


# -- the page's buffers ---------------------------------------------------------------


def _is_media(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get("_type"), str)


def kind_of(values: list[Any]) -> ColumnKind:
    """What a column holds (see ``ColumnKind``): None fits any kind; a column of nothing
    but None is text, and so is one of numbers with an int past ``EXACT_INT``."""
    types = set(map(type, values)) - {type(None)}
    if not types:
        return "text"
    if types == {bool}:
        return "bool"
    if types <= {int, float}:
        # float64 (the page's numbers) keeps ints exact only to 2**53: past it an id would show wrong digits
        exact = types == {float} or all(type(v) is float or abs(v) <= EXACT_INT for v in values if v is not None)
        return "number" if exact else "text"
    if types == {dict} and all(_is_media(v) for v in values if v is not None):
        return "media"
    return "text"


def text_of(v: Any) -> str:
    """A cell of a text or media column as text: a media record's type, strings as they
    are, anything else (numbers in a mixed column, lists, dicts) as JSON."""
    if _is_media(v):
        return str(v["_type"])
    return v if isinstance(v, str) else json.dumps(v, default=str)


def texts_of(values: list[Any]) -> list[str | None]:
    """A text or media column's cells as text (``text_of``), None where missing."""
    if set(map(type, values)) <= {str, type(None)}:
        return values
    return [None if v is None else text_of(v) for v in values]


def encode(frame: Frame) -> tuple[list[ColumnInfo], list[bytes]]:
    """Every column of ``frame`` as ``ColumnInfo`` and its buffers (``contract.ColumnInfo``):
    numbers as float64, text as a dictionary ranked in natural order (``textorder``)."""
    infos: list[ColumnInfo] = []
    buffers: list[bytes] = []
    for name, kind, values in zip(frame.columns, frame.kinds, frame.cells, strict=True):
        infos.append({"name": name, "kind": kind, "buf": len(buffers)})
        if kind in ("number", "bool"):
            buffers.append(np.array(values, dtype=np.float64).tobytes())  # None -> NaN
            continue
        col = text_column(texts_of(values))
        # offsets in UTF-16 code units: the page decodes the blob once and slices it
        blob = "".join(col.values)
        lens = (
            map(len, col.values) if blob.isascii() else (len(s.encode("utf-16-le", "replace")) // 2 for s in col.values)
        )
        offsets = np.zeros(len(col.values) + 1, dtype=np.uint32)
        np.cumsum(np.fromiter(lens, dtype=np.uint32, count=len(col.values)), out=offsets[1:])
        buffers += [blob.encode("utf-8", "replace"), offsets.tobytes()]
        buffers += [col.codes.tobytes(), col.ranks.tobytes()]
    return infos, buffers


def preview_cell(kind: ColumnKind, v: Any) -> Cell:
    """A cell as the snapshot's preview carries it (the page formats it as it formats a
    column's value)."""
    if v is None:
        return None
    if kind == "media":
        return {"media": text_of(v)}
    if kind in ("number", "bool"):
        return float(v) if kind == "number" else bool(v)
    s = text_of(v)
    return s if len(s) <= PREVIEW_CHARS else s[: PREVIEW_CHARS - 1] + "…"


def preview(frame: Frame, step: int, rows: int) -> Preview:
    """The snapshot's preview of ``frame``: its shape and first ``rows`` rows."""
    kinds = frame.kinds
    infos: list[ColumnInfo] = [{"name": n, "kind": k, "buf": -1} for n, k in zip(frame.columns, kinds, strict=True)]
    n = min(rows, frame.nrows)
    body = [[preview_cell(k, values[r]) for k, values in zip(kinds, frame.cells, strict=True)] for r in range(n)]
    ranks = [
        [] if k in ("number", "bool") else text_column(texts_of(values[:n])).row_ranks()
        for k, values in zip(kinds, frame.cells, strict=True)
    ]
    return {
        "step": step,
        "version": frame.version,
        "nrows": frame.nrows,
        "columns": infos,
        "rows": body,
        "ranks": ranks,
    }


def dataframe(frame: Frame) -> Any:
    """``frame`` as a pandas DataFrame (media cells as their records)."""
    import pandas as pd

    return pd.DataFrame(dict(zip(frame.columns, frame.cells, strict=True)), columns=frame.columns)
