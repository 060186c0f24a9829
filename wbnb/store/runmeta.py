"""What a run's metadata holds: ``run.json``'s object, declared once as ``TypedDict``s.

Every reader and writer of run metadata (the stores, the tracker, ``Api``, the CLI, the
server) passes a ``RunMeta``; mypy checks each key read or written against this
declaration. A ``TypedDict`` is the JSON object itself at run time (no conversion on
the read paths: a list of runs is ``json.load``'s dicts), so nothing here is checked
when a local ``run.json`` is read; a reader keeps taking a missing or ``None`` field
in its stride, as hand-edited or damaged files exist.

The server checks what clients send against the same declaration (``server/meta.py``
validates it with pydantic), so the limits a field has are written here too, as
``Annotated`` constraints in the library-neutral vocabulary of ``annotated_types``
(pydantic reads them; so would any other validator), named in ``limits.py``.

Those limits cost ``import wbnb`` nothing: annotations are strings here (``from
__future__ import annotations``) and the limits' names are imported for type checkers
only, so annotated-types is not imported until a declaration is read.
``declaration()`` (the first ``check_field``; ``server/meta.py`` before pydantic reads
``RunMeta``) imports ``limits.py`` and binds its names in this module: the namespace
every reader of a class's annotations resolves them in (``typing.get_type_hints``,
pydantic), so no reader needs to be handed one. A reader that comes first would fail
with a ``NameError`` (pydantic: an undefined annotation), never read the limits wrong;
tests/test_env.py and tests/server/test_meta_declaration.py check both paths in a fresh
interpreter.

Every field is optional (``total=False``): a client may send any of them, and a run
being opened has no state yet. What readers may rely on: ``Store.run`` / ``runs``
always give ``id``, ``project`` and ``state``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast, get_args, get_type_hints

from typing_extensions import TypedDict  # pydantic reads typing's only from Python 3.12

from .runnames import generated_name

if TYPE_CHECKING:  # bound at run time by declaration(), when first needed
    from .limits import NOTES_MAX, Ge, Label, MaxLen, Predicate, Tag, check_media_path, metric_rule, relative_name

State = Literal["running", "finished", "failed", "crashed", "killed", "damaged"]
# killed: stopped from outside (a sweep's Hyperband or cancel, Ctrl-C in an agent); damaged: its metadata cannot be read
Mode = Literal["online", "offline", "disabled"]  # settings.mode: where a run's data goes
STATES: tuple[State, ...] = get_args(State)
RUN_MODES: tuple[Mode, ...] = get_args(Mode)

Goal = Literal["minimize", "maximize"]


class MetricSpec(TypedDict, total=False):
    """One ``define_metric`` rule, as ``Run.define_metric`` stores it."""

    step_metric: Label | None
    summary: Label | None  # "min", "min,max"...: store/summary.py's MODES
    goal: Goal | None
    hidden: bool


class SavedFile(TypedDict, total=False):
    """A file the run saved (``run.dir``), as its client uploaded it when the run ended
    (``runfiles.py``)."""

    path: Annotated[str, Predicate(check_media_path)]  # the content-addressed media file
    size: Annotated[int, Ge(0)]
    md5: Label | None  # base64 of the MD5 digest
    updated_at: float | None


class CodeRecord(TypedDict, total=False):
    """The latest ``run.log_code()`` (``sdk/log_code.py``): its manifest's media path."""

    name: str
    path: str
    files: int  # how many files the manifest lists


class RemoteRecord(TypedDict, total=False):
    """Where a spooled run is uploaded (``uploader.py``); local to the spool."""

    url: str
    entity: str
    base: dict[str, int]  # records of each stream the server held when the spool started


class RunMeta(TypedDict, total=False):
    """A run's metadata (``run.json``), as the tracker writes it and every store returns it."""

    # who: the identity (a server takes it from the URL)
    id: Label
    project: Label
    entity: Label
    # what the user says of it (editable afterwards: edits.py's EDITABLE)
    name: Label | None
    notes: Annotated[str, MaxLen(NOTES_MAX)] | None
    tags: list[Tag]
    group: Label | None
    job_type: Label | None
    config: dict[str, Any]
    summary: dict[str, Any]  # wandb's shape: {"acc": 0.9} or {"acc": {"max": 0.9}} (summary.py)
    # how it is summarised and charted
    summary_explicit: dict[str, Any]  # the keys set with run.summary[k] = v: kept over logged values
    metrics: dict[str, Annotated[MetricSpec, Predicate(metric_rule)]]
    # its life, seconds since the epoch
    mode: Mode
    state: State
    created_at: float
    heartbeat_at: float  # a server's: when its client last sent a batch
    preempting_at: float  # run.mark_preempting()
    ended_at: float | None
    runtime: float
    last_step: int | None
    exit_code: int | None
    resumed: int  # how many times it was resumed
    # the process that writes it (shown; the run's lock says whether it lives)
    pid: int
    host: str
    pid_started: float | None  # written by earlier versions: dropped when a run is opened
    # what it ran and kept
    metadata: dict[str, Any]  # sdk/metadata.py: python, os, git, packages...
    code: CodeRecord
    files: dict[Annotated[str, Predicate(relative_name)], SavedFile]  # a server's copies of run.dir
    sweep_id: str
    # a spool's own (never sent to a server: uploader.LOCAL_ONLY)
    remote: RemoteRecord
    synced: bool  # a server holds all of it (wbnb sync skips it)
    # what a reader was told of metadata it could not take whole
    reason: str  # a damaged run's: the file and the error
    damaged: str  # a server's: the stored fields with bad values, left out
    crash_reason: str  # a server's: why a run it shows as crashed is (its client went silent)


@cache
def declaration() -> dict[str, Any]:
    """``RunMeta``'s fields and their declared types, limits included. The first call
    imports ``limits.py`` (and annotated-types) and binds its names here, so that from
    then on every reader of these classes' annotations resolves them (see above)."""
    from . import limits

    globals().update({name: getattr(limits, name) for name in limits.__all__})
    return get_type_hints(RunMeta, include_extras=True)


T = TypeVar("T")


def check_field(field: str, value: T) -> T:
    """``value`` if run field ``field`` may hold it by the declaration above, which the
    server checks with pydantic (``server/meta.py``): the SDK and ``Api`` refuse at the
    call what the server would refuse later. ``TypeError`` for the wrong kind of value,
    ``ValueError`` naming the field and the limit it breaks (``declared.py``, imported
    with the limits at the first check)."""
    from .declared import check

    check(field, value, declaration()[field])
    return value


M = TypeVar("M", RunMeta, MetricSpec)


def omit(meta: M, keys: Iterable[str]) -> M:
    """``meta`` without the fields ``keys`` names (a new dict)."""
    left_out = set(keys)
    return cast(M, {k: v for k, v in meta.items() if k not in left_out})


def given(meta: M) -> M:
    """``meta`` without its ``None`` fields: what a merge takes from it (a new dict)."""
    return omit(meta, [k for k, v in meta.items() if v is None])


def created(meta: RunMeta, number: int) -> RunMeta:
    """The metadata of a new run opened with ``meta`` (every store's creation): the
    fields ``meta`` gives over what a run starts with (a generated name ending in
    ``number``, its place in the project; no tags; an empty config; created now).

    A store fills these in, never the caller: a caller gives only what its user gave,
    so that resuming a run (``resumed``) keeps what the resuming call leaves out."""
    return {"name": generated_name(number), "tags": [], "config": {}, "created_at": time.time(), **given(meta)}


def resumed(old: RunMeta, meta: RunMeta) -> RunMeta:
    """The metadata of run ``old`` reopened with ``meta`` (every store's resume): the
    fields ``meta`` gives over the old ones, the configs merged, one more ``resumed``.
    What ``meta`` leaves out or sends as ``None`` (a name, tags, notes... the resuming
    call did not pass) is kept, as wandb keeps it."""
    new: RunMeta = {**old, **given(meta)}
    new["config"] = {**old.get("config", {}), **new.get("config", {})}
    new["resumed"] = old.get("resumed", 0) + 1
    return new


def reopened(meta: RunMeta) -> RunMeta:
    """``meta`` of a run opened for writing (new or again): ``running``, without what only
    an ended run has (the local store's writer and the server's database both use it)."""
    meta["state"] = "running"
    meta.pop("ended_at", None)
    meta.pop("crash_reason", None)
    return meta
