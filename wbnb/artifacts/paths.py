"""Artifact paths as users write them, and where downloads land by default.

``name``, ``name:alias``, ``name:vN``, ``project/name:alias``,
``entity/project/name:alias``; a registry's collections are those of a project named
``wandb-registry-<registry>`` (``wandb-registry-model/<name>:production``), and
``model-registry/<name>`` is wandb's legacy registry of models. In a registry path
the part before the registry names wandb's organisation: registries here are the entity's
own, so it is dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..store.catalog.base import Catalog
from ..store.catalog.records import (
    LATEST,
    LEGACY_MODEL_REGISTRY,
    REGISTRY_PREFIX,
    ArtifactNotFound,
    VersionRecord,
    check_artifact_name,
)
from ..store.names import InvalidName

MODEL_REGISTRY = REGISTRY_PREFIX + "model"  # where link_model links; wandb migrated model-registry into it


@dataclass(frozen=True)
class ArtifactPath:
    """A parsed artifact path; ``entity`` / ``project`` None where the path left them out."""

    entity: str | None
    project: str | None
    name: str
    alias: str

    def __str__(self) -> str:
        parts = [p for p in (self.entity, self.project) if p]
        return "/".join([*parts, f"{self.name}:{self.alias}"])


def parse(path: str, alias_required: bool = False) -> ArtifactPath:
    """Split an artifact path; the alias defaults to ``latest``. ``InvalidName`` names
    the path and the forms accepted."""
    if not isinstance(path, str) or not path:
        raise InvalidName(f"artifact path {path!r} is not valid: give 'name', 'name:alias' or 'project/name:alias'")
    head, _, alias = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "")
    if alias_required and not alias:
        raise InvalidName(f"artifact path {path!r} has no ':alias' or ':vN'")
    parts = head.split("/")
    if len(parts) > 3 or not all(parts):
        raise InvalidName(
            f"artifact path {path!r} is not valid: give 'name[:alias]', 'project/name[:alias]' "
            "or 'entity/project/name[:alias]'"
        )
    name = check_artifact_name(parts[-1])
    project = parts[-2] if len(parts) >= 2 else None
    entity = parts[0] if len(parts) == 3 and not is_registry(project) else None
    return ArtifactPath(entity, project, name, alias or LATEST)


def is_registry(project: str | None) -> bool:
    """Whether ``project`` is a registry (``wandb-registry-<name>``, ``model-registry``)."""
    return project is not None and (project.startswith(REGISTRY_PREFIX) or project == LEGACY_MODEL_REGISTRY)


def resolve(catalog: Catalog, path: ArtifactPath, project: str) -> VersionRecord:
    """The version ``path`` names in ``catalog`` (``project`` where the path names none).
    ``model-registry/<name>`` also finds ``wandb-registry-model/<name>``, where
    ``link_model`` links, as wandb's server redirects the migrated legacy registry."""
    try:
        return catalog.resolve(project, path.name, path.alias)
    except ArtifactNotFound as missing:
        if project != LEGACY_MODEL_REGISTRY:
            raise
        try:
            return catalog.resolve(MODEL_REGISTRY, path.name, path.alias)
        except ArtifactNotFound:
            raise missing from None


def target(path: str) -> tuple[str | None, str, str]:
    """``(entity, project, collection)`` of a link target (``model-registry/<name>``,
    ``wandb-registry-<registry>/<collection>``, ``[entity/]project/collection``)."""
    parsed = parse(path)
    if parsed.project is None:
        raise InvalidName(
            f"link target {path!r} names no registry: give 'wandb-registry-<registry>/<collection>' "
            "or 'model-registry/<name>'"
        )
    if parsed.alias != LATEST:
        raise InvalidName(f"link target {path!r}: give aliases with aliases=[...], not ':{parsed.alias}'")
    return parsed.entity, parsed.project, parsed.name


def default_root(name: str) -> str:
    """Where ``download()`` puts ``name`` (``collection:vN``) by default: wandb's
    ``./artifacts/<name>`` (``WBNB_ARTIFACT_DIR`` / ``WANDB_ARTIFACT_DIR`` instead of
    ``./artifacts``), absolute as wandb's is; ':' is '-' on Windows, where it cannot be
    in a file name."""
    base = os.environ.get("WBNB_ARTIFACT_DIR") or os.environ.get("WANDB_ARTIFACT_DIR") or "./artifacts"
    return os.path.abspath(os.path.join(base, name.replace(":", "-") if os.name == "nt" else name))
