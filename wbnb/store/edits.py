"""Editing a run after the fact (``Api().run(path)`` then ``.update()``): which fields may
be edited, what each may hold, and how an edit applies to stored metadata. Every store
applies edits through ``apply_edit`` (the local store and both server backends), so
they agree on what an edit does.

- ``EDITABLE`` fields only: ``name``, ``notes``, ``tags``, ``group``, ``job_type``,
  ``config``, ``summary``. State, times and ``define_metric`` rules are the writer's.
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

from .runmeta import TAG_MAX, RunMeta

EDITABLE = ("name", "notes", "tags", "group", "job_type", "config", "summary")
_TEXT = ("name", "notes", "group", "job_type")


def check_tags(tags: Any) -> list[str]:
    """Validate tags: a list or tuple of non-empty strings of at most ``TAG_MAX`` characters."""
    if tags is None:
        return []
    if isinstance(tags, str) or not isinstance(tags, (list, tuple, set, frozenset)):
        raise TypeError(f"tags must be a list or tuple of str, got {type(tags).__name__}")
    out = []
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > TAG_MAX:
            raise ValueError(f"tag {tag!r} is not valid: tags are non-empty str of at most {TAG_MAX} characters")
        out.append(tag)
    return out


def check_edit(changes: Mapping[str, Any]) -> RunMeta:
    """``changes`` as an edit may hold them; ``ValueError`` / ``TypeError`` naming the
    field that is not editable or holds the wrong kind of value."""
    if not isinstance(changes, Mapping):
        raise TypeError(f"a run edit is a dict of fields, got {type(changes).__name__}")
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValueError(f"run field {field!r} cannot be edited; editable fields: {', '.join(EDITABLE)}")
        if field == "tags":
            value = check_tags(value)
        elif field in _TEXT:
            if value is not None and not isinstance(value, str):
                raise TypeError(f"run field {field!r} must be a str or None, got {type(value).__name__}")
        elif not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise TypeError(f"run field {field!r} must be a dict with str keys, got {type(value).__name__}")
        else:
            value = dict(value)
        out[field] = value
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
