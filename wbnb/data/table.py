"""``Table``: rows of cells (scalars, strings, wbnb values), stored as one JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.image import to_plain

# wandb's legacy default for a table made with neither columns nor data.
_DEFAULT_COLUMNS = ["Input", "Output", "Expected"]


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "itertuples")


class Table(WBValue):
    """A table of rows, as in wandb.

    ``columns`` default to "Column 1", "Column 2", ... for the width of the first row
    (to wandb's ["Input", "Output", "Expected"] when there is no data); ``rows`` is an
    alias of ``data``; a pandas ``dataframe`` (also accepted as ``data``) brings its
    own column names. Cells hold numbers, strings, bools, None, datetimes, wbnb values
    (``Image``...) or lists/dicts of these; NaN and inf are stored as None.
    """

    _type = "table"

    def __init__(
        self,
        columns: list[str] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
    ) -> None:
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
        self.data.append([to_plain(cell) for cell in row])

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
        self.columns.append(str(name))
        for row, value in zip(self.data, values, strict=True):
            row.append(to_plain(value))

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

        Cells that were wbnb values (images...) come back as their record dicts.
        """
        body = json.loads(read(record["path"]))
        return cls(columns=body["columns"], data=body["data"])
