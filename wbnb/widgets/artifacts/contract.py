"""The ArtifactBrowser's contract (``js/artifacts/contract.ts`` is written from here).

Python reads one collection's versions into the ``_data`` trait, with every text the page
shows already written (sizes, times: ``textout``), so the page and the picture say the
same. ``selected`` (a version id) and ``compare`` (two version ids) sync both ways; the page
diffs the two versions' metadata, and asks for a version's files (``FilesRequest``) when
it is selected, which Python answers (``FilesReply``): a manifest may be long, so it
never sits in a trait.
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

MAX_VERSIONS = 200  # the newest versions listed (``total`` says how many there are)
MAX_FILES = 500  # the files of a version one reply lists


class RunLabel(TypedDict):
    """A run as the browser names it."""

    project: str
    id: str
    name: str


class VersionRow(TypedDict):
    """One version: what the list shows and what its details say when it is selected.
    ``links``: the registry versions linking to it, as ``project/name:vN``."""

    id: str
    version: str
    aliases: list[str]
    size: str
    files: int
    created: str
    digest: str
    description: str
    metadata: dict[str, Any]
    logged_by: RunLabel | None
    used_by: list[RunLabel]
    links: list[str]


class BrowserData(TypedDict):
    """The ``_data`` trait: a collection and its newest versions, newest first."""

    project: str
    name: str
    type: str
    kind: Literal["sequence", "portfolio"]
    total: int
    versions: list[VersionRow]


class FileRow(TypedDict):
    """One file of a version (``ref``: the URI of a reference, else null)."""

    path: str
    size: str
    digest: str
    ref: str | None


class FilesRequest(TypedDict):
    """The page asks for a version's files."""

    type: Literal["files"]
    version: str


class FilesReply(TypedDict):
    """A version's first ``MAX_FILES`` files in path order, and how many it has."""

    type: Literal["files"]
    version: str
    files: list[FileRow]
    total: int


TO_PAGE = (FilesReply,)
FROM_PAGE = (FilesRequest,)
