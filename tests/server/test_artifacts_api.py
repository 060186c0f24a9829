"""Every ``Catalog`` operation through ``RemoteCatalog`` against a real ``wbnb server``
on each backend (files, PostgreSQL): the same answers as the catalog itself, and its
refusals as the catalog's own errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from wbnb.store.catalog.records import (
    ArtifactConflict,
    ArtifactNotFound,
    Commit,
    Entry,
    RunRef,
)
from wbnb.store.names import InvalidName
from wbnb.store.remote import AuthError

from .artifactsrv import BACKENDS, ArtifactServer, blob, serving


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    with serving(request, tmp_path_factory.mktemp("artifacts-api")) as srv:
        yield srv


def test_every_catalog_call_over_http(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    cat, sent = server.catalog(entity)
    (pa, a), (pb, b), (pc, c) = (
        blob(tmp_path, n, d) for n, d in (("a.txt", b"alpha"), ("d/b.bin", b"b" * 3000), ("c", b""))
    )
    assert cat.missing([a.digest, b.digest, c.digest]) == {a.digest, b.digest, c.digest}
    for path, e in ((pa, a), (pb, b), (pc, c)):
        cat.put_blob(path, e.digest, e.size or 0)
    assert cat.missing([a.digest, b.digest, c.digest]) == set()

    first = Commit(
        "p",
        "data",
        "dataset",
        (a, b, c),
        "the data",
        {"rows": 3, "nested": {"k": [1, 2.5]}},
        ("best",),
        RunRef("p", "r1"),
    )
    v0, created = cat.commit(first)
    assert created and v0.version == "v0" and {"latest", "best"} <= set(v0.aliases)
    assert (v0.project, v0.name, v0.type, v0.digest, v0.size, v0.file_count) == (
        "p",
        "data",
        "dataset",
        first.digest,
        3005,
        3,
    )
    assert v0.description == "the data" and v0.metadata == {"rows": 3, "nested": {"k": [1, 2.5]}}
    assert v0.logged_by == RunRef("p", "r1")
    same, created = cat.commit(Commit("p", "data", "dataset", (c, b, a), aliases=("again",)))
    assert not created and same.id == v0.id and "again" in same.aliases  # identical content: no new version

    v1, created = cat.commit(Commit("p", "data", "dataset", (a,), aliases=("best",), run=RunRef("p", "r1")))
    assert created and v1.version == "v1" and "latest" in v1.aliases
    assert cat.resolve("p", "data", "best").id == v1.id  # the alias moved
    assert cat.resolve("p", "data").id == v1.id and cat.resolve("p", "data", "v0").id == v0.id
    assert cat.get(v0.id).aliases == cat.resolve("p", "data", "again").aliases
    assert "latest" not in cat.get(v0.id).aliases

    assert cat.manifest(v0.id) == sorted([a, b, c], key=lambda e: e.path)
    cat.manifest_page = 1  # one entry a page: three pages
    assert cat.manifest(v0.id) == sorted([a, b, c], key=lambda e: e.path)
    assert sent.of("GET", "/manifest") == 1 + 3

    assert [v.id for v in cat.versions("p", "data")] == [v0.id, v1.id]
    [coll] = cat.collections()
    assert (coll.project, coll.name, coll.type, coll.kind, coll.version_count) == (
        "p",
        "data",
        "dataset",
        "sequence",
        2,
    )
    assert cat.collections(project="p", type="dataset") == [coll]
    assert cat.collections(type="model") == []
    assert cat.projects() == ["p"]

    assert "old" in cat.set_aliases(v0.id, ["old"]).aliases
    edited = cat.update(v0.id, {"description": "new", "metadata": {"x": [1, 2]}})
    assert edited.description == "new" and edited.metadata == {"x": [1, 2]}

    cat.use(v0.id, RunRef("p", "r2"))
    cat.use(v0.id, RunRef("p", "r2"))  # once, however often
    assert cat.used_by(v0.id) == [RunRef("p", "r2")]
    assert [v.id for v in cat.outputs(RunRef("p", "r1"))] == [v0.id, v1.id]
    assert [v.id for v in cat.inputs(RunRef("p", "r2"))] == [v0.id]

    link = cat.link(v1.id, "wandb-registry-model", "prod", ["production"])
    assert link.source_id == v1.id and "production" in link.aliases
    assert [x.id for x in cat.links(v1.id)] == [link.id]
    assert cat.resolve("wandb-registry-model", "prod", "production").id == link.id
    assert "wandb-registry-model" in cat.projects()

    assert cat.blob_file(b.digest).read_bytes() == b"b" * 3000
    downloads = sent.of("GET", "/blobs/")
    assert cat.blob_file(b.digest).read_bytes() == b"b" * 3000  # from the cache: nothing asked
    assert sent.of("GET", "/blobs/") == downloads
    assert cat.blob_file(c.digest).read_bytes() == b""

    with pytest.raises(ArtifactConflict):
        cat.delete(v0.id)  # it has a user alias
    cat.delete(v0.id, delete_aliases=True)
    with pytest.raises(ArtifactNotFound):
        cat.get(v0.id)


def test_refusals_are_the_catalogs_errors(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    cat, _ = server.catalog(entity)
    pa, a = blob(tmp_path, "a", b"a")
    cat.put_blob(pa, a.digest, 1)
    v, _ = cat.commit(Commit("p", "m", "model", (a,)))
    with pytest.raises(ArtifactNotFound, match="nope"):
        cat.resolve("p", "nope")
    with pytest.raises(ArtifactNotFound):
        cat.resolve("p", "m", "v7")
    with pytest.raises(ArtifactNotFound):
        cat.get("no-such-version")
    with pytest.raises(ArtifactNotFound):
        cat.versions("p", "nope")
    with pytest.raises(ArtifactConflict):
        cat.commit(Commit("p", "m", "dataset", (a,)))  # the collection holds models
    _, missing = blob(tmp_path, "never-uploaded", b"zzz")
    with pytest.raises(ArtifactConflict):
        cat.commit(Commit("p", "m", "model", (missing,)))
    with pytest.raises(InvalidName, match="reserved"):
        cat.set_aliases(v.id, ["latest"])
    with pytest.raises(InvalidName):
        cat.resolve("p", "a/b")  # refused before a request
    with pytest.raises(InvalidName, match="name"):
        cat.commit(Commit("p", "bad name!", "model", (a,)))
    with pytest.raises(ValueError):
        cat.update(v.id, {"type": "dataset"})
    with pytest.raises(FileNotFoundError):
        cat.blob_file("0" * 64)


def test_collections_are_edited_and_deleted_over_http(server: ArtifactServer, tmp_path: Path) -> None:
    cat, _ = server.catalog(server.entity())
    pa, a = blob(tmp_path, "a", b"a")
    cat.put_blob(pa, a.digest, 1)
    v, _ = cat.commit(Commit("p", "data", "dataset", (a,), aliases=("best",)))
    cat.commit(Commit("p", "other", "dataset", (a,)))
    listed = cat.collections("p")[0]
    assert listed.id and listed.updated_at == v.created_at
    described = cat.update_collection("p", "data", {"description": "raw"})
    assert described.description == "raw" and described.id == listed.id
    renamed = cat.update_collection("p", "data", {"name": "d.2"})
    assert (renamed.name, renamed.description) == ("d.2", "raw")
    assert cat.resolve("p", "d.2", "best").id == v.id
    with pytest.raises(ArtifactConflict, match="p/other exists"):
        cat.update_collection("p", "d.2", {"name": "other"})
    with pytest.raises(InvalidName):
        cat.update_collection("p", "d.2", {"name": None})
    with pytest.raises(ValueError, match="type"):
        cat.update_collection("p", "d.2", {"type": "model"})
    with pytest.raises(ArtifactNotFound, match="no artifact 'data'"):
        cat.update_collection("p", "data", {"description": "x"})
    link = cat.link(v.id, "wandb-registry-model", "champion")
    with pytest.raises(ArtifactConflict, match="wandb-registry-model/champion:v0"):
        cat.delete_collection("p", "d.2")
    cat.delete_collection("wandb-registry-model", "champion")
    with pytest.raises(ArtifactNotFound):
        cat.get(link.id)
    cat.delete_collection("p", "d.2")
    assert [c.name for c in cat.collections("p")] == ["other"]
    with pytest.raises(ArtifactNotFound):
        cat.delete_collection("p", "d.2")


def test_names_with_dots_and_odd_aliases_reach_the_server_whole(server: ArtifactServer, tmp_path: Path) -> None:
    cat, _ = server.catalog(server.entity())
    pa, a = blob(tmp_path, "a", b"a")
    cat.put_blob(pa, a.digest, 1)
    for name in ("..", ".", "a.b"):
        v, _ = cat.commit(Commit("p", name, "dataset", (a,), aliases=("..", "é %2F?#")))
        assert cat.resolve("p", name, "..").id == v.id == cat.resolve("p", name, "é %2F?#").id


def test_the_entity_of_the_key_only(server: ArtifactServer, tmp_path: Path) -> None:
    owner, other = server.entity(), server.entity()
    cat, _ = server.catalog(owner)
    pa, a = blob(tmp_path, "secret", b"only the owner's")
    cat.put_blob(pa, a.digest, a.size or 0)
    v, _ = cat.commit(Commit("p", "private", "dataset", (a,)))
    other_key = server.key(other)
    intruder, _ = server.catalog(owner, key=other_key)  # B's key, A's URLs
    for call in (
        lambda: intruder.resolve("p", "private"),
        lambda: intruder.get(v.id),
        lambda: intruder.projects(),
        lambda: intruder.missing([a.digest]),
        lambda: intruder.blob_file(a.digest),
        lambda: intruder.put_blob(pa, a.digest, a.size or 0),
        lambda: intruder.commit(Commit("p", "private", "dataset", (a,))),
        lambda: intruder.update_collection("p", "private", {"description": "mine"}),
        lambda: intruder.delete_collection("p", "private"),
    ):
        with pytest.raises(AuthError, match="403|belongs to entity"):
            call()
    own, _ = server.catalog(other, key=other_key)  # B in B's own catalog
    assert own.missing([a.digest]) == {a.digest}  # never says what A holds
    assert own.projects() == []
    with pytest.raises(FileNotFoundError):
        own.blob_file(a.digest)
    with pytest.raises(ArtifactNotFound):
        own.get(v.id)
    base = f"{server.url}/api/v1/entities/{other}/artifacts/blobs/{a.digest}"
    status = requests.get(base + "/upload", headers={"Authorization": f"Bearer {other_key}"}, timeout=10).json()
    assert status == {"digest": a.digest, "received": 0, "complete": False}


def test_text_is_kept_alike_in_every_home(server: ArtifactServer, tmp_path: Path) -> None:
    """PostgreSQL's text holds no NUL: it is refused everywhere (422, naming the field);
    metadata keeps any JSON text, and every home gives it back as sent."""
    cat, _ = server.catalog(server.entity())
    pa, a = blob(tmp_path, "a", b"a")
    cat.put_blob(pa, a.digest, 1)
    with pytest.raises(InvalidName, match="description.*NUL"):
        cat.commit(Commit("p", "t", "dataset", (a,), description="a\x00b"))
    with pytest.raises(InvalidName, match=r"entries\[0\].path.*NUL"):
        cat.commit(Commit("p", "t", "dataset", (Entry("a\x00b", a.digest, 1),)))
    odd = {"nul\x00key": "nul\x00value", "😀": ["é", 1.5, None, True]}
    v, _ = cat.commit(Commit("p", "t", "dataset", (a,), description="😀 é", metadata=odd))
    assert cat.get(v.id).metadata == odd and cat.get(v.id).description == "😀 é"
    with pytest.raises(InvalidName, match="metadata.*JSON"):
        cat.update(v.id, {"metadata": {"x": float("nan")}})
