"""Registry links, models (log_model / use_model / link_model), lineage edges and the
Api's artifact calls, on the local store."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from wbnb.store.catalog.records import ArtifactConflict, ArtifactNotFound
from wbnb.store.names import InvalidName

from .conftest import write


def test_link_into_a_registry_and_resolve_it(work: Path) -> None:
    write("model.pt", "weights")
    with wbnb.init(project="train") as run:
        art = run.log_model("model.pt", name="clf", aliases=["best"])
        link = run.link_artifact(art, "wandb-registry-model/classifier", aliases=["production"])
        assert (link.name, link.project, link.is_link) == ("classifier:v0", "wandb-registry-model", True)
        assert (link.source_name, link.source_project, link.source_artifact.id) == ("clf:v0", "train", art.id)
        assert link.qualified_name == f"{run.entity}/wandb-registry-model/classifier:v0"
    with wbnb.init(project="serve") as user:
        used = user.use_artifact("wandb-registry-model/classifier:production")
        assert used.source_name == "clf:v0"
        assert Path(used.download(), "model.pt").read_text() == "weights"
        assert Path(used.download()) == Path("artifacts/clf:v0").absolute()  # wandb's: under the source's name
    api = wbnb.Api()
    assert api.artifact("wandb-registry-model/classifier:production").source_qualified_name.endswith("train/clf:v0")
    (registry,) = api.registries()
    assert registry.name == "model"
    assert [c.name for c in registry.collections()] == ["classifier"]
    assert [v.name for v in registry.versions()] == ["classifier:v0"]
    legacy = art.link("model-registry/clf-legacy")
    assert api.artifact("model-registry/clf-legacy:latest").id == legacy.id
    with pytest.raises(InvalidName, match="names no registry"):
        art.link("just-a-name")
    with pytest.raises(ArtifactConflict, match="linked from"):
        art.delete(delete_aliases=True)  # a version a registry links to stays
    with pytest.raises(ValueError, match="is not a link"):
        art.unlink()
    legacy.unlink()
    link.delete()  # a link goes with its aliases; its source stays
    assert not api.artifact_exists("wandb-registry-model/classifier:production")
    assert api.artifact_exists("train/clf:best")


def test_models(work: Path) -> None:
    write("ckpt/model.pt", "w")
    write("ckpt/config.json", "{}")
    write("single.pt", "s")
    with wbnb.init(project="p") as run:
        folder = run.log_model("ckpt", name="net")
        assert (folder.type, folder.name) == ("model", "net:v0")
        wbnb.log_model("single.pt", name="tiny")
        link = wbnb.link_model("single.pt", "tiny-registered", aliases=["staging"])
        assert link.name == "tiny-registered:v0" and "staging" in link.aliases
        path = wbnb.use_model("tiny:latest")
        assert Path(path).name == "single.pt" and Path(path).read_text() == "s"
        folder_path = run.use_model("net:v0")
        assert sorted(p.name for p in Path(folder_path).iterdir() if not p.name.startswith(".")) == [
            "config.json",
            "model.pt",
        ]
        run.log_artifact(write("data.csv", "x").as_posix(), name="table", type="dataset")
        with pytest.raises(ValueError, match="not a model"):
            run.use_model("table:latest")
        linked = run.use_artifact("wandb-registry-model/tiny-registered:staging")
        assert linked.source_name == f"run-{run.id}-single.pt:v0"  # link_model's default name, as wandb's


def test_lineage_edges(work: Path) -> None:
    with wbnb.init(project="p", job_type="prep") as prep:
        art = wbnb.Artifact("ds", "dataset")
        art.add_file(write("raw.csv", "1,2"))
        prep.log_artifact(art)
    with wbnb.init(project="p", job_type="train") as train:
        used = train.use_artifact("ds:latest")
        train.use_artifact("ds:v0")  # once per run, however often
        model = wbnb.Artifact("m", "model")
        model.add_file(write("m.pt", "w"))
        train.log_artifact(model)
    assert used.logged_by().id == prep.id
    assert [r.id for r in used.used_by()] == [train.id]
    api = wbnb.Api()
    public = api.run(f"p/{train.id}")
    assert [a.name for a in public.used_artifacts()] == ["ds:v0"]
    assert [a.name for a in public.logged_artifacts()] == ["m:v0"]
    assert [a.name for a in api.run(f"p/{prep.id}").logged_artifacts()] == ["ds:v0"]
    assert api.artifact("p/m:v0").logged_by().id == train.id


def test_api_listing_calls(work: Path) -> None:
    with wbnb.init(project="p") as run:
        for text in ("a", "b"):
            art = wbnb.Artifact("ds", "dataset")
            art.add_file(write("f.txt", text))
            run.log_artifact(art)
        m = wbnb.Artifact("m", "model")
        m.add_file(write("m.pt", "w"))
        run.log_artifact(m)
    api = wbnb.Api()
    assert [a.version for a in api.artifacts("dataset", "p/ds")] == ["v0", "v1"]
    assert [a.version for a in api.artifact_versions("dataset", "p/ds")] == ["v0", "v1"]
    coll = api.artifact_collection("dataset", "p/ds")
    assert (coll.name, coll.type, coll.is_sequence(), coll.aliases) == ("ds", "dataset", True, ["latest"])
    assert [c.name for c in api.artifact_collections("p", "model")] == ["m"]
    assert [t.name for t in api.artifact_types("p")] == ["dataset", "model"]
    assert [c.name for c in api.artifact_type("model", "p").collections()] == ["m"]
    assert api.artifact_exists("p/ds:v1") and not api.artifact_exists("p/ds:v2")
    assert api.artifact_collection_exists("p/ds", "dataset") and not api.artifact_collection_exists("p/ds", "model")
    with pytest.raises(ValueError, match="not 'model'"):
        api.artifact("p/ds:v0", type="model")
    with pytest.raises(ArtifactNotFound, match="no artifact collection p/nope"):
        api.artifact_collection("dataset", "p/nope")
