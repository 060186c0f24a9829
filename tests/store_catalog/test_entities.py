"""A server's catalogs (``Backend.catalog``): one per entity, and no entity reads,
uses, links or finds the bytes of another's artifacts, in both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wbnb.server.backend import Backend
from wbnb.server.files import FilesBackend
from wbnb.store.catalog.records import ArtifactNotFound, RunRef
from wbnb.store.names import InvalidName

from .homes import commit


@pytest.fixture(params=["files", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "files":
        b: Backend = FilesBackend(tmp_path / "root")
    else:
        from wbnb.server.postgres import PostgresBackend

        b = PostgresBackend(request.getfixturevalue("postgres").url, tmp_path / "root")
    yield b
    b.close()


def test_entities_never_see_each_others_artifacts(backend: Backend, tmp_path: Path) -> None:
    ours, theirs = backend.catalog("alice"), backend.catalog("bob")
    v, _ = commit(theirs, {"secret.txt": b"bob's"}, tmp_path, aliases=("best",))
    digest = theirs.manifest(v.id)[0].digest
    assert ours.collections() == [] and ours.projects() == [] and ours.missing([digest]) == {digest}
    for read in (
        lambda: ours.get(v.id),
        lambda: ours.manifest(v.id),
        lambda: ours.resolve("proj", "data", "best"),
        lambda: ours.versions("proj", "data"),
        lambda: ours.used_by(v.id),
        lambda: ours.links(v.id),
        lambda: ours.use(v.id, RunRef("proj", "r")),
        lambda: ours.link(v.id, "wandb-registry-model", "stolen"),
        lambda: ours.set_aliases(v.id, ["mine"]),
        lambda: ours.update(v.id, {"description": "mine"}),
        lambda: ours.delete(v.id, delete_aliases=True),
    ):
        with pytest.raises(ArtifactNotFound):
            read()
    with pytest.raises(FileNotFoundError):
        ours.blob_file(digest)
    mine, new = commit(ours, {"secret.txt": b"bob's"}, tmp_path, aliases=("best",))
    assert new and mine.version == "v0" and mine.id != v.id  # the same names, its own version
    assert theirs.get(v.id).aliases == ("latest", "best") and theirs.used_by(v.id) == []
    assert backend.catalog("alice").get(mine.id) == mine  # the same catalog each call
    with pytest.raises(InvalidName):
        backend.catalog("a/b")
