"""A run's artifacts: ``log_artifact``, ``use_artifact``, ``link_artifact`` and the model
shorthands ``log_model`` / ``use_model`` / ``link_model`` (``Run`` calls these).

A run writes artifacts into the catalog of the store it writes through: the local
store's own, or a server store's spool (``Store.artifact_logged`` then lets that store
push the version behind). ``use_artifact`` resolves where readers read: the local store,
or the server.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..artifacts.artifact import Artifact
from ..artifacts.home import Home
from ..artifacts.paths import MODEL_REGISTRY, parse, resolve, target
from ..store.base import RunWriter, Store
from ..store.catalog.records import RunRef, check_artifact_name
from ..store.local import LocalStore


class Run(Protocol):
    """What these calls need of a ``Run``."""

    _store: Store
    _writer: RunWriter

    @property
    def id(self) -> str: ...
    @property
    def project(self) -> str: ...
    @property
    def entity(self) -> str: ...


def _readers_store(run: Run) -> Store:
    """The store readers find the run in: the server's for a run spooled to one."""
    return run._writer.remote or run._store


def reading_home(run: Run) -> Home:
    """Where the run's ``use_artifact`` resolves: its readers' store's catalog."""
    store = _readers_store(run)
    return Home(store.catalog, run.entity, store)


def writing_home(run: Run) -> Home:
    """Where the run's ``log_artifact`` commits: its local store's catalog (a server
    run's spool), with the store that pushes it to the readers (``artifact_logged``)."""
    local = run._store
    if not isinstance(local, LocalStore):
        raise TypeError(f"a run writes through a local store or spool, not {type(local).__name__}")
    return Home(local.catalog, run.entity, _readers_store(run), local.catalog.blobs.add)


def _ref(run: Run) -> RunRef:
    return RunRef(run.project, run.id)


def _artifact_from_path(run: Run, path: str | os.PathLike[str], name: str | None, type: str | None) -> Artifact:
    """wandb's ``log_artifact("path")``: an artifact of the file, folder or URI."""
    text = os.fspath(path)
    artifact = Artifact(name or f"run-{run.id}-{os.path.basename(text.rstrip('/'))}", type or "unspecified")
    if "://" in text:
        artifact.add_reference(text)
    elif os.path.isdir(text):
        artifact.add_dir(text)
    elif os.path.isfile(text):
        artifact.add_file(text)
    else:
        raise ValueError(f"log_artifact: {text!r} is neither a file, a folder nor a URI")
    return artifact


def log_artifact(
    run: Run,
    artifact_or_path: Artifact | str | os.PathLike[str],
    name: str | None = None,
    type: str | None = None,
    aliases: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
) -> Artifact:
    """Log an artifact (or a path made into one) as the run's output; it is returned
    logged: ``version``, ``aliases`` and ``digest`` set."""
    if tags:
        warnings.warn(f"artifact tags {list(tags)} are not kept by wbnb; use aliases or metadata", stacklevel=3)
    if isinstance(artifact_or_path, Artifact):
        artifact = artifact_or_path
    else:
        artifact = _artifact_from_path(run, artifact_or_path, name, type)
    artifact.expect_type(type, "log_artifact")
    home = writing_home(run)
    artifact.log_into(home, run.project, _ref(run), aliases)
    assert artifact.id is not None
    home.store.artifact_logged(artifact.id)
    return artifact


def use_artifact(
    run: Run,
    artifact_or_name: Artifact | str,
    type: str | None = None,
    aliases: Sequence[str] | None = None,
    use_as: str | None = None,
) -> Artifact:
    """Record that the run uses a version (an input edge) and return it:
    ``"name[:alias|:vN]"``, ``"[entity/]project/name:alias"``, a registry path
    (``"wandb-registry-model/<name>:production"``) or an ``Artifact`` (a draft is
    logged first, without the run as its maker, with ``aliases``)."""
    if isinstance(artifact_or_name, Artifact):
        artifact = artifact_or_name
        if artifact.is_draft():
            home = writing_home(run)
            artifact.log_into(home, run.project, None, aliases)
            assert artifact.id is not None
            home.store.artifact_logged(artifact.id)
    else:
        home = reading_home(run)
        path = parse(artifact_or_name)
        if path.entity not in (None, home.entity):
            raise ValueError(
                f"use_artifact: {artifact_or_name!r} belongs to entity {path.entity!r}; this run logs as "
                f"{home.entity!r} (read it with wbnb.Api().artifact({artifact_or_name!r}))"
            )
        record = resolve(home.catalog, path, path.project or run.project)
        artifact = Artifact.logged(home, record)
    artifact.expect_type(type, "use_artifact")
    _record_use(run, artifact)
    return artifact


def _record_use(run: Run, artifact: Artifact) -> None:
    """The input edge: in the catalog the version lives in, this process's own (the local
    store's, a spool's: pushed like a log) or else the server's (the store records it in
    its spool and pushes it behind, so a training loop never waits on the network)."""
    readers, ref = _readers_store(run), _ref(run)
    assert artifact.id is not None
    if artifact.written_here():
        artifact.mark_used(ref)
        readers.artifact_logged(artifact.id)
    else:
        readers.record_use(artifact.id, ref)


def link_artifact(run: Run, artifact: Artifact, target_path: str, aliases: Sequence[str] | None = None) -> Artifact:
    """Link a version into a registry collection (a draft is logged first); returns the link."""
    target(target_path)  # a bad target fails before anything is logged
    if artifact.is_draft():
        log_artifact(run, artifact)
    link = artifact.link(target_path, list(aliases or ()))
    if artifact.written_here() and artifact.id is not None:
        _readers_store(run).artifact_logged(artifact.id)  # a server's store pushes the link too
    return link


def log_model(
    run: Run, path: str | os.PathLike[str], name: str | None = None, aliases: Sequence[str] | None = None
) -> Artifact:
    """Log a model file or folder as a ``model`` artifact (default name ``run-<id>-<file name>``)."""
    return log_artifact(run, _artifact_from_path(run, path, name, "model"), aliases=aliases)


def use_model(run: Run, name: str) -> str:
    """Use a ``model`` artifact and download it; return the path of its file (a
    single-file model) or of its folder."""
    artifact = use_artifact(run, name)
    if "model" not in artifact.type.lower():
        raise ValueError(f"use_model: artifact {artifact.name} is of type {artifact.type!r}, not a model")
    root = artifact.download()
    entries = artifact.files()
    return os.fspath(Path(root) / entries[0].path) if len(entries) == 1 else root


def link_model(
    run: Run,
    path: str | os.PathLike[str],
    registered_model_name: str,
    name: str | None = None,
    aliases: Sequence[str] | None = None,
) -> Artifact:
    """Log a model (``log_model``) and link it into the model registry
    (``wandb-registry-model/<registered_model_name>``); returns the link. The name is
    the collection's alone (no project or entity), as wandb requires."""
    check_artifact_name(registered_model_name)
    return link_artifact(run, log_model(run, path, name), f"{MODEL_REGISTRY}/{registered_model_name}", aliases)
