"""``wbnb.plot_table(vega_spec_name, data_table, fields, string_fields)``: wandb's custom chart.

wandb draws a chart from a Vega spec kept on its server, named by ``vega_spec_name``,
over a table whose columns ``fields`` maps to the spec's fields. wandb's own ``plot.*``
are such presets; logged through ``plot_table`` they become the same records
``wbnb.plot.line`` / ``scatter`` / ``bar`` / ``histogram`` make, so they draw the same.
Any other spec is kept as a ``custom_chart`` record over its table::

    {"_type": "custom_chart", "spec_name", "fields": {spec field: column},
     "string_fields": {name: value}, "table": <table record>}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wbnb.data.image import to_plain
from wbnb.data.plot import Chart, _table_chart, split_table_note
from wbnb.data.table import Table

# wandb preset -> (the wbnb.plot chart kind, {chart role: the preset's field name}).
PRESETS: dict[str, tuple[str, dict[str, str]]] = {
    "wandb/line/v0": ("line", {"x": "x", "y": "y", "stroke": "stroke"}),
    "wandb/scatter/v0": ("scatter", {"x": "x", "y": "y"}),
    "wandb/bar/v0": ("bar", {"label": "label", "value": "value"}),
    "wandb/histogram/v0": ("histogram", {"value": "value"}),
    "wandb/lineseries/v0": ("line", {"x": "step", "y": "lineVal", "stroke": "lineKey"}),
    "wandb/area-under-curve/v0": ("line", {"x": "x", "y": "y", "stroke": "class"}),
}
_OPTIONAL_ROLES = {"stroke"}


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: Mapping[str, Any],
    string_fields: Mapping[str, Any] | None = None,
    split_table: bool = False,
) -> Chart:
    """Return a chart of ``data_table`` drawn by the spec ``vega_spec_name``; ``fields``
    maps the spec's fields to column names, ``string_fields`` gives its constants
    (``title``...). Log it like any value: ``run.log({"chart": plot_table(...)})``."""
    if not isinstance(data_table, Table):
        raise TypeError(f"plot_table: data_table must be a wbnb Table, got {type(data_table).__name__}")
    if not isinstance(vega_spec_name, str) or not vega_spec_name:
        raise TypeError(f"plot_table: vega_spec_name must be a non-empty str, got {vega_spec_name!r}")
    for what, value in (("fields", fields), ("string_fields", string_fields or {})):
        if not isinstance(value, Mapping):
            raise TypeError(f"plot_table: {what} must be a dict, got {type(value).__name__}")
    strings = {str(k): to_plain(v) for k, v in (string_fields or {}).items()}
    split_table_note(split_table)
    preset = PRESETS.get(vega_spec_name)
    if preset is None:
        return Chart(
            "custom_chart",
            {
                "spec_name": vega_spec_name,
                "fields": {str(k): to_plain(v) for k, v in fields.items()},
                "string_fields": strings,
            },
            data_table,
        )
    kind, roles = preset
    missing = [name for role, name in roles.items() if role not in _OPTIONAL_ROLES and fields.get(name) is None]
    if missing:
        raise ValueError(
            f"plot_table: the {vega_spec_name} chart needs fields {missing} (column names); got {dict(fields)}"
        )
    title = strings.get("title")
    return _table_chart(kind, data_table, {role: fields.get(name) for role, name in roles.items()}, title)
