"""What the artifact catalog keeps, the same in every home (local store, server, spool).

- ``Entry``: one file of an artifact version (the manifest is a list of them, sorted by
  path). ``digest`` is the digest (``digest.py``) of the file's bytes; for a reference that
  is not hashed (``s3://...``), the checksum the reference offers or the digest of its URI.
- ``manifest_digest``: a version's digest, over its sorted ``path:digest`` lines:
  metadata, description and aliases are not content.
- ``VersionRecord``: one version of a collection (``v0, v1, ...``); a version linked into
  a registry collection is a version of that collection too, with ``source_id`` naming
  the version whose files it shares.
- Names (``check_artifact_name``, ``check_alias``, ``check_type``): wandb's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ...errors import CommError
from ..errors import StoreError
from ..names import InvalidName
from .digest import hasher

NAME_MAX = 128
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")  # wandb: letters, digits, '-', '_', '.'
_ALIAS_FORBIDDEN = "/:"
_VERSION = re.compile(r"v(0|[1-9][0-9]*)")
LATEST = "latest"
# The registry of models that ``link_model`` / ``"model-registry/<name>"`` link into, and
# the project every registry ``<name>`` lives in (``"wandb-registry-<name>"``): a registry
# collection is a collection of that project, across the entity's other projects.
REGISTRY_PREFIX = "wandb-registry-"
LEGACY_MODEL_REGISTRY = "model-registry"

Kind = Literal["sequence", "portfolio"]  # a collection of logged versions, or of links


class ArtifactNotFound(StoreError, CommError, KeyError, ValueError):
    """No artifact (collection, version or alias) by that name. Also the classes wandb
    raises for it, so code written for wandb catches it: ``ValueError`` (``run.use_artifact``)
    and ``CommError`` (``Api().artifact``, which turns every failure into one)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "artifact not found"


class ArtifactConflict(StoreError, CommError):
    """A change the catalog refuses (a collection logged under another type, a version
    with aliases deleted without ``delete_aliases``, a link of a link...). Also a
    ``CommError``: wandb's server refuses these, so code written for wandb catches that."""


def _check(kind: str, value: Any, pattern: re.Pattern[str], rule: str) -> str:
    if not isinstance(value, str):
        raise InvalidName(f"{kind} {value!r} is not valid: it is a {type(value).__name__}, not a str; {rule}")
    if not value or len(value) > NAME_MAX or not pattern.fullmatch(value):
        raise InvalidName(f"{kind} {value!r} is not valid; {rule}")
    return value


def check_artifact_name(value: Any) -> str:
    """``value`` if it may name an artifact collection, ``InvalidName`` otherwise."""
    return _check(
        "artifact name", value, _NAME, "an artifact name is 1-128 letters, digits, '-', '_' or '.' (no ':' or '/')"
    )


def check_type(value: Any) -> str:
    """``value`` if it may be an artifact type ("dataset", "model", ...)."""
    return _check("artifact type", value, _NAME, "an artifact type is 1-128 letters, digits, '-', '_' or '.'")


def _not_text(c: str) -> bool:
    """A control character, or a lone surrogate (no encoding, no home can keep it)."""
    return ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF


def check_alias(value: Any) -> str:
    """``value`` if a user may set it as an alias: not ``latest`` and not ``vN`` (the
    catalog keeps those), 1-128 characters without ``/`` or ``:``."""
    if not isinstance(value, str):
        raise InvalidName(f"alias {value!r} is not valid: it is a {type(value).__name__}, not a str")
    if value == LATEST or _VERSION.fullmatch(value):
        raise InvalidName(f"alias {value!r} is reserved: 'latest' and 'vN' are kept by wbnb itself")
    if not value or len(value) > NAME_MAX or any(c in _ALIAS_FORBIDDEN or _not_text(c) for c in value):
        raise InvalidName(f"alias {value!r} is not valid; an alias is 1-128 characters without '/', ':' or controls")
    return value


def version_index(alias: str) -> int | None:
    """N for ``"vN"``, None for any other alias."""
    return int(alias[1:]) if _VERSION.fullmatch(alias) else None


@dataclass(frozen=True)
class Entry:
    """One file of an artifact version: its ``path`` inside the artifact (POSIX, relative),
    ``digest`` (of its bytes, or see the module doc for references), ``size``
    in bytes (None when a reference does not say) and ``ref`` (the URI of a reference,
    None for a file stored in the catalog's blobs)."""

    path: str
    digest: str
    size: int | None
    ref: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "digest": self.digest, "size": self.size}
        if self.ref is not None:
            out["ref"] = self.ref
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(data["path"], data["digest"], data.get("size"), data.get("ref"))


def manifest_digest(entries: Iterable[Entry]) -> str:
    """A version's digest: the digest of its entries' ``path:digest`` lines in path order."""
    h = hasher()
    for e in sorted(entries, key=lambda e: e.path):
        h.update(f"{e.path}:{e.digest}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class RunRef:
    """A run by its project and id (the entity is the catalog's)."""

    project: str
    run_id: str


@dataclass(frozen=True)
class VersionRecord:
    """One version of a collection, as the catalog holds it. ``aliases`` includes
    ``latest`` on the collection's newest version. ``source_id`` is set on a version
    linked into a registry collection (the version it links to); ``logged_by`` is the
    run that logged it (the source's run, for a link)."""

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
    metadata: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    logged_by: RunRef | None = None
    source_id: str | None = None

    @property
    def version(self) -> str:
        return f"v{self.index}"


@dataclass(frozen=True)
class CollectionRecord:
    """A named series of versions in a project (``sequence``), or a registry
    collection of links (``portfolio``). ``updated_at`` is when its newest version was
    made (its ``created_at`` while it has none); ``id`` is the catalog's, kept across a
    rename."""

    project: str
    name: str
    type: str
    kind: Kind
    created_at: float
    version_count: int
    description: str | None = None
    id: str = ""
    updated_at: float = 0.0


@dataclass(frozen=True)
class Commit:
    """What ``Catalog.commit`` turns into a version: its collection (``project``,
    ``name``, ``type``), content (``entries``, whose blobs must already be stored),
    the user's ``description``, ``metadata`` and ``aliases``, and the ``run`` that logs it."""

    project: str
    name: str
    type: str
    entries: tuple[Entry, ...]
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    run: RunRef | None = None

    @property
    def digest(self) -> str:
        return manifest_digest(self.entries)

    @property
    def size(self) -> int:
        """Bytes of every entry whose size is known, references included (as wandb's
        ``artifact.size``)."""
        return sum(e.size or 0 for e in self.entries)
