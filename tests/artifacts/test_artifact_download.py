"""Downloads: where they land, the no-op fast path, verified copies (a damaged blob is
never placed), verify / checkout / file / files, references, and add(obj) / get."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import wbnb

from .conftest import write


def snapshot(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}


def logged_dataset(files: dict[str, str], name: str = "ds") -> wbnb.Artifact:
    art = wbnb.Artifact(name, type="dataset")
    for path, text in files.items():
        with art.new_file(path) as f:
            f.write(text)
    with wbnb.init(project="p") as run:
        return run.log_artifact(art)


def test_download_lands_in_artifacts_name_version(work: Path) -> None:
    art = logged_dataset({"a.txt": "a", "sub/b.txt": "b"})
    root = art.download()
    assert Path(root) == Path("artifacts/ds:v0").absolute()  # wandb's: absolute
    assert (Path(root) / "sub" / "b.txt").read_text() == "b"
    other = art.download(root=work / "elsewhere")
    assert (Path(other) / "a.txt").read_text() == "a"
    only = art.download(root=work / "prefix", path_prefix="sub/")
    assert sorted(p.name for p in Path(only).rglob("*.txt")) == ["b.txt"]


def test_download_in_place_touches_nothing(work: Path) -> None:
    art = logged_dataset({f"f{i:04}.txt": str(i) for i in range(200)})
    root = Path(art.download())
    before = snapshot(root)
    assert art.download() == os.fspath(root)
    assert snapshot(root) == before
    # a file changed behind its back is put right (and only then is anything written)
    (root / "f0007.txt").write_text("edited")
    art.download()
    assert (root / "f0007.txt").read_text() == "7"
    art.verify()


def test_verify_names_missing_changed_and_extra_files(work: Path) -> None:
    art = logged_dataset({"a.txt": "a", "b.txt": "b", "c.txt": "c"})
    root = Path(art.download())
    art.verify()
    (root / "a.txt").write_text("damaged")
    (root / "b.txt").unlink()
    (root / "extra.txt").write_text("x")
    with pytest.raises(ValueError) as caught:
        art.verify()
    message = str(caught.value)
    assert "changed: a.txt" in message and "missing: b.txt" in message and "not in the artifact: extra.txt" in message
    assert "c.txt" not in message


def test_damaged_blob_is_never_placed(work: Path, store_dir: Path) -> None:
    art = logged_dataset({"weights.bin": "good bytes"})
    blob = next(p for p in (store_dir / "artifacts" / "objects").rglob("*") if p.is_file())
    os.chmod(blob, 0o644)
    blob.write_text("evil bytes")
    with pytest.raises(ValueError, match="is damaged") as caught:
        art.download()
    assert str(blob) in str(caught.value)
    assert not (Path("artifacts/ds:v0") / "weights.bin").exists()
    assert [p.name for p in Path("artifacts/ds:v0").iterdir()] == []  # no temp file left


def test_edited_download_does_not_damage_the_store(work: Path) -> None:
    art = logged_dataset({"a.txt": "a"})
    root = Path(art.download())
    with open(root / "a.txt", "a") as f:
        f.write(" edited in place")
    fresh = Path(art.download(root=work / "fresh"))
    assert (fresh / "a.txt").read_text() == "a"


def test_checkout_removes_what_is_not_in_the_version(work: Path) -> None:
    art = logged_dataset({"a.txt": "a", "sub/b.txt": "b"})
    root = work / "co"
    write(root / "stale.txt", "old")
    write(root / "old" / "deep.txt", "old")
    assert art.checkout(root=str(root)) == str(root)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "a.txt",
        "sub",
        "sub/b.txt",
    ]
    art.verify(root=str(root))
    assert Path(art.checkout()) == Path("artifacts/ds").absolute()  # wandb's: the collection's name, no version


def test_file_and_files(work: Path) -> None:
    single = logged_dataset({"model.pt": "w"}, name="m")
    path = single.file()
    assert Path(path) == Path("artifacts/m:v0/model.pt").absolute() and Path(path).read_text() == "w"
    many = logged_dataset({"a.txt": "a", "b.txt": "b"})
    with pytest.raises(ValueError, match="has 2 files, not one"):
        many.file()
    assert [f.name for f in many.files()] == ["a.txt", "b.txt"]
    (only,) = many.files(names=["b.txt"])  # wandb's File: download() returns it opened
    with only.download(root=str(work / "one")) as f:
        assert Path(f.name).read_text() == "b"
    assert many.get_entry("b.txt").ref_url() == f"wandb-artifact://{many.id}/b.txt"


def test_references_download_and_missing_ones(work: Path) -> None:
    src = write(work / "outside" / "data.bin", "referenced")
    art = wbnb.Artifact("refs", "dataset")
    art.add_reference(src.as_uri())
    art.add_reference("s3://bucket/key.bin")
    with wbnb.init(project="p") as run:
        run.log_artifact(art)
    with pytest.raises(ValueError, match="cannot fetch s3:// references"):
        art.download()
    with pytest.warns(RuntimeWarning, match="s3://bucket/key.bin"):
        root = Path(art.download(allow_missing_references=True))
    assert (root / "data.bin").read_text() == "referenced"
    src.write_text("changed since")
    with pytest.raises(ValueError, match="is damaged"):
        art.download(root=str(work / "again"))


def test_add_table_and_image_then_get(work: Path) -> None:
    table = wbnb.Table(columns=["id", "label"], data=[[1, "cat"], [2, "dog"]])
    pixels = np.zeros((4, 6, 3), dtype=np.uint8)
    pixels[..., 0] = 255
    art = wbnb.Artifact("eval", "results")
    entry = art.add(table, "predictions")
    assert entry.path == "predictions.table.json"
    art.add(wbnb.Image(pixels, caption="red"), "samples/first")
    with wbnb.init(project="p") as run:
        run.log_artifact(art)
    back = wbnb.Api().artifact("p/eval:latest").get("predictions")
    assert back.columns == ["id", "label"] and back.data == [[1, "cat"], [2, "dog"]]
    image = art.get("samples/first")
    assert isinstance(image, wbnb.Image) and image.size == (6, 4) and image.caption == "red"
    assert art.get("nothing") is None  # wandb's get: None for no such object
    assert art["predictions"].columns == ["id", "label"]


def test_other_values_come_back_as_themselves(work: Path) -> None:
    art = wbnb.Artifact("media", "results")
    art.add(wbnb.Html("<p>hi</p>"), "page")
    art.add(wbnb.Audio(np.sin(np.linspace(0, 100, 800)), sample_rate=8000, caption="tone"), "sound")
    art.add(wbnb.Object3D(np.arange(30, dtype=float).reshape(10, 3)), "cloud")
    art.add(wbnb.Histogram([1, 2, 2, 3], num_bins=3), "hist")
    with wbnb.init(project="p") as run:
        run.log_artifact(art)
    assert isinstance(art.get("page"), wbnb.Html)
    sound = art.get("sound")
    assert isinstance(sound, wbnb.Audio) and sound.caption == "tone"
    assert isinstance(art.get("cloud"), wbnb.Object3D)
    hist = art.get("hist")
    assert isinstance(hist, wbnb.Histogram) and hist.histogram == [1, 2, 1]


def test_same_image_added_twice_is_stored_once(work: Path) -> None:
    pixels = np.full((2, 2), 7, dtype=np.uint8)
    art = wbnb.Artifact("imgs", "results")
    art.add(wbnb.Image(pixels), "a")
    art.add(wbnb.Image(pixels), "b")
    media = [p for p in art.manifest.entries if p.startswith("media/")]
    assert len(media) == 1


def test_http_reference_is_fetched_at_download(work: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    served = write(work / "served" / "weights.bin", "over http")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/weights.bin"
        art = wbnb.Artifact("remote", "model")
        (entry,) = art.add_reference(url)
        assert (entry.path, entry.ref, entry.size) == ("weights.bin", url, None)
        with wbnb.init(project="p") as run:
            run.log_artifact(art)
        assert (Path(art.download()) / "weights.bin").read_text() == "over http"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("path", ["../escaped.txt", "/tmp/wbnb-escaped.txt", "a/../../escaped.txt"])
def test_a_manifest_path_outside_the_root_is_never_written(work: Path, path: str) -> None:
    from blake3 import blake3

    from wbnb.artifacts.download import place
    from wbnb.store.catalog.records import Entry

    blob = work / "blob"
    blob.write_bytes(b"x")  # what a hostile server's manifest would point at
    entry = Entry(path, blake3(b"x").hexdigest(), 1)
    with pytest.raises(ValueError, match="relative path"):
        place([entry], work / "root", "k", lambda digest: blob)
    assert not (work / "escaped.txt").exists() and not Path("/tmp/wbnb-escaped.txt").exists()


def test_a_point_cloud_scene_comes_back_with_its_boxes(work: Path) -> None:
    corners = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    scene = {"type": "lidar/beta", "points": np.random.default_rng(0).random((5, 3)), "boxes": [{"corners": corners}]}
    art = wbnb.Artifact("scenes", "results")
    art.add(wbnb.Object3D(scene, caption="lidar"), "scene")
    with wbnb.init(project="p") as run:
        run.log_artifact(art)
    back = art.get("scene")
    assert isinstance(back, wbnb.Object3D) and back.caption == "lidar"
    assert back.scene["type"] == "lidar/beta" and back.scene["boxes"][0]["corners"] == corners
