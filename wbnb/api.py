"""The read API, wandb's ``wandb.Api()`` over a ``Store``::

    api = wbnb.Api()
    runs = api.runs("mnist", filters={"config.lr": {"$lt": 0.01}}, order="-summary_metrics.acc")
    df = api.run(f"mnist/{runs[0].id}").history(keys=["loss"])

Everything is read on demand; pandas is imported only by ``history()``. A public
``Run``'s ``config``, ``tags``, ``summary``, ``name``, ``notes``, ``group`` and
``job_type`` may be changed and kept with ``update()``, as in wandb (``store/edits.py``
says what an edit does; a run still being written is not edited).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from . import api_artifacts, api_sweeps
from .api_files import File, Files, NoSuchFile
from .artifacts.artifact import Artifact
from .artifacts.collection import ArtifactCollection
from .artifacts.lineage import MAX_NODES, Lineage
from .store.base import RunNotFound, Store
from .store.columns import columns, numeric_arrays
from .store.edits import check_edit, check_tags
from .store.filters import iso_time, matches, run_document, run_runtime, sort_runs
from .store.rowcodec import RESERVED
from .store.rowread import Span, merged, spread, step_spans
from .store.runmeta import RunMeta, State
from .store.summary import SummaryTracker

# history(stream=): wandb's names ("default"; "system", which its server calls "events").
_STREAMS = {"default": "history", "history": "history", "system": "system", "events": "system"}


class Api:
    """Reads projects and runs from a store: ``store=`` if given, else the server of
    ``WBNB_BASE_URL`` or the last ``wbnb.login()``, else the local folder.

    ``overrides`` may set ``dir`` (the store folder), ``base_url`` (a server),
    ``project`` (the default for ``runs()`` / ``run()``) and ``entity``; ``api_key``
    is the server key. ``timeout`` is accepted for wandb compatibility.
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        from .sdk.login import default_store
        from .sdk.settings import Settings

        overrides = dict(overrides or {})
        settings = Settings.from_env().updated(
            {k: overrides.get(k) for k in ("dir", "base_url") if overrides.get(k)}
            | ({"api_key": api_key} if api_key else {})
        )
        if store is None:
            store = default_store(settings, overrides.get("entity"))
        self.store = store
        self.default_project: str = overrides.get("project") or settings.project or "uncategorized"
        self.default_entity: str | None = overrides.get("entity") or settings.entity or getattr(store, "entity", None)

    def _store_for(self, entity: str | None) -> Store:
        """A server's runs are per entity: another entity's are another store (which the
        server only shows to a key of that entity)."""
        if entity and getattr(self.store, "entity", entity) != entity:
            from .store.remote import RemoteStore

            return RemoteStore(self.store.conn, entity)  # type: ignore[union-attr]
        return self.store

    def __repr__(self) -> str:
        return f"<wbnb.Api {self.store!r}>"

    def projects(self, entity: str | None = None, per_page: int = 200) -> Projects:
        """The projects that have runs (of ``entity``: a server's other entity), a
        list-like sequence of ``Project``. ``per_page`` is accepted for wandb compatibility."""
        entity = entity or self.default_entity
        store = self._store_for(entity)
        return Projects([Project(store, entity, name) for name in store.projects()])

    def project(self, name: str, entity: str | None = None) -> Project:
        """One project by name (as wandb, whether or not it has runs yet)."""
        entity = entity or self.default_entity
        return Project(self._store_for(entity), entity, name)

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str | None = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
    ) -> Runs:
        """The runs of a project (``"project"`` or ``"entity/project"``) that match
        ``filters`` (mongo-style, see ``wbnb.store.filters``), sorted by ``order``
        (oldest first by default, as wandb).

        ``per_page`` and ``include_sweeps`` are accepted for wandb compatibility.
        """
        entity, project = self._project_path(path)
        store = self._store_for(entity)
        runs = [
            Run(store, meta)
            for meta in store.runs(project)
            if not entity or not meta.get("entity") or meta.get("entity") == entity
        ]
        if filters or order:
            # A running run's summary is rebuilt from its rows: only pay for that when asked.
            wants_summary = "summary" in repr((filters, order))
            pairs = [(r, run_document({**r.meta, "summary": r.summary} if wants_summary else r.meta)) for r in runs]
            pairs = sort_runs([p for p in pairs if matches(p[1], filters)], order, key=lambda p: p[1])
            runs = [r for r, _ in pairs]
        return Runs(entity or self.default_entity, project, runs)

    def run(self, path: str) -> Run:
        """One run, by ``"entity/project/id"``, ``"project/id"``, ``"project/runs/id"``
        or just ``"id"`` in the default project. Raises ``RunNotFound``."""
        parts = str(path).strip("/").split("/") if path else []
        if len(parts) >= 3 and parts[-2] == "runs":  # wandb's URL form
            del parts[-2]
        if not 1 <= len(parts) <= 3 or not all(parts[-2:]):
            raise ValueError(f"run path {path!r} is not 'entity/project/id', 'project/id' or 'id'")
        run_id = parts[-1]
        project = parts[-2] if len(parts) >= 2 else self.default_project
        entity = parts[0] if len(parts) == 3 else None
        store = self._store_for(entity)
        try:
            meta = store.run(project, run_id)
        except (RunNotFound, ValueError):  # ValueError: not even a valid name
            meta = None
        if meta is None or (entity and meta.get("entity") and meta["entity"] != entity):
            raise RunNotFound(f"no run {path} in {store}")
        return Run(store, meta)

    # -- artifacts (api_artifacts.py) ------------------------------------------------------

    def artifact(self, name: str, type: str | None = None) -> Artifact:
        """One artifact version: ``"[entity/]project/name:alias"`` (``:vN``, ``:latest``)
        or a registry path (``"wandb-registry-model/<name>:production"``)."""
        return api_artifacts.artifact(self, name, type)

    def artifacts(self, type_name: str, name: str, per_page: int = 50) -> list[Artifact]:
        """Every version of the collection ``"[entity/]project/name"``, oldest first."""
        return api_artifacts.artifacts(self, type_name, name, per_page)

    def artifact_versions(self, type_name: str, name: str, per_page: int = 50) -> list[Artifact]:
        """``artifacts(type_name, name)`` (wandb's older name)."""
        return api_artifacts.artifacts(self, type_name, name, per_page)

    def artifact_collection(self, type_name: str, name: str) -> ArtifactCollection:
        """One collection (``"[entity/]project/name"``) of type ``type_name``."""
        return api_artifacts.artifact_collection(self, type_name, name)

    def artifact_collections(self, project_name: str, type_name: str, per_page: int = 50) -> list[ArtifactCollection]:
        """A project's collections of one type."""
        return api_artifacts.artifact_collections(self, project_name, type_name, per_page)

    def artifact_exists(self, name: str, type: str | None = None) -> bool:
        """Whether ``artifact(name, type)`` would find a version."""
        return api_artifacts.artifact_exists(self, name, type)

    def artifact_collection_exists(self, name: str, type: str) -> bool:
        """Whether the collection ``"[entity/]project/name"`` of that type exists."""
        return api_artifacts.artifact_collection_exists(self, name, type)

    def artifact_type(self, type_name: str, project: str | None = None) -> api_artifacts.ArtifactType:
        """One artifact type of a project, with its ``collections()``."""
        return api_artifacts.artifact_type(self, type_name, project)

    def artifact_types(self, project: str | None = None) -> list[api_artifacts.ArtifactType]:
        """The artifact types of a project."""
        return api_artifacts.artifact_types(self, project)

    def registries(self, organization: str | None = None, filter: Any = None) -> list[api_artifacts.Registry]:
        """The entity's registries, each with ``collections()`` and ``versions()``."""
        return api_artifacts.registries(self, organization, filter)

    # -- sweeps (api_sweeps.py) ------------------------------------------------------------

    def sweep(self, path: str) -> api_sweeps.Sweep:
        """One sweep: ``"entity/project/ID"``, ``"project/ID"`` or ``"ID"`` in the default
        project, with its ``runs``, ``best_run()``, ``config``, ``state``. Raises
        ``SweepNotFound`` (a ``ValueError``, as wandb's)."""
        return api_sweeps.sweep(self, path)

    def sweeps(self, path: str | None = None) -> list[api_sweeps.Sweep]:
        """The sweeps of a project (``"project"`` or ``"entity/project"``), oldest first."""
        entity, project = self._project_path(path)
        return api_sweeps.sweeps(self, entity, project)

    def _project_path(self, path: str | None) -> tuple[str | None, str]:
        parts = str(path).strip("/").split("/") if path else []
        if len(parts) > 2 or not all(parts):
            raise ValueError(f"project path {path!r} is not 'project' or 'entity/project'")
        if len(parts) == 2:
            return parts[0], parts[1]
        return None, parts[0] if parts else self.default_project


class Runs(Sequence["Run"]):
    """The runs ``Api.runs()`` found: a list-like sequence of ``Run``."""

    def __init__(self, entity: str | None, project: str, runs: list[Run]) -> None:
        self.entity = entity
        self.project = project
        self._runs = runs

    @overload
    def __getitem__(self, index: int) -> Run: ...
    @overload
    def __getitem__(self, index: slice) -> list[Run]: ...

    def __getitem__(self, index: int | slice) -> Run | list[Run]:
        return self._runs[index]

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[Run]:
        return iter(self._runs)

    def __repr__(self) -> str:
        where = f"{self.entity}/{self.project}" if self.entity else self.project
        return f"<Runs {where} ({len(self)} runs)>"


class Project:
    """A project as ``Api().projects()`` lists it: ``name``, ``entity``, ``path``."""

    def __init__(self, store: Store, entity: str | None, name: str) -> None:
        self._store = store
        self.entity = entity
        self.name = name

    def __repr__(self) -> str:
        return f"<Project {self.entity + '/' if self.entity else ''}{self.name}>"

    @property
    def path(self) -> list[str]:
        """``[entity, name]``, as wandb gives it."""
        return [self.entity or "", self.name]

    @property
    def created_at(self) -> str | None:
        """When its first run started (ISO 8601, UTC), or None before it has any (read
        from its runs when asked)."""
        starts = [m["created_at"] for m in self._store.runs(self.name) if isinstance(m.get("created_at"), (int, float))]
        return iso_time(min(starts)) if starts else None


class Projects(Sequence[Project]):
    """The projects ``Api.projects()`` found: a list-like sequence of ``Project``."""

    def __init__(self, projects: list[Project]) -> None:
        self._projects = projects

    @overload
    def __getitem__(self, index: int) -> Project: ...
    @overload
    def __getitem__(self, index: slice) -> list[Project]: ...

    def __getitem__(self, index: int | slice) -> Project | list[Project]:
        return self._projects[index]

    def __len__(self) -> int:
        return len(self._projects)

    def __repr__(self) -> str:
        return f"<Projects {[p.name for p in self._projects]!r}>"


class Summary(dict):  # type: ignore[type-arg]
    """A public run's summary: a dict (``_json_dict`` is a plain copy) whose keys read
    as attributes too. Changes are kept by ``update()``, here or on the run."""

    def __init__(self, run: Run, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self._run = run

    @property
    def _json_dict(self) -> dict[str, Any]:
        return dict(self)

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"summary has no key {key!r}") from None

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Apply ``dict.update``'s arguments (if any) and keep the summary as it now is
        in the store, as wandb's ``run.summary.update()`` does."""
        super().update(*args, **kwargs)
        if self != self._run._stored_summary:
            self._run._save({"summary": dict(self)})


def _edited(field: str, doc: str) -> property:
    """A text field of a public run that may be set, and kept by ``update()``."""

    def get(self: Run) -> Any:
        return self._edits[field] if field in self._edits else self._meta.get(field)

    def set_(self: Run, value: str | None) -> None:
        checked: Mapping[str, object] = check_edit({field: value})
        self._edits[field] = checked[field]

    return property(get, set_, doc=doc)


class Run:
    """A logged run as read back: its metadata, summary, history, events, media and
    files.

    Not the SDK's ``wbnb.Run`` (the one being logged). Its ``config``, ``tags``,
    ``summary``, ``name``, ``notes``, ``group`` and ``job_type`` may be changed here
    and kept with ``update()``; ``delete()`` removes it.
    """

    def __init__(self, store: Store, meta: RunMeta) -> None:
        self._store = store
        self._meta = meta
        self._forget_edits()

    def _forget_edits(self) -> None:
        self._summary: Summary | None = None
        self._stored_summary: dict[str, Any] = {}  # what the summary was when read: update() sends a change
        self._config: dict[str, Any] | None = None
        self._tags: list[str] | None = None
        self._edits: dict[str, Any] = {}

    def refresh(self) -> None:
        """Re-read the run's metadata (state, summary, config...) from the store; changes
        not kept with ``update()`` are dropped."""
        self._meta = self._store.run(self.project, self.id)
        self._forget_edits()

    def __repr__(self) -> str:
        reason = f": {self.reason}" if self.reason else ""
        return f"<Run {'/'.join(self.path)} ({self.state}{reason})>"

    # -- metadata ----------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run id, unique within its project."""
        return self._meta["id"]

    @property
    def name(self) -> str:
        """The display name (may be set; ``update()`` keeps it)."""
        return (self._edits["name"] if "name" in self._edits else self._meta.get("name")) or self.id

    @name.setter
    def name(self, value: str | None) -> None:
        self._edits["name"] = check_edit({"name": value})["name"]

    display_name = name

    @property
    def project(self) -> str:
        """The project the run belongs to."""
        return self._meta["project"]

    @property
    def entity(self) -> str:
        """Who logged it."""
        return self._meta.get("entity") or ""

    @property
    def state(self) -> State:
        """running, finished, failed, crashed (a writer that died), killed (stopped by a sweep or Ctrl-C in an
        agent) or damaged (its metadata cannot be read)."""
        return self._meta.get("state", "running")

    @property
    def reason(self) -> str | None:
        """Why a damaged run is damaged (the file and the error), else None."""
        return self._meta.get("reason")

    notes = _edited("notes", "Free-text notes, if any (may be set; ``update()`` keeps them).")
    description = notes
    group = _edited("group", "The run's group, if any (may be set; ``update()`` keeps it).")
    job_type = _edited("job_type", "The run's job type, if any (may be set; ``update()`` keeps it).")

    @property
    def sweep_name(self) -> str | None:
        """The id of the sweep this run is a trial of, else None (wandb's name for it)."""
        return self._meta.get("sweep_id")

    @property
    def sweep(self) -> api_sweeps.Sweep | None:
        """The sweep this run is a trial of (with its ``config``, ``runs``, ``best_run()``), else None."""
        if not self.sweep_name:
            return None
        record = api_sweeps.book_of(self._store).sweep(self.project, self.sweep_name)
        return api_sweeps.Sweep(Api(store=self._store), self._store, record, self.entity)

    @property
    def tags(self) -> list[str]:
        """The run's tags: a list to change in place or replace; ``update()`` keeps it."""
        if self._tags is None:
            self._tags = list(self._meta.get("tags") or ())
        return self._tags

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        self._tags = check_tags(value)

    @property
    def config(self) -> dict[str, Any]:
        """The config as plain values: a dict to change in place or replace; ``update()`` keeps it."""
        if self._config is None:
            self._config = dict(self._meta.get("config") or {})
        return self._config

    @config.setter
    def config(self, value: Mapping[str, Any]) -> None:
        self._config = check_edit({"config": value})["config"]

    @property
    def metadata(self) -> dict[str, Any]:
        """Where it ran: python, os, host, program, git..."""
        return dict(self._meta.get("metadata") or {})

    @property
    def created_at(self) -> str | None:
        """When it started, as wandb writes it: ISO 8601 in UTC."""
        return iso_time(self._meta.get("created_at"))

    @property
    def runtime(self) -> float | None:
        """Seconds it ran (so far, if running)."""
        return run_runtime(self._meta)

    @property
    def meta(self) -> RunMeta:
        """The run's metadata as stored (``run.json``): times in seconds since the epoch."""
        return self._meta

    @property
    def path(self) -> list[str]:
        """``[entity, project, id]``, as wandb gives it."""
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str:
        """Where the run lives: a ``file://`` URL of its folder for the local store."""
        run_dir = getattr(self._store, "run_dir", None)
        return run_dir(self.project, self.id).as_uri() if run_dir else "/".join(self.path)

    @property
    def summary(self) -> Summary:
        """The final value of each metric (or what ``define_metric`` / ``run.summary``
        made it). For a run still going it is rebuilt from the rows logged so far. A
        dict to change in place; ``update()`` (the run's or the summary's) keeps it."""
        if self._summary is None:
            if self.state != "running" and "summary" in self._meta:
                values = dict(self._meta["summary"])
            else:
                tracker = SummaryTracker(self._meta.get("metrics"))
                for keys, _step, _ts, _rt, row in self._rows("history"):
                    tracker.observe(dict(zip(keys, row)))
                tracker.explicit.update(self._meta.get("summary_explicit") or {})
                values = tracker.result()
            self._summary, self._stored_summary = Summary(self, values), dict(values)
        return self._summary

    summary_metrics = summary

    @property
    def system_metrics(self) -> dict[str, Any]:
        """The last system-metrics sample (empty when none was taken)."""
        rows = self._rows("system")
        return dict(zip(rows[-1][0], rows[-1][4])) if rows else {}

    @property
    def lastHistoryStep(self) -> int:
        """The last step logged, or -1 when nothing was."""
        if self.state != "running" and "last_step" in self._meta:
            step = self._meta["last_step"]
        else:
            rows = self._rows("history")
            step = rows[-1][1] if rows else None
        return -1 if step is None else int(step)

    # -- edits -------------------------------------------------------------------------

    def update(self) -> None:
        """Keep the changes made to ``config``, ``tags``, ``summary``, ``name``,
        ``notes``, ``group`` and ``job_type`` in the store (each changed field is
        replaced whole, as wandb's ``update()`` does). A run still being written is not
        changed: ``RunBusy`` says so (edit it from its own process, or once it ended)."""
        changes = {k: v for k, v in self._edits.items() if v != self._meta.get(k)}
        if self._config is not None and self._config != (self._meta.get("config") or {}):
            changes["config"] = self._config
        if self._tags is not None and self._tags != list(self._meta.get("tags") or ()):
            changes["tags"] = self._tags
        if self._summary is not None and self._summary != self._stored_summary:
            changes["summary"] = self._summary
        self._save(changes)

    save = update

    def _save(self, changes: Mapping[str, Any]) -> None:
        if not changes:
            return
        self._meta = self._store.update_run(self.project, self.id, check_edit(changes))
        self._edits.clear()
        if self._summary is not None:
            self._stored_summary = dict(self._summary)

    def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run from its store: its folder, or its records on a server (media
        files stay, shared by content). A run still being written is not deleted:
        ``RunBusy`` says so."""
        self._store.delete_run(self.project, self.id)
        if delete_artifacts:
            from .sdk.term import termwarn

            termwarn(
                "Run.delete(delete_artifacts=True): the run was deleted; artifacts are kept, wbnb does not "
                "delete them with a run",
                repeat=False,
            )

    # -- artifacts ---------------------------------------------------------------------

    def logged_artifacts(self, per_page: int = 100) -> list[Artifact]:
        """The artifact versions this run logged, oldest first."""
        return api_artifacts.logged_artifacts(self._store, self.entity, self.project, self.id)

    def used_artifacts(self, per_page: int = 100) -> list[Artifact]:
        """The artifact versions this run used, in the order it first did."""
        return api_artifacts.used_artifacts(self._store, self.entity, self.project, self.id)

    def lineage(self, depth: int = 2, max_nodes: int = MAX_NODES) -> Lineage:
        """The artifact versions and runs within ``depth`` steps of this run, both ways
        (what it used, who logged those, what it logged, who used those...), at most
        ``max_nodes``; a ``Lineage`` ending a notebook cell draws itself as a graph."""
        return api_artifacts.run_lineage(self._store, self.entity, self.project, self.id, depth, max_nodes)

    # -- files -------------------------------------------------------------------------

    def files(self, names: Sequence[str] | None = None, pattern: str | None = None, per_page: int = 50) -> Files:
        """The run's files (``wbnb.store.runfiles``): what it saved in ``run.dir``,
        ``log_code``'s as ``code/<path>``, and the media its history points to. ``names``
        keeps those names; ``pattern`` is SQL ``LIKE`` as wandb takes it (``"%.json"``).
        ``per_page`` is accepted for wandb compatibility."""
        if names and pattern:
            raise ValueError("files(): pass names or pattern, not both")
        media = not names or any(name.startswith("media/") for name in names)  # else the history need not be read
        found = self._store.files(self.project, self.id, media)
        if names:
            wanted = set(names)
            found = [f for f in found if f.name in wanted]
        if pattern:
            like = re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern))
            found = [f for f in found if like.fullmatch(f.name)]
        return Files(self, [File(self._store, f) for f in found])

    def file(self, name: str) -> File:
        """The run's file ``name`` (``files()``'s names: ``model.pt``, ``code/train.py``...);
        ``NoSuchFile`` (a ``ValueError``) naming the files it has otherwise."""
        found = self._store.files(self.project, self.id, media=name.startswith("media/"))
        for f in found:
            if f.name == name:
                return File(self._store, f)
        raise NoSuchFile(f"run {'/'.join(self.path)} has no file {name!r}; its files: {[f.name for f in found]}")

    # -- history -----------------------------------------------------------------------

    def _rows(self, stream: str) -> list[tuple]:
        return self._store.rows(self.project, self.id, stream)[0]

    def history(
        self,
        samples: int = 500,
        keys: Sequence[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: str = "default",
    ) -> Any:
        """Up to ``samples`` evenly spaced steps (the first and last always among them).

        With ``keys``, only steps that have every key (and ``x_axis``) count, and only
        those columns come back. ``stream="system"`` (or ``"events"``, wandb's other
        name for it) reads the system metrics. Returns a ``pandas.DataFrame``, or a list
        of dicts with ``pandas=False``.
        """
        if samples < 1:
            raise ValueError(f"history: samples must be at least 1, got {samples}")
        if keys is not None and (isinstance(keys, str) or not all(isinstance(k, str) for k in keys)):
            raise TypeError(f"history: keys must be a list of str, got {keys!r}")
        if stream not in _STREAMS:
            raise ValueError(f"history: stream must be 'default' or 'system' ('events'), got {stream!r}")
        if keys is None and pandas:
            import pandas as pd

            # The fast path: the store builds (sampled) numpy columns directly.
            return pd.DataFrame(self._store.columns(self.project, self.id, _STREAMS[stream], samples))
        rows = self._rows(_STREAMS[stream])
        steps = step_spans(rows)
        if keys is not None:
            wanted = list(dict.fromkeys([x_axis, *keys]))
            steps = _with_keys(rows, steps, set(wanted) - set(RESERVED))
        picked = spread(steps, samples)
        # Only the sampled steps become columns: most of a long run is never converted.
        cols = columns(rows if len(picked) == len(rows) else [rows[i] for a, b in picked for i in range(a, b)])
        if keys is not None:
            cols = {k: cols.get(k, [None] * len(picked)) for k in wanted}
        if not pandas:
            return [{k: v[j] for k, v in cols.items() if v[j] is not None} for j in range(len(picked))]
        import pandas as pd

        return pd.DataFrame(numeric_arrays(cols))

    def scan_history(
        self,
        keys: Sequence[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every step from ``min_step`` up to (not including) ``max_step``, unsampled,
        as dicts. With ``keys``, only steps that have all of them, with only those
        keys. Rows are read ``page_size`` at a time as the steps are iterated (from a
        server, page by page; reaching ``max_step`` reads no further)."""
        if not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"scan_history: page_size must be a positive int, got {page_size!r}")
        rows: Iterator[tuple] = itertools.chain.from_iterable(
            self._store.row_pages(self.project, self.id, "history", page_size)
        )
        # Steps never go back: the range is a stretch of the rows, and past it nothing more is read.
        if min_step is not None:
            rows = itertools.dropwhile(lambda r: r[1] < min_step, rows)
        if max_step is not None:
            rows = itertools.takewhile(lambda r: r[1] < max_step, rows)
        for row in merged(rows):  # type: ignore[arg-type]  # merged() streams
            if keys is None:
                yield row
            elif all(row.get(k) is not None for k in keys):
                yield {k: row[k] for k in keys}

    # -- events, console, media --------------------------------------------------------

    def events(self) -> list[dict[str, Any]]:
        """What happened besides metrics, in order: records with ``kind`` ``alert``,
        ``exception``, ``config`` or ``summary`` and a timestamp ``t``."""
        return self._store.records(self.project, self.id, "events")[0]

    def console(self) -> list[dict[str, Any]]:
        """Captured output lines, in order: ``{"stream": "stdout"|"stderr", "line", "t"}``."""
        return self._store.records(self.project, self.id, "console")[0]

    def media(self, value: Mapping[str, Any] | str) -> bytes:
        """The bytes behind a media value from the history or summary (an image's
        PNG, a table's JSON), or behind its ``path``."""
        path = value.get("path") if isinstance(value, Mapping) else value
        if not isinstance(path, str):
            raise ValueError(f"media: {value!r} has no file; only image, table and similar values do")
        return self._store.media(path)


def _with_keys(rows: list[tuple], steps: list[Span], required: set[str]) -> list[Span]:
    """The steps whose records, together, log every key in ``required``."""
    has_all: dict[tuple[str, ...], bool] = {}  # per schema: a run has few
    out = []
    for a, b in steps:
        if b - a == 1:
            schema = rows[a][0]
            ok = has_all.get(schema)
            if ok is None:
                ok = has_all[schema] = required.issubset(schema)
        else:
            ok = required.issubset(k for i in range(a, b) for k in rows[i][0])
        if ok:
            out.append((a, b))
    return out
