"""Editing a run after the fact (``Api().run(path)`` then ``.update()``): which fields may
be edited, what each may hold, and how an edit applies to stored metadata. Every store
applies edits through ``apply_edit`` (the local store and both server backends), so
they agree on what an edit does.

- ``EDITABLE`` fields only: ``name``, ``notes``, ``tags``, ``group``, ``job_type``,
  ``config``, ``summary``. State, times and ``define_metric`` rules are the writer's.
- Each holds what ``runmeta.py`` declares, limits included: ``check_edit`` refuses at
  the call what the server would refuse.
- An edit replaces each field it names whole, as wandb's ``Run.update()`` does: a
  config or summary key left out is deleted.
- Edited summary keys are pinned (``summary_explicit``, what ``run.summary[k] = v``
  records), so a run resumed later keeps them over its last logged values; a deleted
  key is unpinned.
- A run being written is not edited: its writer owns its metadata and would write its
  own copy over the edit. Stores refuse with ``RunBusy`` (``base.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from .runmeta import RunMeta, check_field

EDITABLE = ("name", "notes", "tags", "group", "job_type", "config", "summary")


def check_tags(tags: Any) -> list[str]:
    """Tags as a run holds them: a list from a list, tuple or set of tags (None: no
    tags), each as ``runmeta.Tag`` declares (``TypeError`` / ``ValueError`` otherwise)."""
    if tags is None:
        return []
    if isinstance(tags, str) or not isinstance(tags, (list, tuple, set, frozenset)):
        raise TypeError(f"tags must be a list or tuple of str, got {type(tags).__name__}")
    return check_field("tags", list(tags))


def check_edit(changes: Mapping[str, Any]) -> RunMeta:
    """``changes`` as an edit may hold them; ``ValueError`` / ``TypeError`` naming the
    field that is not editable, holds the wrong kind of value or breaks a limit
    (``runmeta.check_field``: the server's rule)."""
    if not isinstance(changes, Mapping):
        raise TypeError(f"a run edit is a dict of fields, got {type(changes).__name__}")
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValueError(f"run field {field!r} cannot be edited; editable fields: {', '.join(EDITABLE)}")
        if field == "tags":
            value = check_tags(value)
        elif isinstance(value, Mapping):  # a config or summary: any mapping, stored as a dict
            value = dict(value)
        out[field] = check_field(field, value)
    return cast(RunMeta, out)  # each field checked above


def apply_edit(meta: RunMeta, changes: RunMeta) -> RunMeta:
    """Stored metadata with a checked edit applied (a new dict; ``meta`` is left as is)."""
    new: RunMeta = {**meta, **changes}
    if "summary" in changes:
        old = meta.get("summary") or {}
        explicit = dict(meta.get("summary_explicit") or {})
        for key, value in changes["summary"].items():
            if key not in old or (old[key] is not value and old[key] != value):
                explicit[key] = value
        for key in old.keys() - changes["summary"].keys():
            explicit.pop(key, None)
        new["summary_explicit"] = explicit
    return new
