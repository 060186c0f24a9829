"""Artifact code as wandb's docs and tutorials write it, run under ``import wbnb as wandb``:
the ``except`` clauses, registry paths and properties a wandb user relies on."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

import wbnb as wandb
from wbnb.data import base
from wbnb.store.catalog.records import ArtifactConflict


def _dataset(run: wandb.Run, text: str = "x,y\n1,2\n") -> wandb.Artifact:
    Path("train.csv").write_text(text)
    art = wandb.Artifact("ds", type="dataset")
    art.add_file(local_path="train.csv", name="train.csv")
    return run.log_artifact(art)


def test_a_missing_artifact_is_caught_by_wandbs_except_clauses(work: Path) -> None:
    # wandb: run.use_artifact raises ValueError, Api().artifact a CommError (normalize_exceptions).
    with wandb.init(project="p") as run:
        _dataset(run)
        for name in ("nope:latest", "ds:v9", "ds:no-such-alias"):
            with pytest.raises(ValueError, match="nope|v9|no-such-alias"):
                run.use_artifact(name)
    api = wandb.Api()
    for path in ("p/nope:latest", "p/ds:v9"):
        with pytest.raises(wandb.errors.CommError, match="nope|v9"):
            api.artifact(path)
        with pytest.raises(KeyError):  # wbnb's own class stays a KeyError
            api.artifact(path)
    assert api.artifact("p/ds:v0").version == "v0"


def test_model_registry_path_finds_what_link_model_linked(work: Path) -> None:
    # link_model links into wandb-registry-model; wandb code still reads the legacy path
    # (wandb's server redirects the migrated model-registry there).
    Path("model.pt").write_bytes(b"weights")
    with wandb.init(project="p") as run:
        run.link_model(path="model.pt", registered_model_name="clf", aliases=["staging"])
    with wandb.init(project="p") as run:
        legacy = run.use_artifact("model-registry/clf:staging")
        assert Path(legacy.file()).read_bytes() == b"weights"
        assert Path(run.use_model("model-registry/clf:latest")).read_bytes() == b"weights"
    assert wandb.Api().artifact("model-registry/clf:staging").qualified_name.endswith("wandb-registry-model/clf:v0")
    with pytest.raises(ValueError, match="'nope'"):
        wandb.Api().artifact("model-registry/nope:latest")


def test_registry_paths_with_an_organisation_prefix(work: Path) -> None:
    # wandb's registry docs prefix registry paths with the organisation.
    with wandb.init(project="p") as run:
        art = _dataset(run)
        run.link_artifact(art, "my-org/wandb-registry-dataset/golden", aliases=["prod"])
        used = run.use_artifact("my-org/wandb-registry-dataset/golden:prod")
        assert (Path(used.download()) / "train.csv").read_text() == "x,y\n1,2\n"
    linked = wandb.Api().artifact("my-org/wandb-registry-dataset/golden:prod")
    assert linked.source_name == "ds:v0" and "prod" in linked.aliases
    with pytest.raises(ValueError, match="another-entity"):  # a run's own project paths keep their entity check
        wandb.init(project="p").use_artifact("another-entity/p/ds:latest")


def test_link_model_refuses_a_path_for_the_registered_name(work: Path) -> None:
    Path("model.pt").write_bytes(b"weights")
    with wandb.init(project="p") as run, pytest.raises(ValueError, match="'team/clf'"):
        run.link_model(path="model.pt", registered_model_name="team/clf")


def test_ttl_and_tags_are_accepted_and_said_not_kept(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_said", set())
    Path("a.txt").write_text("a")
    art = wandb.Artifact("ds", type="dataset")
    art.add_file("a.txt")
    assert art.ttl is None
    with pytest.warns(RuntimeWarning, match="ttl is not applied"):
        art.ttl = timedelta(days=30)
    with pytest.raises(ValueError, match="positive"):
        art.ttl = timedelta(0)
    with pytest.raises(AttributeError, match="tags"):  # wandb: tags of a draft are ArtifactNotLoggedError
        art.tags  # noqa: B018
    with wandb.init(project="p") as run:
        run.log_artifact(art)
    assert art.ttl == timedelta(days=30)
    logged = wandb.Api().artifact("p/ds:latest")
    assert logged.ttl is None and logged.tags == []
    logged.tags.append("golden")
    with pytest.warns(RuntimeWarning, match="tags are not kept"):
        logged.save()


def test_a_collection_is_described_renamed_and_deleted(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_said", set())
    with wandb.init(project="p") as run:
        _dataset(run)
        art = _dataset(run, "x,y\n3,4\n")
        art.aliases.append("best")
        art.save()
        kept = wandb.Artifact("kept", type="dataset")
        kept.add_file("train.csv")
        run.log_artifact(kept)
    api = wandb.Api()
    collection = api.artifact_collection("dataset", "p/ds")
    assert collection.id and collection.is_sequence()
    assert collection.updated_at == art.created_at and collection.created_at <= collection.updated_at
    collection.description = "training rows"
    collection.save()
    assert api.artifact_collection("dataset", "p/ds").description == "training rows"
    collection.name = "rows"
    collection.save()
    renamed = api.artifact_collection("dataset", "p/rows")
    assert (renamed.id, renamed.description) == (collection.id, "training rows")
    assert [a.version for a in renamed.versions()] == ["v0", "v1"] and renamed.aliases == ["best", "latest"]
    assert api.artifact("p/rows:best").id == art.id
    with pytest.raises(wandb.errors.CommError):
        api.artifact("p/ds:latest")
    renamed.name = "kept"
    with pytest.raises(ArtifactConflict, match="p/kept exists"):
        renamed.save()
    with pytest.warns(RuntimeWarning, match="collection tags are not kept"):
        renamed.tags = ["golden"]
    assert renamed.tags == ["golden"]

    link = api.artifact("p/rows:v1").link("wandb-registry-dataset/golden")
    with pytest.raises(ArtifactConflict, match="wandb-registry-dataset/golden:v0.*unlink"):
        collection.delete()
    registry = api.artifact_collection("dataset", "wandb-registry-dataset/golden")
    assert not registry.is_sequence()
    registry.delete()  # the registry's links go, their source stays
    assert not api.artifact_exists(link.qualified_name) and api.artifact_exists("p/rows:v1")
    collection.delete()
    assert not api.artifact_collection_exists("p/rows", "dataset")
    assert api.artifact_collection_exists("p/kept", "dataset")


def test_updated_at_and_linked_artifacts(work: Path) -> None:
    with wandb.init(project="p") as run:
        art = _dataset(run)
        link = art.link("wandb-registry-dataset/golden")
    assert art.updated_at == art.created_at and art.updated_at
    assert [a.qualified_name for a in art.linked_artifacts] == [link.qualified_name]
    assert link.linked_artifacts == []


def test_add_dir_merge_new_file_policy_and_pages(work: Path) -> None:
    for folder, text in (("a", "same"), ("b", "same"), ("c", "changed")):
        Path(folder).mkdir()
        Path(folder, "f.txt").write_text(text)
    art = wandb.Artifact("ds", type="dataset")
    art.add_dir("a")
    art.add_dir("b")  # the same bytes at the same path: no conflict (wandb's rule)
    with pytest.raises(ValueError, match="f.txt"):
        art.add_dir("c")  # other bytes, merge=False: refused
    art.add_dir("c", merge=True)
    with art.new_file("notes.txt", mode="w", policy="immutable") as f:
        f.write("n")
    with wandb.init(project="p") as run:
        run.log_artifact(art)
    assert art.url == ""
    root = Path(art.download())
    assert (root / "f.txt").read_text() == "changed" and (root / "notes.txt").read_text() == "n"
    collection = wandb.Api().artifact_collection("dataset", "p/ds")
    assert [a.version for a in collection.artifacts(per_page=100)] == ["v0"]


def test_files_are_wandbs_file_downloaded_to_root_and_opened(work: Path) -> None:
    # A pattern from wandb code: for f in artifact.files(): f.download(root=..., replace=True).name
    Path("d").mkdir()
    Path("d/a.csv").write_text("a")
    Path("d/b.txt").write_text("b")
    with wandb.init(project="p") as run:
        art = wandb.Artifact("ds", type="dataset")
        art.add_dir("d")
        run.log_artifact(art)
    logged = wandb.Api().artifact("p/ds:latest")
    files = logged.files()
    assert [(f.name, f.size, f.mimetype) for f in files] == [("a.csv", 1, "text/csv"), ("b.txt", 1, "text/plain")]
    with files[0].download() as f:  # wandb's default root: "."
        assert f.read() == "a" and Path(f.name).resolve() == Path("a.csv").resolve()
    with pytest.raises(ValueError, match="replace=True"):
        files[0].download()
    Path("a.csv").write_text("edited")
    with files[0].download(exist_ok=True) as f:
        assert f.read() == "edited"
    with files[0].download(replace=True) as f:
        assert f.read() == "a"
    (only,) = logged.files(names=["b.txt"])
    with only.download(root="raw", replace=True) as f:
        assert Path(f.name).read_text() == "b"


def test_a_wrong_type_is_caught_as_wandb_raises_it(work: Path) -> None:
    with wandb.init(project="p") as run:
        _dataset(run)
        with pytest.raises(ValueError, match="use_artifact: artifact ds:v0 is of type 'dataset', not 'model'"):
            run.use_artifact("ds:latest", type="model")
    with pytest.raises(wandb.errors.CommError, match="of type 'dataset', not 'model'"):
        wandb.Api().artifact("p/ds:latest", type="model")
    assert wandb.Api().artifact("p/ds:latest", type="dataset").version == "v0"


def test_entry_ref_target_and_birth_artifact_id(work: Path) -> None:
    Path("ext").mkdir()
    Path("ext/data.bin").write_bytes(b"d")
    uri = Path("ext").resolve().as_uri()
    with wandb.init(project="p") as run:
        art = _dataset(run)
        refs = wandb.Artifact("refs", type="dataset")
        refs.add_reference(uri)
        run.log_artifact(refs)
    assert refs.get_entry("data.bin").ref_target() == f"{uri}/data.bin"
    assert refs.get_entry("data.bin").birth_artifact_id == refs.id
    with pytest.raises(ValueError, match="not a reference"):
        art.get_entry("train.csv").ref_target()


def test_new_draft_saved_outside_a_run_is_the_next_version(work: Path) -> None:
    # wandb's "create a new artifact version" guide: Api().artifact(...).new_draft(), add, save().
    with wandb.init(project="p") as run:
        _dataset(run)
    draft = wandb.Api().artifact("p/ds:latest").new_draft()
    Path("more.csv").write_text("z")
    draft.add_file("more.csv")
    draft.save()
    assert draft.qualified_name.endswith("/p/ds:v1")
    assert [f.name for f in wandb.Api().artifact("p/ds:v1").files()] == ["more.csv", "train.csv"]


def test_a_download_folder_holds_only_the_artifacts_files(work: Path) -> None:
    # wandb code lists a download (wandb's own use_model does): nothing of wbnb's in it.
    with wandb.init(project="p") as run:
        art = _dataset(run)
    root = art.download()
    assert os.listdir(root) == ["train.csv"]
    assert art.download() == root and os.listdir(root) == ["train.csv"]  # again: in place, nothing added
    with art.files()[0].download(root="here") as f:
        assert os.listdir("here") == ["train.csv"] and f.read() == "x,y\n1,2\n"


def test_reprs_are_wandbs(work: Path) -> None:
    with wandb.init(project="p") as run:
        art = _dataset(run)
    api = wandb.Api()
    assert repr(art) == f"<Artifact {art.id}>" and repr(wandb.Artifact("d", "dataset")) == "<Artifact d>"
    assert repr(api.artifact_collection("dataset", "p/ds")) == "<ArtifactCollection ds (dataset)>"
    assert repr(api.artifact_type("dataset", "p")) == "<ArtifactType dataset>"


def test_a_refused_change_is_caught_as_wandbs_comm_error(work: Path) -> None:
    with wandb.init(project="p") as run:
        run.log_artifact(_dataset(run), aliases=["best"])
    with pytest.raises(wandb.errors.CommError, match="alias"):
        wandb.Api().artifact("p/ds:best").delete()  # it has an alias: wandb's server refuses
