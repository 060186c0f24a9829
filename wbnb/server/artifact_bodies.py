"""The bodies of ``/api/v1/entities/{entity}/artifacts/...`` (``routes/artifacts.py``):
pydantic models (in the OpenAPI document) whose names are checked by the SDK's own
rules (``store/catalog/records.py``: artifact names, types, aliases; ``store/names.py``:
projects and run ids), so the server cannot hold what ``log_artifact`` would refuse."""

from __future__ import annotations

import math
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, StrictInt, StrictStr, model_validator

from ..store.catalog.digest import check_digest
from ..store.catalog.records import check_alias, check_artifact_name, check_type
from ..store.names import check_name
from ..store.runfiles import relative_name
from .bodies import INT64, MAX_DEPTH

TEXT_MAX = 1 << 16  # a description, a reference's URI or checksum
PATH_MAX = 4096


def no_nul(value: str) -> str:
    """``value``, if it holds no NUL (``ValueError`` otherwise)."""
    if "\x00" in value:  # PostgreSQL's text cannot hold it: refused in every home alike
        raise ValueError("holds a NUL character (\\x00), which text cannot")
    return value


def _path(value: str) -> str:
    normal = str(relative_name(value))  # stays inside the folder it is placed in (no '/x', '..', '')
    if normal != value:  # 'a//b' and 'a/b' would be two entries placed in one file
        raise ValueError(f"{value!r} is not how the SDK writes a file's path: write {normal!r}")
    return value


def _metadata(value: dict[str, Any]) -> dict[str, Any]:
    """Metadata every home can keep: JSON (finite numbers) nested at most ``MAX_DEPTH`` deep."""

    def check(v: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"nests deeper than {MAX_DEPTH} levels")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"holds {v!r}, which JSON cannot (only finite numbers)")
        for item in v.values() if isinstance(v, dict) else v if isinstance(v, list) else ():
            check(item, depth + 1)

    check(value, 0)
    return value


Size = Annotated[StrictInt, Field(ge=0, le=INT64[1])]
Digest = Annotated[StrictStr, AfterValidator(check_digest)]
ArtifactName = Annotated[StrictStr, AfterValidator(check_artifact_name)]
ArtifactType = Annotated[StrictStr, AfterValidator(check_type)]
Alias = Annotated[StrictStr, AfterValidator(check_alias)]
ProjectName = Annotated[StrictStr, AfterValidator(partial(check_name, "project"))]
RunIdName = Annotated[StrictStr, AfterValidator(partial(check_name, "run id"))]
Text = Annotated[StrictStr, Field(max_length=TEXT_MAX), AfterValidator(no_nul)]
Aliases = Annotated[list[Alias], Field(max_length=256)]
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RunRefBody(_Body):
    """A run of the entity, by project and id."""

    project: ProjectName
    run_id: RunIdName


class EntryBody(_Body):
    """One file of a version: ``digest`` is the BLAKE3 digest of its bytes (a blob the
    entity holds), or for a reference (``ref``), the checksum it offers."""

    path: Annotated[StrictStr, Field(min_length=1, max_length=PATH_MAX), AfterValidator(no_nul), AfterValidator(_path)]
    digest: Annotated[Text, Field(min_length=1)]
    size: Size | None = None
    ref: Annotated[Text, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _stored_by_digest(self) -> EntryBody:
        if self.ref is None:
            check_digest(self.digest)
            if self.size is None:
                raise ValueError(f"{self.path!r} is a stored file: it needs a size")
        return self


def unique_paths(entries: list[EntryBody]) -> list[EntryBody]:
    """``entries`` if no path is listed twice; ``ValueError`` naming one otherwise."""
    seen: set[str] = set()
    for entry in entries:
        if entry.path in seen:
            raise ValueError(f"entries: the path {entry.path!r} is listed twice")
        seen.add(entry.path)
    return entries


class CommitBody(_Body):
    """What becomes a version of ``project/name``: its files (``entries``, or for a
    manifest too big for a request body, ``manifest``: the digest of a blob the entity
    holds whose bytes are the entries as a JSON list), what the user said of it, and
    the run that logged it."""

    project: ProjectName
    name: ArtifactName
    type: ArtifactType
    entries: Annotated[list[EntryBody], AfterValidator(unique_paths)] = []
    manifest: Digest | None = None
    description: Text | None = None
    metadata: Metadata = {}
    aliases: Aliases = []
    run: RunRefBody | None = None

    @model_validator(mode="after")
    def _entries_or_manifest(self) -> CommitBody:
        if self.manifest is not None and self.entries:
            raise ValueError("send the entries or the digest of a manifest blob holding them, not both")
        return self


class ManifestEntries(RootModel[Annotated[list[EntryBody], AfterValidator(unique_paths)]]):
    """A manifest blob's bytes: the entries of a commit, as a JSON list."""


class AliasesBody(_Body):
    """A version's user aliases (each moves there from elsewhere in its collection)."""

    aliases: Aliases


class VersionEdit(_Body):
    """The editable fields of a version; each field sent replaces the stored one."""

    description: Text | None = None
    metadata: Metadata | None = None


class CollectionEdit(_Body):
    """The editable fields of a collection; each field sent replaces the stored one
    (``name`` renames it, its versions with it)."""

    description: Text | None = None
    name: ArtifactName | None = None  # null is refused by the catalog's name rule


class LinkBody(_Body):
    """Where to link a version: a registry collection ``project/name``."""

    project: ProjectName
    name: ArtifactName
    aliases: Aliases = []


class DigestsBody(_Body):
    """Blob digests."""

    digests: Annotated[list[Digest], Field(max_length=100_000)]


# -- answers ---------------------------------------------------------------------------


class RunRefOut(BaseModel):
    """A run of the entity."""

    project: str
    run_id: str


class EntryOut(BaseModel):
    """One file of a version."""

    path: str
    digest: str
    size: int | None
    ref: str | None = None


class VersionOut(BaseModel):
    """One version of a collection (``aliases`` include ``latest`` on the newest);
    ``source_id`` names the version a registry link shares its files with."""

    id: str
    project: str
    name: str
    type: str
    index: int
    digest: str
    size: int
    file_count: int
    created_at: float
    description: str | None = None
    metadata: dict[str, Any] = {}
    aliases: list[str] = []
    logged_by: RunRefOut | None = None
    source_id: str | None = None


class Committed(BaseModel):
    """The version a commit made (``created``) or found with the same content."""

    version: VersionOut
    created: bool


class CollectionOut(BaseModel):
    """A collection: a series of versions (``sequence``) or a registry's links (``portfolio``)."""

    project: str
    name: str
    type: str
    kind: str
    created_at: float
    version_count: int
    description: str | None = None
    id: str = ""
    updated_at: float = 0.0


class ManifestPage(BaseModel):
    """Entries of a manifest in path order from ``start``; ``next`` is where the next
    page starts, ``more`` whether there is one."""

    entries: list[EntryOut]
    next: int
    more: bool


class Upload(BaseModel):
    """A blob upload: the bytes the server holds of it (``received``, where the next
    chunk starts) and whether the blob is stored (``complete``: verified, visible)."""

    digest: str
    received: int
    complete: bool


class DeletedVersion(BaseModel):
    """A version deleted."""

    deleted: str


class Done(BaseModel):
    """A change made."""

    ok: bool


BODIES: tuple[type[BaseModel], ...] = (
    CommitBody,
    AliasesBody,
    VersionEdit,
    CollectionEdit,
    LinkBody,
    DigestsBody,
    RunRefBody,
)
