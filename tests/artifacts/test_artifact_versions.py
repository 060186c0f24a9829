"""Logging artifacts on the local store: versions by content, aliases, vN / latest,
incremental artifacts, save() of edits, delete rules and what a logged artifact says."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from wbnb.artifacts.errors import ArtifactFinalizedError
from wbnb.store.catalog.records import ArtifactConflict, ArtifactNotFound
from wbnb.store.names import InvalidName

from .conftest import write


def blobs(store_dir: Path) -> list[Path]:
    return sorted(p for p in (store_dir / "artifacts" / "objects").rglob("*") if p.is_file())


def dataset(text: str, name: str = "ds") -> wbnb.Artifact:
    art = wbnb.Artifact(name, type="dataset")
    art.add_file(write("data.txt", text))
    return art


def test_logged_artifact_says_what_it_is(work: Path) -> None:
    with wbnb.init(project="p") as run:
        art = wbnb.Artifact("ds", "dataset", description="first", metadata={"rows": 2})
        art.add_file(write("data.txt", "a\nb\n"))
        logged = run.log_artifact(art, aliases=["best"])
        assert logged is art and not art.is_draft()
        assert (art.name, art.version, art.state, art.type) == ("ds:v0", "v0", "COMMITTED", "dataset")
        assert set(art.aliases) == {"latest", "best"}
        assert art.qualified_name == f"{run.entity}/p/ds:v0"
        assert (art.entity, art.project, art.file_count, art.size) == (run.entity, "p", 1, 4)
        assert (art.source_name, art.source_version, art.source_project, art.is_link) == ("ds:v0", "v0", "p", False)
        assert art.id and art.created_at and len(art.digest) == 64
        assert (art.description, art.metadata) == ("first", {"rows": 2})
        assert art.collection.name == "ds" and art.collection.type == "dataset"
        with pytest.raises(ArtifactFinalizedError, match="Artifact.add_file' used on logged artifact 'ds:v0'"):
            art.add_file("data.txt")


def test_identical_content_makes_no_new_version_and_no_new_bytes(work: Path, store_dir: Path) -> None:
    with wbnb.init(project="p") as run:
        first = run.log_artifact(dataset("same"))
        stored = blobs(store_dir)
        stamps = [p.stat().st_mtime_ns for p in stored]
        again = run.log_artifact(dataset("same"), aliases=["again"])
        assert (again.version, again.id) == ("v0", first.id)
        assert set(again.aliases) == {"latest", "again"}
        assert blobs(store_dir) == stored and [p.stat().st_mtime_ns for p in stored] == stamps
        changed = run.log_artifact(dataset("other"))
        assert changed.version == "v1" and len(blobs(store_dir)) == 2
        # back to the first content: v0 again, and latest stays on the newest version
        back = run.log_artifact(dataset("same"), aliases=["back"])
        assert back.version == "v0" and "latest" not in back.aliases
        assert wbnb.Api().artifact("p/ds:latest").version == "v1"


def test_path_artifacts_and_type_checks(work: Path) -> None:
    write("model.pt", "weights")
    with wbnb.init(project="p") as run:
        art = run.log_artifact("model.pt", type="model")
        assert (art.name, art.type) == (f"run-{run.id}-model.pt:v0", "model")
        named = wbnb.log_artifact("model.pt", name="weights", type="model")
        assert named.name == "weights:v0"
        with pytest.raises(ArtifactConflict):
            run.log_artifact(dataset("x", name="weights"))  # a collection has one type
        with pytest.raises(ValueError, match="neither a file, a folder nor a URI"):
            run.log_artifact("nothing-here.pt")


def test_aliases_move_and_resolve(work: Path) -> None:
    with wbnb.init(project="p") as run:
        run.log_artifact(dataset("one"), aliases=["best"])
        run.log_artifact(dataset("two"), aliases=["best", "latest"])  # 'latest' is accepted and ignored
        api = wbnb.Api()
        assert api.artifact("p/ds:best").version == "v1"
        assert "best" not in api.artifact("p/ds:v0").aliases
        assert run.use_artifact("ds:v0").version == "v0"
        assert run.use_artifact("ds").version == "v1"
        assert run.use_artifact(f"{run.entity}/p/ds:latest").version == "v1"
        with pytest.raises(ArtifactNotFound, match="nope"):
            run.use_artifact("ds:nope")
        with pytest.raises(ArtifactNotFound, match="v7"):
            run.use_artifact("ds:v7")
        with pytest.raises(ArtifactNotFound, match="missing"):
            run.use_artifact("missing:latest")
        with pytest.raises(ValueError, match="not 'model'"):
            run.use_artifact("ds:best", type="model")
        with pytest.raises(InvalidName, match="reserved"):
            run.log_artifact(dataset("three"), aliases=["v0"])


def test_save_keeps_edited_aliases_metadata_and_description(work: Path) -> None:
    with wbnb.init(project="p") as run:
        art = run.log_artifact(dataset("one"), aliases=["candidate"])
    art.aliases.remove("candidate")
    art.aliases.append("production")
    art.metadata["acc"] = 0.9
    art.description = "the good one"
    art.save()
    back = wbnb.Api().artifact("p/ds:production")
    assert back.id == art.id
    assert (back.metadata, back.description) == ({"acc": 0.9}, "the good one")
    assert "candidate" not in back.aliases
    art.aliases.append("bad/alias")
    with pytest.raises(InvalidName, match="bad/alias"):
        art.save()


def test_incremental_builds_on_the_latest_version(work: Path) -> None:
    with wbnb.init(project="p") as run:
        first = wbnb.Artifact("ds", "dataset")
        first.add_file(write("a.txt", "a"))
        first.add_file(write("b.txt", "b"))
        run.log_artifact(first)
        more = wbnb.Artifact("ds", "dataset", incremental=True)
        more.add_file(write("c.txt", "c"))
        more.remove("a.txt")
        logged = run.log_artifact(more)
        assert logged.version == "v1" and logged.incremental
        assert sorted(logged.manifest.entries) == ["b.txt", "c.txt"]


def test_delete_rules(work: Path) -> None:
    with wbnb.init(project="p") as run:
        old = run.log_artifact(dataset("one"), aliases=["keep"])
        run.log_artifact(dataset("two"))
    with pytest.raises(ArtifactConflict, match="keep"):
        old.delete()
    old.delete(delete_aliases=True)
    assert old.state == "DELETED"
    assert not wbnb.Api().artifact_exists("p/ds:v0")
    assert wbnb.Api().artifact_exists("p/ds:v1")


def test_module_level_calls_need_init() -> None:
    for call in (
        lambda: wbnb.log_artifact("x"),
        lambda: wbnb.use_artifact("x:latest"),
        lambda: wbnb.log_model("x"),
        lambda: wbnb.use_model("x"),
        lambda: wbnb.link_model("x", "m"),
    ):
        with pytest.raises(wbnb.PreInitError, match="before wbnb.init"):
            call()


def test_disabled_run_takes_artifact_calls(work: Path) -> None:
    with wbnb.init(project="p", mode="disabled") as run:
        art = dataset("x")
        assert run.log_artifact(art) is art and art.is_draft()
        with pytest.raises(wbnb.errors.UsageError, match="disabled run"):
            run.use_artifact("ds:latest")


def test_a_file_gone_before_logging_is_named(work: Path) -> None:
    art = dataset("x")
    Path("data.txt").unlink()
    with wbnb.init(project="p") as run:
        with pytest.raises(ValueError, match="artifact file 'data.txt': .*data.txt is gone since it was added"):
            run.log_artifact(art)
        assert art.is_draft()


def test_new_draft_changes_a_logged_version(work: Path) -> None:
    with wbnb.init(project="p") as run:
        first = wbnb.Artifact("ds", "dataset", metadata={"k": 1})
        first.add_file(write("a.txt", "a"))
        first.add_file(write("b.txt", "b"))
        run.log_artifact(first)
        draft = first.new_draft()
        assert draft.is_draft() and draft.metadata == {"k": 1}
        draft.remove("a.txt")
        draft.add_file(write("c.txt", "c"))
        second = run.log_artifact(draft)
        assert second.version == "v1" and sorted(second.manifest.entries) == ["b.txt", "c.txt"]


def test_a_new_file_is_read_once_hashed_while_copied(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_second_pass(path: object) -> None:
        raise AssertionError(f"{path} was hashed apart from its copy into the store")

    with wbnb.init(project="p") as run:
        art = wbnb.Artifact("m", "model")
        monkeypatch.setattr("wbnb.artifacts.draft.digest_file", no_second_pass)
        entry = art.add_file(write("model.pt", "weights"))
        run.log_artifact(art)
        monkeypatch.undo()
        assert entry.path == "model.pt" and art.get_entry("model.pt").size == 7


def test_save_of_a_draft_logs_it(work: Path) -> None:
    with wbnb.init(project="p") as run:
        art = dataset("in a run")
        art.save()
        assert art.version == "v0" and art.logged_by().id == run.id
        assert art.wait() is art  # on the local store it is where readers find it at once
    alone = dataset("no run open", name="solo")
    alone.save(project="p")  # wandb's: a run is made to log it
    assert wbnb.run is None
    assert wbnb.Api().artifact("p/solo:latest").logged_by().job_type == "auto"


def test_logging_big_files_shows_a_progress_bar(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("wbnb.progress.BIG", 1 << 20)  # what counts as big, so the test stays small
    write("a.bin", "a" * (1 << 20))
    write("b.bin", "b" * (1 << 20))
    with wbnb.init(project="p", settings={"silent": True}) as run:
        art = wbnb.Artifact("weights", "model")
        art.add_file("a.bin")
        art.add_file("b.bin")
        run.log_artifact(art)
    err = capsys.readouterr().err
    assert "log artifact weights [" in err and "2/2 MiB" in err
