"""A draft artifact: what add_file / add_dir / new_file / add_reference / add / remove
collect, and the errors that name what is wrong (no store needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from blake3 import blake3

import wbnb
from wbnb.artifacts.errors import ArtifactNotLoggedError
from wbnb.store.names import InvalidName

from .conftest import write


def sha(text: str) -> str:
    return blake3(text.encode()).hexdigest()


def test_add_file_names_and_digests(tmp_path: Path) -> None:
    f = write(tmp_path / "data.csv", "a,b\n1,2\n")
    art = wbnb.Artifact("ds", type="dataset", description="d", metadata={"rows": 1})
    entry = art.add_file(f)
    assert (entry.path, entry.digest, entry.size, entry.ref) == ("data.csv", sha("a,b\n1,2\n"), 8, None)
    art.add_file(f, name="raw/copy.csv")
    assert sorted(art.manifest.entries) == ["data.csv", "raw/copy.csv"]
    assert art.get_entry("raw/copy.csv").digest == entry.digest
    assert (art.name, art.type, art.description, art.metadata, art.state) == (
        "ds",
        "dataset",
        "d",
        {"rows": 1},
        "PENDING",
    )
    assert art.is_draft() and art.id is None and art.size == 16
    assert len(art.digest) == 64


def test_add_dir_keeps_relative_paths_under_name(tmp_path: Path) -> None:
    write(tmp_path / "d" / "x.txt", "x")
    write(tmp_path / "d" / "sub" / "y.txt", "y")
    art = wbnb.Artifact("ds", "dataset")
    art.add_dir(tmp_path / "d")
    assert sorted(art.manifest.entries) == ["sub/y.txt", "x.txt"]
    named = wbnb.Artifact("ds", "dataset")
    named.add_dir(tmp_path / "d", name="images")
    assert sorted(named.manifest.entries) == ["images/sub/y.txt", "images/x.txt"]


def test_new_file_modes(tmp_path: Path) -> None:
    art = wbnb.Artifact("notes", "text")
    with art.new_file("a/readme.md") as f:
        f.write("hello")
    assert art.get_entry("a/readme.md").digest == sha("hello")
    with pytest.raises(ValueError, match="already has a file at 'a/readme.md'"):
        with art.new_file("a/readme.md") as f:
            f.write("again")
    with art.new_file("a/readme.md", mode="w") as f:
        f.write("replaced")
    assert art.get_entry("a/readme.md").digest == sha("replaced")
    with pytest.raises(ValueError, match="mode must be"):
        with art.new_file("b.txt", mode="a"):
            pass


def test_is_tmp_names_the_file_by_its_digest(tmp_path: Path) -> None:
    f = write(tmp_path / "pred.json", "{}")
    art = wbnb.Artifact("preds", "eval")
    entry = art.add_file(f, name="out/pred.json", is_tmp=True)
    assert entry.path == f"out/{sha('{}')[:20]}.json"


def test_references(tmp_path: Path) -> None:
    write(tmp_path / "shards" / "0.bin", "zero")
    write(tmp_path / "shards" / "1.bin", "one")
    art = wbnb.Artifact("refs", "dataset")
    entries = art.add_reference((tmp_path / "shards").as_uri(), name="shards")
    assert [(e.path, e.digest, e.size) for e in entries] == [
        ("shards/0.bin", sha("zero"), 4),
        ("shards/1.bin", sha("one"), 3),
    ]
    assert entries[0].ref == (tmp_path / "shards" / "0.bin").as_uri()
    unhashed = art.add_reference((tmp_path / "shards" / "0.bin").as_uri(), name="plain.bin", checksum=False)
    assert unhashed[0].digest == sha((tmp_path / "shards" / "0.bin").as_uri())
    s3 = art.add_reference("s3://bucket/path/model.pt")
    assert (s3[0].path, s3[0].digest, s3[0].size, s3[0].ref) == (
        "model.pt",
        sha("s3://bucket/path/model.pt"),
        None,
        "s3://bucket/path/model.pt",
    )
    assert art.size == 0  # references are not stored bytes
    with pytest.raises(ValueError, match="more than max_objects=1"):
        art.add_reference((tmp_path / "shards").as_uri(), max_objects=1)
    with pytest.raises(ValueError, match="names no file or folder"):
        art.add_reference((tmp_path / "nope").as_uri())


def test_remove_file_folder_and_entry(tmp_path: Path) -> None:
    write(tmp_path / "d" / "x.txt", "x")
    write(tmp_path / "d" / "sub" / "y.txt", "y")
    write(tmp_path / "top.txt", "t")
    art = wbnb.Artifact("ds", "dataset")
    art.add_dir(tmp_path / "d")
    top = art.add_file(tmp_path / "top.txt")
    art.remove("sub")
    assert sorted(art.manifest.entries) == ["top.txt", "x.txt"]
    art.remove(top)
    assert sorted(art.manifest.entries) == ["x.txt"]
    with pytest.raises(FileNotFoundError, match="No such file or directory: gone.txt"):
        art.remove("gone.txt")


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    art = wbnb.Artifact("ds", "dataset")
    with pytest.raises(ValueError, match="path is not a file: .*missing.txt"):
        art.add_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="path is not a directory"):
        art.add_dir(tmp_path / "missing")
    with pytest.raises(InvalidName, match="artifact name 'a/b'"):
        wbnb.Artifact("a/b", "dataset")
    with pytest.raises(InvalidName, match="artifact type"):
        wbnb.Artifact("ok", "a type")
    with pytest.raises(KeyError, match="no file 'x.txt'"):
        art.get_entry("x.txt")
    with pytest.raises(ValueError, match="not valid"):
        art.add_file(write(tmp_path / "f.txt", "f"), name="../escape.txt")
    f = write(tmp_path / "g.txt", "g")
    art.add_file(f, name="same.txt")
    with pytest.raises(ValueError, match="already has a file at 'same.txt'"):
        art.add_file(write(tmp_path / "h.txt", "h"), name="same.txt")
    art.add_file(tmp_path / "h.txt", name="same.txt", overwrite=True)
    with pytest.raises(TypeError, match="metadata must be a dict"):
        art.metadata = ["x"]  # type: ignore[assignment]


def test_logged_only_calls_say_to_log_first() -> None:
    art = wbnb.Artifact("ds", "dataset")
    for call in (
        lambda: art.version,
        lambda: art.download(),
        lambda: art.entity,
        lambda: art.used_by(),
        lambda: art.aliases,
    ):
        with pytest.raises(ArtifactNotLoggedError, match="prior to logging"):
            call()
    with pytest.raises(AttributeError):  # wandb's ArtifactNotLoggedError is an AttributeError
        _ = art.created_at


def test_add_refuses_what_is_not_a_wbnb_value() -> None:
    with pytest.raises(TypeError, match="dict is not a wbnb value"):
        wbnb.Artifact("ds", "dataset").add({"a": 1}, "table")


def test_add_keeps_the_object_already_at_a_name_unless_overwrite() -> None:
    art = wbnb.Artifact("t", "results")
    first = art.add(wbnb.Table(columns=["a"], data=[[1]]), "table")
    again = art.add(wbnb.Table(columns=["a"], data=[[2]]), "table")
    assert again.digest == first.digest
    art["table"] = wbnb.Table(columns=["a"], data=[[3]])  # wandb's item assignment: add, no overwrite
    assert art.get_entry("table.table.json").digest == first.digest
    replaced = art.add(wbnb.Table(columns=["a"], data=[[2]]), "table", overwrite=True)
    assert replaced.digest != first.digest
