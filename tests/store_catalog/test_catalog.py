"""The catalog's rules (``store/catalog/base.py``), the same in every home: versions by
content, aliases, types, deletion, lineage, registry links, and the blobs a commit needs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from wbnb.store.catalog.records import ArtifactConflict, ArtifactNotFound, Commit, Entry, RunRef, manifest_digest
from wbnb.store.catalog.sql import SqlCatalog
from wbnb.store.names import InvalidName

from .homes import Home, commit, stored

RUN = RunRef("proj", "run1")


def digest(data: bytes) -> str:
    return blake3(data).hexdigest()


def _names(records: list) -> list[str]:
    return [f"{r.name}:{r.version}" for r in records]


# -- versions by content ----------------------------------------------------------------


def test_versions_are_numbered_by_distinct_content(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, new0 = commit(catalog, {"a.txt": b"one"}, tmp_path, run=RUN, metadata={"n": 1}, description="first")
    v1, new1 = commit(catalog, {"a.txt": b"two", "b/c.bin": b"\x00" * 10}, tmp_path)
    assert (new0, new1) == (True, True)
    assert (v0.version, v1.version) == ("v0", "v1")
    assert v1.size == 13 and v1.file_count == 2 and v1.digest == manifest_digest(catalog.manifest(v1.id))
    assert v0.metadata == {"n": 1} and v0.description == "first" and v0.logged_by == RUN and v0.type == "dataset"
    assert catalog.manifest(v1.id) == [Entry("a.txt", digest(b"two"), 3), Entry("b/c.bin", digest(b"\x00" * 10), 10)]
    assert catalog.blob_file(digest(b"\x00" * 10)).read_bytes() == b"\x00" * 10
    assert catalog.resolve("proj", "data").id == v1.id
    assert catalog.resolve("proj", "data", "v0").aliases == ()
    assert catalog.get(v1.id).aliases == ("latest",)
    assert _names(catalog.versions("proj", "data")) == ["data:v0", "data:v1"]


def test_content_identical_to_any_earlier_version_makes_none(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a.txt": b"one"}, tmp_path)
    commit(catalog, {"a.txt": b"two"}, tmp_path, aliases=("best",))
    again, new = commit(catalog, {"a.txt": b"one"}, tmp_path, aliases=("old",), run=RUN, metadata={"ignored": 1})
    assert not new and again.id == v0.id
    assert again.aliases == ("old",) and again.logged_by == RUN and again.metadata == {}
    assert catalog.resolve("proj", "data").version == "v1"  # latest never moves back
    assert len(catalog.versions("proj", "data")) == 2


def test_a_version_keeps_its_first_logger(catalog: SqlCatalog, tmp_path: Path) -> None:
    commit(catalog, {"a": b"x"}, tmp_path, run=RUN)
    again, _ = commit(catalog, {"a": b"x"}, tmp_path, run=RunRef("proj", "other"))
    assert again.logged_by == RUN
    assert _names(catalog.outputs(RUN)) == ["data:v0"] and catalog.outputs(RunRef("proj", "other")) == []


def test_references_need_no_blob_and_count_the_size_they_say(catalog: SqlCatalog) -> None:
    ref = Entry("remote.csv", "f" * 64, None, "s3://bucket/remote.csv")
    sized = Entry("local.csv", "e" * 64, 12, "file:///data/local.csv")
    v, _ = catalog.commit(Commit("proj", "refs", "dataset", (ref, sized)))
    assert v.size == 12 and catalog.manifest(v.id) == [sized, ref]  # wandb's size counts references


def test_an_empty_artifact_is_a_version(catalog: SqlCatalog) -> None:
    v, new = catalog.commit(Commit("proj", "empty", "dataset", ()))
    assert new and v.file_count == 0 and catalog.manifest(v.id) == []


def test_a_deleted_index_is_never_given_again(catalog: SqlCatalog, tmp_path: Path) -> None:
    commit(catalog, {"a": b"0"}, tmp_path)
    v1, _ = commit(catalog, {"a": b"1"}, tmp_path)
    catalog.delete(v1.id)
    assert catalog.resolve("proj", "data").version == "v0"
    again, new = commit(catalog, {"a": b"1"}, tmp_path)
    assert new and again.version == "v2"


# -- aliases ----------------------------------------------------------------------------


def test_an_alias_is_unique_in_its_collection_and_moves(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a": b"0"}, tmp_path, aliases=("best", "epoch-0"))
    v1, _ = commit(catalog, {"a": b"1"}, tmp_path, aliases=("best",))
    other, _ = commit(catalog, {"a": b"0"}, tmp_path, name="other", aliases=("best",))
    assert catalog.get(v0.id).aliases == ("epoch-0",)
    assert catalog.get(v1.id).aliases == ("latest", "best")
    assert catalog.resolve("proj", "data", "best").id == v1.id
    assert catalog.resolve("proj", "other", "best").id == other.id  # another collection's own
    moved = catalog.set_aliases(v0.id, ["best", "production"])
    assert moved.aliases == ("best", "production")  # epoch-0 dropped, best moved back
    assert catalog.get(v1.id).aliases == ("latest",)
    with pytest.raises(ArtifactNotFound, match="epoch-0"):
        catalog.resolve("proj", "data", "epoch-0")


@pytest.mark.parametrize("alias", ["latest", "v0", "v12", "a/b", "a:b", "", 3])
def test_reserved_and_malformed_aliases_are_refused(catalog: SqlCatalog, tmp_path: Path, alias: object) -> None:
    with pytest.raises(InvalidName):
        commit(catalog, {"a": b"0"}, tmp_path, aliases=(alias,))
    assert catalog.collections() == []
    v, _ = commit(catalog, {"a": b"0"}, tmp_path)
    with pytest.raises(InvalidName):
        catalog.set_aliases(v.id, [alias])  # type: ignore[list-item]


def test_aliases_as_one_string_are_refused(catalog: SqlCatalog, tmp_path: Path) -> None:
    v, _ = commit(catalog, {"a": b"0"}, tmp_path)
    with pytest.raises(TypeError, match="list"):
        catalog.set_aliases(v.id, "best")


def test_resolving_what_is_not_there_says_what_is(catalog: SqlCatalog, tmp_path: Path) -> None:
    commit(catalog, {"a": b"0"}, tmp_path, aliases=("best",))
    commit(catalog, {"a": b"1"}, tmp_path)
    with pytest.raises(ArtifactNotFound, match=r"v0, v1.*best") as e:
        catalog.resolve("proj", "data", "prod")
    assert "prod" in str(e.value)
    with pytest.raises(ArtifactNotFound, match="v0, v1"):
        catalog.resolve("proj", "data", "v7")
    with pytest.raises(ArtifactNotFound, match=r"'nope'.*it has data"):
        catalog.resolve("proj", "nope")
    with pytest.raises(ArtifactNotFound, match="no artifacts"):
        catalog.versions("empty-project", "data")
    with pytest.raises(ArtifactNotFound):
        catalog.get("0" * 32)


# -- types, names, edits ----------------------------------------------------------------


def test_a_collection_has_one_type(catalog: SqlCatalog, tmp_path: Path) -> None:
    commit(catalog, {"a": b"0"}, tmp_path)
    with pytest.raises(ArtifactConflict, match=r"'dataset', not 'model'"):
        commit(catalog, {"a": b"1"}, tmp_path, type="model")
    assert len(catalog.versions("proj", "data")) == 1


@pytest.mark.parametrize("field", [{"name": "a/b"}, {"name": "a:b"}, {"type": "bad type"}, {"project": "a/b"}])
def test_bad_names_are_refused(catalog: SqlCatalog, field: dict[str, Any]) -> None:
    with pytest.raises(InvalidName):
        catalog.commit(replace(Commit("proj", "data", "dataset", ()), **field))


def test_a_file_named_twice_is_refused(catalog: SqlCatalog, tmp_path: Path) -> None:
    (e,) = stored(catalog, {"a": b"0"}, tmp_path)
    with pytest.raises(ValueError, match="twice"):
        catalog.commit(Commit("proj", "data", "dataset", (e, e)))


def test_description_and_metadata_are_editable(catalog: SqlCatalog, tmp_path: Path) -> None:
    v, _ = commit(catalog, {"a": b"0"}, tmp_path, metadata={"x": 1})
    edited = catalog.update(v.id, {"description": "new", "metadata": {"y": [1, 2.5, None]}})
    assert edited.description == "new" and edited.metadata == {"y": [1, 2.5, None]}
    assert catalog.get(v.id) == edited
    with pytest.raises(ValueError, match="digest"):
        catalog.update(v.id, {"digest": "x"})
    with pytest.raises(ValueError, match="dict"):
        catalog.update(v.id, {"metadata": [1]})


def test_collections_and_projects(catalog: SqlCatalog, tmp_path: Path) -> None:
    assert catalog.collections() == [] and catalog.projects() == []
    commit(catalog, {"a": b"0"}, tmp_path, name="b-set")
    commit(catalog, {"a": b"1"}, tmp_path, name="b-set")
    commit(catalog, {"a": b"0"}, tmp_path, name="a-model", type="model")
    commit(catalog, {"a": b"0"}, tmp_path, name="z", project="other")
    listed = [(c.project, c.name, c.type, c.kind, c.version_count) for c in catalog.collections()]
    assert listed == [
        ("other", "z", "dataset", "sequence", 1),
        ("proj", "a-model", "model", "sequence", 1),
        ("proj", "b-set", "dataset", "sequence", 2),
    ]
    assert [c.name for c in catalog.collections(project="proj", type="model")] == ["a-model"]
    assert catalog.projects() == ["other", "proj"]


# -- deletion ---------------------------------------------------------------------------


def test_delete_rules(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a": b"0"}, tmp_path, aliases=("best",), run=RUN)
    v1, _ = commit(catalog, {"a": b"1"}, tmp_path)
    catalog.use(v0.id, RunRef("proj", "reader"))
    with pytest.raises(ArtifactConflict, match="best.*delete_aliases"):
        catalog.delete(v0.id)
    link = catalog.link(v0.id, "wandb-registry-model", "champion")
    with pytest.raises(ArtifactConflict, match="wandb-registry-model/champion:v0"):
        catalog.delete(v0.id, delete_aliases=True)
    catalog.delete(link.id)
    catalog.delete(v0.id, delete_aliases=True)
    catalog.delete(v1.id)  # "latest" is no user alias
    assert catalog.versions("proj", "data") == []
    assert catalog.inputs(RunRef("proj", "reader")) == [] and catalog.outputs(RUN) == []
    with pytest.raises(ArtifactNotFound):
        catalog.manifest(v0.id)
    with pytest.raises(ArtifactNotFound, match="best"):
        catalog.resolve("proj", "data", "best")


def test_a_collection_is_described_and_renamed_with_its_versions(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a": b"0"}, tmp_path, aliases=("best",), run=RUN)
    v1, _ = commit(catalog, {"a": b"1"}, tmp_path)
    catalog.use(v0.id, RunRef("proj", "reader"))
    link = catalog.link(v0.id, "wandb-registry-model", "champion")
    before = catalog.collections("proj")[0]
    assert before.id and before.updated_at == catalog.get(v1.id).created_at >= before.created_at
    described = catalog.update_collection("proj", "data", {"description": "raw images"})
    assert described == replace(before, description="raw images")
    renamed = catalog.update_collection("proj", "data", {"name": "images"})
    assert renamed == replace(described, name="images")  # the same id, description and versions
    assert _names(catalog.versions("proj", "images")) == ["images:v0", "images:v1"]
    assert catalog.resolve("proj", "images", "best").id == v0.id
    assert catalog.get(link.id).source_id == v0.id and catalog.outputs(RUN)[0].name == "images"
    assert catalog.inputs(RunRef("proj", "reader"))[0].name == "images"
    with pytest.raises(ArtifactNotFound, match="no artifact 'data'.*images"):
        catalog.versions("proj", "data")
    commit(catalog, {"a": b"0"}, tmp_path, name="labels")
    with pytest.raises(ArtifactConflict, match="proj/labels exists"):
        catalog.update_collection("proj", "images", {"name": "labels"})
    with pytest.raises(InvalidName):
        catalog.update_collection("proj", "images", {"name": "a/b"})
    with pytest.raises(ValueError, match="type"):
        catalog.update_collection("proj", "images", {"type": "model"})
    with pytest.raises(ArtifactNotFound, match="no artifact 'data'"):
        catalog.update_collection("proj", "data", {"description": "x"})
    assert catalog.update_collection("proj", "images", {"description": None}).description is None


def test_deleting_a_collection_deletes_its_versions_unless_linked(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a": b"0"}, tmp_path, aliases=("best",), run=RUN)
    commit(catalog, {"a": b"1"}, tmp_path)
    catalog.use(v0.id, RunRef("proj", "reader"))
    keep, _ = commit(catalog, {"a": b"0"}, tmp_path, name="other")
    link = catalog.link(v0.id, "wandb-registry-model", "champion", aliases=["prod"])
    with pytest.raises(ArtifactConflict, match="wandb-registry-model/champion:v0.*unlink"):
        catalog.delete_collection("proj", "data")
    catalog.delete_collection("wandb-registry-model", "champion")  # a registry's links go, their sources stay
    with pytest.raises(ArtifactNotFound):
        catalog.get(link.id)
    assert catalog.get(v0.id).aliases == ("best",)
    catalog.delete_collection("proj", "data")  # aliases too (wandb's)
    assert [c.name for c in catalog.collections()] == ["other"]
    with pytest.raises(ArtifactNotFound):
        catalog.manifest(v0.id)
    assert catalog.inputs(RunRef("proj", "reader")) == [] and catalog.outputs(RUN) == []
    assert catalog.referenced() == {e.digest for e in catalog.manifest(keep.id)}  # blobs wait for gc
    with pytest.raises(ArtifactNotFound, match="no artifact 'data'"):
        catalog.delete_collection("proj", "data")
    again, _ = commit(catalog, {"a": b"0"}, tmp_path)  # the name is free: a new collection from v0
    assert again.version == "v0" and again.id != v0.id


# -- lineage ----------------------------------------------------------------------------


def test_use_is_recorded_once_per_run_in_order(catalog: SqlCatalog, tmp_path: Path) -> None:
    a, _ = commit(catalog, {"a": b"0"}, tmp_path, name="a", run=RUN)
    b, _ = commit(catalog, {"a": b"1"}, tmp_path, name="b", run=RUN)
    r1, r2 = RunRef("proj", "r1"), RunRef("proj", "r2")
    for version, run in [(b, r1), (a, r1), (b, r1), (b, r2), (a, r1)]:
        catalog.use(version.id, run)
    assert catalog.used_by(b.id) == [r1, r2] and catalog.used_by(a.id) == [r1]
    assert _names(catalog.inputs(r1)) == ["b:v0", "a:v0"] and _names(catalog.inputs(r2)) == ["b:v0"]
    assert _names(catalog.outputs(RUN)) == ["a:v0", "b:v0"]
    with pytest.raises(ArtifactNotFound):
        catalog.use("0" * 32, r1)


# -- registry links ---------------------------------------------------------------------


def test_links_share_their_source_and_dedupe(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"w.pt": b"0"}, tmp_path, name="ckpt", type="model", run=RUN)
    v1, _ = commit(catalog, {"w.pt": b"1"}, tmp_path, name="ckpt", type="model", run=RUN)
    l0 = catalog.link(v0.id, "wandb-registry-model", "sprites", aliases=["staging"])
    again = catalog.link(v0.id, "wandb-registry-model", "sprites", aliases=["production"])
    assert again.id == l0.id and again.aliases == ("latest", "production", "staging")
    l1 = catalog.link(v1.id, "wandb-registry-model", "sprites", aliases=["production"])
    assert (l0.version, l1.version) == ("v0", "v1")
    assert catalog.get(l0.id).aliases == ("staging",)
    assert l1.source_id == v1.id and l1.logged_by == RUN and l1.type == "model" and l1.digest == v1.digest
    assert catalog.manifest(l1.id) == catalog.manifest(v1.id)
    assert catalog.resolve("wandb-registry-model", "sprites", "production").id == l1.id
    via_link = catalog.link(l1.id, "model-registry", "sprites")  # a link's source is linked
    assert via_link.source_id == v1.id
    assert [(r.project, r.version) for r in catalog.links(v1.id)] == [
        ("wandb-registry-model", "v1"),
        ("model-registry", "v0"),
    ]
    assert catalog.outputs(RUN) == [catalog.get(v0.id), catalog.get(v1.id)]  # links are no outputs
    kinds = {(c.project, c.name): (c.kind, c.type) for c in catalog.collections()}
    assert kinds[("wandb-registry-model", "sprites")] == ("portfolio", "model")
    assert "wandb-registry-model" in catalog.projects()


def test_links_and_logged_collections_do_not_mix(catalog: SqlCatalog, tmp_path: Path) -> None:
    model, _ = commit(catalog, {"w": b"0"}, tmp_path, name="ckpt", type="model")
    data, _ = commit(catalog, {"d": b"0"}, tmp_path, name="set", type="dataset")
    catalog.link(model.id, "wandb-registry-model", "best")
    with pytest.raises(ArtifactConflict, match="registry"):
        commit(catalog, {"w": b"9"}, tmp_path, name="best", project="wandb-registry-model", type="model")
    with pytest.raises(ArtifactConflict, match="not registry links"):
        catalog.link(model.id, "proj", "set")
    with pytest.raises(ArtifactConflict, match="'model', not 'dataset'"):
        catalog.link(data.id, "wandb-registry-model", "best")


# -- blobs ------------------------------------------------------------------------------


def test_a_commit_refuses_entries_whose_bytes_are_not_stored(catalog: SqlCatalog, tmp_path: Path) -> None:
    (kept,) = stored(catalog, {"kept.txt": b"here"}, tmp_path)
    lost = Entry("lost.bin", "a" * 64, 3)
    assert catalog.missing([kept.digest, lost.digest]) == {lost.digest}
    with pytest.raises(ArtifactConflict, match="lost.bin"):
        catalog.commit(Commit("proj", "data", "dataset", (kept, lost)))
    assert catalog.collections() == []
    with pytest.raises(FileNotFoundError):
        catalog.blob_file(lost.digest)


def test_put_blob_refuses_bytes_that_hash_differently(catalog: SqlCatalog, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_bytes(b"actual")
    with pytest.raises(ValueError, match="hash"):
        catalog.put_blob(src, "b" * 64, 6)
    assert catalog.missing(["b" * 64]) == {"b" * 64}


def test_referenced_names_the_blobs_versions_still_need(catalog: SqlCatalog, tmp_path: Path) -> None:
    v0, _ = commit(catalog, {"a": b"old", "shared": b"s"}, tmp_path)
    commit(catalog, {"a": b"new", "shared": b"s"}, tmp_path)
    (loose,) = stored(catalog, {"loose": b"never committed"}, tmp_path)
    ref = Entry("r", "d" * 64, None, "s3://b/r")
    catalog.commit(Commit("proj", "refs", "dataset", (ref,)))
    assert catalog.referenced() == {digest(b"old"), digest(b"new"), digest(b"s")}
    catalog.delete(v0.id)
    assert catalog.referenced() == {digest(b"new"), digest(b"s")}
    assert loose.digest not in catalog.referenced() and not catalog.missing([loose.digest])


def test_reads_of_an_empty_store_create_nothing(home: Home) -> None:
    with home.open() as catalog:
        assert catalog.collections() == [] and catalog.projects() == []
        assert catalog.missing(["c" * 64]) == {"c" * 64}
        with pytest.raises(ArtifactNotFound):
            catalog.resolve("proj", "data")
    assert not home.root.exists()
