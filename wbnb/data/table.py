"""``Table``: rows of cells (scalars, strings, wbnb values), stored as one JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.image import to_plain

# wandb's legacy default for a table made with neither columns nor data.
_DEFAULT_COLUMNS = ["Input", "Output", "Expected"]


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "itertuples")


LOG_MODES = ("IMMUTABLE", "MUTABLE", "INCREMENTAL")  # wandb's Table(log_mode=)


class TableIndex(int):
    """A row's index in a table, as wandb's ``_TableIndex``: an ``int`` (it indexes lists and
    arrays) that also knows its table. Put in another table's row it says which row of this
    one that row is about (a join key); it is stored as the int, and read back as one."""

    table: Table | None

    def __new__(cls, index: int, table: Table | None = None) -> TableIndex:
        made = super().__new__(cls, index)
        made.table = table
        return made

    def get_row(self) -> dict[str, Any]:
        """The row it indexes, column name -> value (``{}`` when it knows no table), as wandb's."""
        if self.table is None:
            return {}
        return dict(zip(self.table.columns, self.table.data[self], strict=True))


class Table(WBValue):
    """A table of rows, as in wandb.

    ``columns`` default to "Column 1", "Column 2", ... for the width of the first row
    (to wandb's ["Input", "Output", "Expected"] when there is no data); ``rows`` is an
    alias of ``data``; a pandas ``dataframe`` (also accepted as ``data``) brings its
    own column names. Cells hold numbers, strings, bools, None, datetimes, wbnb values
    (``Image``...) or lists/dicts of these; NaN and inf are stored as None. As in wandb,
    a column keeps one kind of value (numbers, strings, bools, one media type...; None
    anywhere) unless ``allow_mixed_types=True``. ``log_mode`` is wandb's: each ``log`` of
    a table stores it whole, so a table grown with ``add_data`` / ``add_column`` and logged
    again ("MUTABLE", "INCREMENTAL") shows every row and column so far at its newest step,
    as wandb's app shows it (where wandb ignores a changed "IMMUTABLE" table logged again,
    wbnb stores it too).
    """

    _type = "table"

    def __init__(
        self,
        columns: list[str] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        allow_mixed_types: bool = False,
        log_mode: str | None = "IMMUTABLE",
    ) -> None:
        mode = "IMMUTABLE" if log_mode is None else log_mode
        if mode not in LOG_MODES:
            raise ValueError(f"Table got log_mode={log_mode!r}; accepted: {list(LOG_MODES)}")
        self.log_mode = mode
        self.allow_mixed_types = allow_mixed_types
        self._kinds: dict[int, str] = {}  # column index -> the kind of value it holds
        if data is not None and rows is not None:
            raise ValueError("Table got both data and rows; rows is an alias of data, pass one")
        data = rows if data is None else data
        if dataframe is None and _is_dataframe(data):
            dataframe, data = data, None
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = list(dataframe.itertuples(index=False, name=None))
        data = [] if data is None else data
        if columns is None:
            columns = [f"Column {i + 1}" for i in range(len(data[0]))] if len(data) else list(_DEFAULT_COLUMNS)
        if isinstance(columns, str) or len(set(map(str, columns))) != len(columns):
            raise ValueError(f"Table columns must be a list of distinct names, got {columns!r}")
        self.columns: list[str] = [str(c) for c in columns]
        self.data: list[list[Any]] = []
        for row in data:
            if not isinstance(row, (list, tuple, np.ndarray)):
                raise ValueError(f"Table rows must be lists or tuples of cells, got a row of type {type(row).__name__}")
            self.add_data(*row)

    def add_data(self, *row: Any) -> None:
        """Append one row; it must have one value per column."""
        if len(row) != len(self.columns):
            raise ValueError(
                f"Table.add_data got {len(row)} values; this table has {len(self.columns)} columns {self.columns}"
            )
        cells = [to_plain(cell) for cell in row]
        self._claim_kinds((i, self.columns[i], len(self.data), cell) for i, cell in enumerate(cells))
        self.data.append(cells)

    def add_column(self, name: str, data: Any) -> None:
        """Append a column with one value per existing row."""
        if name in self.columns:
            raise ValueError(f"Table.add_column got the name {name!r}, which is already a column of {self.columns}")
        values = list(data)
        if not self.columns:  # an empty table takes its row count from its first column
            self.data = [[] for _ in values]
        if len(values) != len(self.data):
            raise ValueError(
                f"Table.add_column got {len(values)} values for {name!r}; the table has {len(self.data)} rows"
            )
        cells = [to_plain(value) for value in values]
        self._claim_kinds((len(self.columns), str(name), j, cell) for j, cell in enumerate(cells))
        self.columns.append(str(name))
        for row, cell in zip(self.data, cells, strict=True):
            row.append(cell)

    def add_computed_columns(self, fn: Callable[[int, dict[str, Any]], dict[str, Any]]) -> None:
        """Add the columns ``fn(index, row)`` returns for each row (``row``: column name ->
        value; the result: new column name -> value), as wandb's ``add_computed_columns``."""
        computed = [fn(i, dict(zip(self.columns, row, strict=True))) for i, row in self.iterrows()]
        names = list(dict.fromkeys(name for values in computed for name in values))
        for name in names:
            self.add_column(name, [values.get(name) for values in computed])

    def _claim_kinds(self, cells: Iterable[tuple[int, str, int, Any]]) -> None:
        """Check ``(column index, column name, row index, cell)`` against each column's
        kind of value (wandb's rule; None fits any) and, if all fit, keep the kinds."""
        if self.allow_mixed_types:
            return
        claimed: dict[int, str] = {}
        for i, column, row, cell in cells:
            if cell is None:
                continue
            kind = _kind(cell)
            expected = self._kinds.get(i) or claimed.setdefault(i, kind)
            if kind != expected:
                raise TypeError(
                    f"Table column {column!r} holds {expected} values but row {row} has a {kind} ({cell!r:.60}); "
                    "pass Table(..., allow_mixed_types=True) to allow mixed columns"
                )
        self._kinds.update(claimed)

    def iterrows(self) -> Iterator[tuple[TableIndex, list[Any]]]:
        """Yield ``(index, row)`` for each row, as wandb's ``Table.iterrows`` does (the index a ``TableIndex``)."""
        for i, row in enumerate(self.data):
            yield TableIndex(i, self), row

    def get_index(self) -> list[TableIndex]:
        """Each row's index, as wandb's ``get_index``: ints that index ``data`` and, added to
        another table's rows, say which row of this one each is about."""
        return [TableIndex(i, self) for i in range(len(self.data))]

    def index_ref(self, index: int) -> TableIndex:
        """The index of row ``index`` (wandb's ``index_ref``)."""
        if not 0 <= index < len(self.data):
            raise IndexError(f"Table.index_ref got {index}; the table has {len(self.data)} rows")
        return TableIndex(index, self)

    def _index(self, name: str) -> int:
        if name not in self.columns:
            raise ValueError(f"Table has no column {name!r}; its columns are {self.columns}")
        return self.columns.index(name)

    def get_column(self, name: str, convert_to: str | None = None) -> list[Any] | np.ndarray:
        """Return a column's values as a list, or as a numpy array with ``convert_to="numpy"``."""
        if convert_to not in (None, "numpy"):
            raise ValueError(f"Table.get_column got convert_to={convert_to!r}; accepted: None or 'numpy'")
        i = self._index(name)
        values = [row[i] for row in self.data]
        return np.array(values) if convert_to == "numpy" else values

    def get_dataframe(self) -> Any:
        """Return the table as a pandas DataFrame."""
        import pandas as pd  # deferred: pandas is slow to import and only needed here

        return pd.DataFrame(self.data, columns=self.columns)

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Write the table body (columns and rows, cells as records) through ``sink`` and return its record."""
        body = {"columns": self.columns, "data": [[to_plain(cell, sink) for cell in row] for row in self.data]}
        blob = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
        return {
            "_type": self._type,
            "path": sink.put(blob, "json"),
            "columns": list(self.columns),
            "nrows": len(self.data),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], read: Callable[[str], bytes]) -> Table:
        """Rebuild a table from its record, reading the body with ``read(path)``.

        Cells that were wbnb values (images...) come back as their record dicts. A body
        that is not a table (another client may have logged anything) raises ``ValueError``.
        """
        body = json.loads(read(record["path"]))
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("columns"), list)
            or not isinstance(body.get("data"), list)
        ):
            raise ValueError(f"{record['path']} holds no table (columns and data lists)")
        width = len(body["columns"])
        if not all(type(row) is list and len(row) == width for row in body["data"]):
            raise ValueError(f"{record['path']} holds rows that do not match its {width} columns")
        table = cls(columns=body["columns"], allow_mixed_types=True)
        table.data = body["data"]  # JSON cells are plain already: not converted again cell by cell (100k rows: ~5 s)
        return table


def _kind(cell: Any) -> str:
    """What a column's cells must agree on: their type, but ints and floats (numpy's
    ``float64`` and row indexes, their subclasses, too; not bools) are all numbers."""
    return "number" if isinstance(cell, (int, float)) and not isinstance(cell, bool) else type(cell).__name__
