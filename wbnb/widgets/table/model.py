"""What a ``RunTable`` holds: every run of a project flattened into one row, and the rows
stored by column as the ``_data`` trait carries them (``contract.TableData``).

Columns: ``name``, ``state``, ``created``, ``duration``, ``tags``, then ``config.*`` and
``summary.*`` (nested dicts flattened with ``.``; media records left out). Numeric columns
(``num``, and ``time`` / ``dur`` for created / duration) travel as float64 bytes with NaN
for missing, the others as a JSON list with null.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...store.filters import run_runtime
from ...store.runmeta import RunMeta
from .contract import NumColumn, NumKind, TableData, TextColumn, TextKind

if TYPE_CHECKING:
    from ...api import Api

BASE_COLUMNS = ("name", "state", "created", "duration", "tags")
# The order rows are read in (newest first): what the table shows with no sort of its own.
ORDER = ("-created",)


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        if "_type" in value:  # a logged media record: not a table value
            return
        keys = value.keys()
        if set(keys) == {"value"} or ("value" in value and "desc" in value):  # wandb-style config entry
            _flatten(prefix, value["value"], out)
            return
        for k in keys:
            _flatten(f"{prefix}.{k}", value[k], out)
    elif isinstance(value, (list, tuple)):
        out[prefix] = [v if isinstance(v, (int, float, str, bool)) or v is None else str(v) for v in value]
    else:
        out[prefix] = value


def run_row(meta: RunMeta, summary: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flat row of one run: column key -> value."""
    row: dict[str, Any] = {
        "id": meta.get("id"),
        "name": meta.get("name") or meta.get("id"),
        "state": meta.get("state"),
        "created": meta.get("created_at"),
        "duration": run_runtime(meta),
        "tags": [str(x) for x in meta.get("tags") or ()],
    }
    for k, v in (meta.get("config") or {}).items():
        if not str(k).startswith("_"):
            _flatten(f"config.{k}", v, row)
    for k, v in (summary if summary is not None else meta.get("summary") or {}).items():
        if not str(k).startswith("_"):
            _flatten(f"summary.{k}", v, row)
    return row


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v: Any) -> bool:
    return _is_number(v) and math.isfinite(v)


def columnar(rows: list[dict[str, Any]], rev: int = 0) -> TableData:
    """Rows -> the ``_data`` trait (``contract.TableData``), ``rev`` its revision."""
    keys: dict[str, None] = dict.fromkeys(BASE_COLUMNS)
    config: dict[str, None] = {}
    summary: dict[str, None] = {}
    for row in rows:
        for k in row:
            if k.startswith("config."):
                config[k] = None
            elif k.startswith("summary."):
                summary[k] = None
    keys.update(dict.fromkeys(sorted(config)))
    keys.update(dict.fromkeys(sorted(summary)))
    columns: list[NumColumn | TextColumn] = []
    for key in keys:
        values = [row.get(key) for row in rows]
        present = [v for v in values if v is not None]
        if key == "created":
            columns.append(_numbers(key, "time", values))
        elif key == "duration":
            columns.append(_numbers(key, "dur", values))
        elif key != "tags" and present and all(_is_number(v) for v in present):
            columns.append(_numbers(key, "num", values))
        else:
            kind: TextKind = (
                "list" if key == "tags" else "str" if present and all(isinstance(v, str) for v in present) else "any"
            )
            clean = [v if v is None or isinstance(v, (str, bool, list)) or _finite(v) else str(v) for v in values]
            columns.append(TextColumn(key=key, type=kind, values=clean))
    return TableData(rev=rev, n=len(rows), ids=[str(row.get("id")) for row in rows], columns=columns)


def _numbers(key: str, kind: NumKind, values: list[Any]) -> NumColumn:
    nums = array("d", (math.nan if v is None else float(v) for v in values))
    return NumColumn(key=key, type=kind, values=memoryview(nums.tobytes()))


def read_project(api: Api, project: str, rev: int = 0) -> TableData:
    """Every run of ``project`` (``"project"`` or ``"entity/project"``) as ``_data``, newest
    first; a running run's summary is rebuilt from the rows it has logged so far."""
    rows = []
    for run in api.runs(project, order=None):
        meta, summary = run.meta, None
        if meta.get("state") == "running" or "summary" not in meta:
            summary = run.summary
        rows.append(run_row(meta, summary))
    rows.sort(key=lambda r: r.get("created") or 0.0, reverse=True)
    return columnar(rows, rev)


def same_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two ``_data`` values hold the same rows, whatever their revisions."""
    return {k: v for k, v in a.items() if k != "rev"} == {k: v for k, v in b.items() if k != "rev"}


def decode(data: Mapping[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    """``_data``'s columns by key: (kind, one value per row; a missing number is NaN)."""
    out: dict[str, tuple[str, list[Any]]] = {}
    for c in data.get("columns") or []:
        if c["type"] in ("num", "time", "dur"):
            values: list[Any] = array("d", bytes(c["values"])).tolist()
        else:
            values = list(c["values"])
        out[c["key"]] = (c["type"], values)
    return out
