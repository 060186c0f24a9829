"""``Api()``'s artifact calls (``Api.artifact``, ``artifacts``, ``artifact_collection(s)``,
``artifact_type(s)``, ``registries``...) and a public ``Run``'s ``logged_artifacts`` /
``used_artifacts``. They read the entity's catalog (``store.catalog``) and return the same
``Artifact`` class a run logs."""

from __future__ import annotations

from typing import Any, Protocol

from .artifacts.artifact import Artifact
from .artifacts.collection import ArtifactCollection
from .artifacts.home import Home
from .artifacts.lineage import Lineage, lineage, store_run_names
from .artifacts.paths import is_registry, parse, resolve
from .store.base import Store
from .store.catalog.records import (
    REGISTRY_PREFIX,
    ArtifactNotFound,
    CollectionRecord,
    RunRef,
    check_artifact_name,
)


class Api(Protocol):
    """What these calls need of ``wbnb.Api``."""

    default_project: str
    default_entity: str | None

    def _store_for(self, entity: str | None) -> Store: ...


def home(api: Api, entity: str | None) -> Home:
    """The catalog of ``entity`` (default: the Api's) and its runs' store."""
    store = api._store_for(entity)
    name = entity or api.default_entity or getattr(store, "entity", None) or _user()
    return Home(store.catalog, name, store)


def run_home(store: Store, entity: str) -> Home:
    """The catalog of a public run's store."""
    return Home(store.catalog, entity or _user(), store)


def _user() -> str:
    from .sdk.lifecycle import _user as user

    return user()


def artifact(api: Api, name: str, type: str | None = None) -> Artifact:
    """One version: ``[entity/]project/name[:alias]`` or a registry path
    (``wandb-registry-model/<name>:production``); ``ArtifactNotFound`` naming what exists,
    ``ValueError`` when ``type`` is not its type."""
    path = parse(name)
    where = home(api, path.entity)
    record = resolve(where.catalog, path, path.project or api.default_project)
    found = Artifact.logged(where, record)
    found.expect_type(type, f"Api().artifact({name!r})")
    return found


def _collection_path(api: Api, name: str) -> tuple[Home, str, str]:
    parts = name.split(":")[0].split("/")
    if len(parts) > 3:
        raise ValueError(f"collection path {name!r} is not '[entity/]project/name' or 'name'")
    where = home(api, parts[0] if len(parts) == 3 else None)
    project = parts[-2] if len(parts) >= 2 else api.default_project
    return where, project, check_artifact_name(parts[-1])


def collection_record(api: Api, type_name: str | None, name: str) -> tuple[Home, CollectionRecord]:
    """A collection by ``[entity/]project/name``; ``ArtifactNotFound`` naming those of the type."""
    where, project, coll = _collection_path(api, name)
    found = where.catalog.collections(project, type_name)
    for record in found:
        if record.name == coll:
            return where, record
    raise ArtifactNotFound(
        f"no artifact collection {project}/{coll}{f' of type {type_name!r}' if type_name else ''}; "
        f"{project} has {[c.name for c in found][:20]}"
    )


def artifact_collection(api: Api, type_name: str, name: str) -> ArtifactCollection:
    """A collection (``[entity/]project/name``) of type ``type_name``."""
    where, record = collection_record(api, type_name, name)
    return ArtifactCollection(where, record, Artifact.logged)


def artifacts(api: Api, type_name: str, name: str, per_page: int = 50) -> list[Artifact]:
    """Every version of a collection, oldest first."""
    return artifact_collection(api, type_name, name).versions()


def artifact_collections(api: Api, project_name: str, type_name: str, per_page: int = 50) -> list[ArtifactCollection]:
    """The collections of a project (``[entity/]project``) of one type."""
    entity, _, project = project_name.rpartition("/")
    where = home(api, entity or None)
    return [ArtifactCollection(where, c, Artifact.logged) for c in where.catalog.collections(project, type_name)]


def artifact_exists(api: Api, name: str, type: str | None = None) -> bool:
    """Whether ``artifact(name, type)`` finds a version."""
    try:
        artifact(api, name, type)
    except (ArtifactNotFound, ValueError):
        return False
    return True


def artifact_collection_exists(api: Api, name: str, type: str) -> bool:
    """Whether a collection ``[entity/]project/name`` of that type exists."""
    try:
        collection_record(api, type, name)
    except (ArtifactNotFound, ValueError):
        return False
    return True


class ArtifactType:
    """A type of artifact in a project: ``name`` and its ``collections()``."""

    def __init__(self, where: Home, project: str, name: str) -> None:
        self._home, self.project, self.name = where, project, name

    def collections(self, per_page: int = 50) -> list[ArtifactCollection]:
        """The project's collections of this type."""
        return [
            ArtifactCollection(self._home, c, Artifact.logged)
            for c in self._home.catalog.collections(self.project, self.name)
        ]

    def collection(self, name: str) -> ArtifactCollection:
        """One collection of this type by name."""
        for c in self.collections():
            if c.name == name:
                return c
        raise ArtifactNotFound(f"no {self.name} collection {self.project}/{name}")

    def __repr__(self) -> str:
        return f"<ArtifactType {self.name}>"  # wandb's


def artifact_types(api: Api, project: str | None = None) -> list[ArtifactType]:
    """The types of the artifacts of a project (``[entity/]project``)."""
    entity, _, name = (project or api.default_project).rpartition("/")
    where = home(api, entity or None)
    types = sorted({c.type for c in where.catalog.collections(name)})
    return [ArtifactType(where, name, t) for t in types]


def artifact_type(api: Api, type_name: str, project: str | None = None) -> ArtifactType:
    """One type of a project's artifacts; ``ArtifactNotFound`` when it has none of it."""
    for t in artifact_types(api, project):
        if t.name == type_name:
            return t
    raise ArtifactNotFound(f"project {project or api.default_project} has no artifacts of type {type_name!r}")


class Registry:
    """A registry (``wandb-registry-<name>``): collections of linked versions across
    the entity's projects."""

    def __init__(self, where: Home, project: str) -> None:
        self._home, self.full_name = where, project
        self.name = project.removeprefix(REGISTRY_PREFIX)

    def collections(self) -> list[ArtifactCollection]:
        """The registry's collections."""
        return [
            ArtifactCollection(self._home, c, Artifact.logged) for c in self._home.catalog.collections(self.full_name)
        ]

    def versions(self) -> list[Artifact]:
        """Every linked version of every collection."""
        return [v for c in self.collections() for v in c.versions()]

    def __repr__(self) -> str:
        return f"<Registry {self.name}>"


def registries(api: Api, organization: str | None = None, filter: Any = None) -> list[Registry]:
    """The entity's registries (``model-registry``, wandb's legacy one, included)."""
    where = home(api, None)
    return [Registry(where, p) for p in where.catalog.projects() if is_registry(p)]


def logged_artifacts(store: Store, entity: str, project: str, run_id: str) -> list[Artifact]:
    """The versions a run logged, oldest first."""
    where = run_home(store, entity)
    return [Artifact.logged(where, v) for v in where.catalog.outputs(RunRef(project, run_id))]


def used_artifacts(store: Store, entity: str, project: str, run_id: str) -> list[Artifact]:
    """The versions a run used, in the order it first did."""
    where = run_home(store, entity)
    return [Artifact.logged(where, v) for v in where.catalog.inputs(RunRef(project, run_id))]


def run_lineage(store: Store, entity: str, project: str, run_id: str, depth: int, max_nodes: int) -> Lineage:
    """The lineage graph around a public run (``Run.lineage``)."""
    where = run_home(store, entity)
    return lineage(where.catalog, RunRef(project, run_id), depth, max_nodes=max_nodes, run_names=store_run_names(store))
