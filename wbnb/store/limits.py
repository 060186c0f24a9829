"""The limits of run metadata's fields, in ``annotated_types``' vocabulary: the names
``runmeta.py``'s annotations use for them.

Imported only when a declaration is read at run time (``runmeta.declaration``: a check
at the call, the server's pydantic), never by ``import wbnb``: annotated-types costs
~6 ms to import, and most programs never check a field. ``__all__`` is what
``runmeta.declaration`` binds in ``runmeta``'s namespace, where the annotations resolve.

A ``Predicate`` is one of the store's own rules: its function raises ``ValueError``
saying why (pydantic reports that message) and returns a true value otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from annotated_types import Ge, MaxLen, MinLen, Predicate

from .media import check_media_path
from .runfiles import relative_name
from .summary import parse_modes

__all__ = [
    "LABEL_MAX",
    "NOTES_MAX",
    "TAG_MAX",
    "Ge",
    "Label",
    "MaxLen",
    "MinLen",
    "Predicate",
    "Tag",
    "check_media_path",
    "metric_rule",
    "relative_name",
]

LABEL_MAX = 1024  # characters of a run name, group, job type or define_metric name
NOTES_MAX = 100_000  # characters of a run's free-text notes
TAG_MAX = 64  # characters of one tag

Label = Annotated[str, MaxLen(LABEL_MAX)]  # a name, group, job type; an id (store/names.py checks it more closely)
Tag = Annotated[str, MinLen(1), MaxLen(TAG_MAX)]


def metric_rule(spec: Mapping[str, Any]) -> bool:
    """A ``MetricSpec``'s summary modes and goal make sense together (the rule the
    summary tracker applies)."""
    parse_modes(spec.get("summary"), spec.get("goal"))
    return True
