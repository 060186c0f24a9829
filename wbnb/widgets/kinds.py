"""Which component draws which kind of value a run logs: the one table of it.

A logged value's record carries its ``_type`` (``wbnb/data/``); numbers have none and are
the kind ``NUMBERS``. ``KINDS`` names each kind's component by import path (module
relative to ``wbnb.widgets``, then the class), so this table imports none of them: a
component whose module is not there is skipped (``component``), and the run panel shows
every kind whose component exists.

    from wbnb.widgets.kinds import component, summary_kinds
    summary_kinds(run.summary.as_dict())   # {"train/loss": "numbers", "preds": "table", ...}
    component("table")                     # TableView, or None without it
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Mapping
from typing import Any

NUMBERS = "numbers"  # the kind of a scalar (int or float): no record, no _type

KINDS: dict[str, str] = {
    NUMBERS: ".curves:Curves",
    "image": ".gallery:Gallery",
    "confusion_matrix": ".confusion:ConfusionMatrix",
    "histogram": ".histograms:Histograms",
    "table": ".tableview:TableView",
    "roc_curve": ".charts:Charts",
    "pr_curve": ".charts:Charts",
    "plot": ".charts:Charts",
    "line_series": ".charts:Charts",
    "custom_chart": ".charts:Charts",
    "audio": ".mediaview:MediaView",
    "video": ".mediaview:MediaView",
    "html": ".mediaview:MediaView",
    "plotly": ".plotly:PlotlyView",
    "object3d": ".object3d:Object3DView",
}


@functools.cache
def component(kind: str) -> type | None:
    """The widget class that draws ``kind``; None for an unknown kind or a component that
    is not installed (its module or class missing)."""
    path = KINDS.get(kind)
    if path is None:
        return None
    module, _, name = path.partition(":")
    try:
        found = getattr(importlib.import_module(module, __package__), name, None)
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith(__package__ or "wbnb.widgets"):
            raise  # a missing dependency of a component that is there is a real error
        return None
    return found if isinstance(found, type) else None


def one_key_each(cls: type) -> bool:
    """Whether ``cls`` shows one key per widget (``TableView(runs, key)``) rather than
    several (``keys=``): the panel makes one of the former per key, one of the latter per run."""
    params = inspect.signature(cls).parameters
    return "key" in params and "keys" not in params


def kind_of(value: Any) -> str | None:
    """The kind of one summary value: a number, a record's ``_type`` (a list of records:
    the first's), or within ``define_metric``'s aggregations (``{"last": <image>}``,
    ``{"min": 0.1}``) the first aggregate's; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return NUMBERS
    if isinstance(value, list):
        return kind_of(value[0]) if value else None
    if isinstance(value, Mapping):
        kind = value.get("_type")
        if isinstance(kind, str):
            return kind
        for inner in value.values():
            if (found := kind_of(inner)) is not None:
                return found
    return None


def summary_kinds(summary: Mapping[str, Any]) -> dict[str, str]:
    """Each drawable key of a run's summary -> its kind (keys starting with ``_`` are
    wbnb's own)."""
    out = {}
    for key, value in summary.items():
        kind = kind_of(value)
        if kind is not None and not key.startswith("_"):
            out[key] = kind
    return out
