"""Artifacts that survive what processes do to them: a forked child, a finished run."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wbnb
from wbnb.artifacts import hashing
from wbnb.store.catalog.records import ArtifactNotFound

from .conftest import write


def _in_child(call: Callable[[], object]) -> str:
    """Run ``call`` in a forked child; what it raised (or ``"returned"``)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's report comes back through the pipe
        os.close(r)
        try:
            call()
            said = "returned"
        except BaseException as e:  # any outcome is reported
            said = f"{type(e).__name__}: {e}"
        os.write(w, said.encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as f:
        return f.read().decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_logs_into_its_parents_run(work: Path) -> None:
    run = wbnb.init(project="p")
    run.log_artifact(_base(work))

    def child_logs() -> None:
        a = wbnb.Artifact("from-child", "dataset")
        a.add_file(str(write("c.txt", "child")))
        run.log_artifact(a)

    said = _in_child(child_logs)
    assert said.startswith("RuntimeError") and "belongs to process" in said and "wbnb.init()" in said
    said = _in_child(lambda: run.use_artifact("base:latest"))
    assert said.startswith("RuntimeError") and "use_artifact" in said
    with pytest.raises(ArtifactNotFound):
        wbnb.Api().artifact("p/from-child:latest")
    assert [r.id for r in wbnb.Api().artifact("p/base:latest").used_by()] == []  # no edge from the child
    run.log_artifact(_base(work, "after"))  # the parent's run goes on logging
    run.finish()


def _base(work: Path, text: str = "b") -> wbnb.Artifact:
    a = wbnb.Artifact("base", "dataset")
    a.add_file(str(write(work / "b.txt", text)))
    return a


def test_a_finished_run_refuses_artifact_calls(work: Path) -> None:
    run = wbnb.init(project="p")
    run.log_artifact(_base(work))
    run.finish()
    with pytest.raises(RuntimeError, match="is finished"):
        run.log_artifact(_base(work, "late"))
    with pytest.raises(RuntimeError, match="is finished"):
        run.use_artifact("base:latest")
    assert wbnb.Api().artifact("p/base:latest").version == "v0"  # nothing logged late


def test_a_file_that_is_also_a_folder_of_another_is_refused_before_a_version(work: Path) -> None:
    """'a' beside 'a/b' made a version no download could ever place."""
    run = wbnb.init(project="p")
    a = wbnb.Artifact("ds", "dataset")
    a.add_file(str(write("x", "x")), name="a")
    a.add_file(str(write("y", "y")), name="a/b")
    with pytest.raises(ValueError, match="'a' as a file and as the folder of 'a/b'"):
        run.log_artifact(a)
    with pytest.raises(ArtifactNotFound):
        wbnb.Api().artifact("p/ds:latest")
    run.finish()


def test_logging_the_bytes_again_repairs_a_blob_cut_short(work: Path, store_dir: Path) -> None:
    """A stored file cut short (a full disk, a crash of the disk's cache) was kept as it
    was; now the same bytes logged again replace it, and every version naming it reads whole."""
    run = wbnb.init(project="p")
    first = _base(work, "weights " * 1000)
    run.log_artifact(first)
    (blob,) = [p for p in (store_dir / "artifacts" / "objects").glob("??/*") if p.is_file()]
    blob.chmod(0o644)
    with open(blob, "r+b") as f:
        f.truncate(100)
    again = wbnb.Artifact("other", "dataset")
    again.add_file(str(work / "b.txt"))
    run.log_artifact(again)
    for a in (first, again):
        root = Path(a.download(root=str(work / "out" / a.name)))
        assert (root / "b.txt").read_text() == "weights " * 1000
        a.verify(root=str(root))
    run.finish()


def test_threads_downloading_one_version_into_one_folder_all_get_it(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They wrote through one temp name (per process): all but one failed, or hashed another's bytes."""
    run = wbnb.init(project="p")
    run.log_artifact(_base(work, "weights " * 10_000))
    run.finish()
    threads = 4
    inside = threading.Barrier(threads, timeout=30)
    copy = hashing.copy_file_digesting

    def together(*args: Any) -> Any:
        inside.wait()  # every thread has opened its temp file before any copies
        return copy(*args)

    monkeypatch.setattr(hashing, "copy_file_digesting", together)
    failed: list[BaseException] = []

    def download() -> None:
        try:
            wbnb.Api().artifact("p/base:latest").download(root=str(work / "shared"))
        except BaseException as e:  # reported below
            failed.append(e)

    pool = [threading.Thread(target=download) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert failed == []
    assert (work / "shared" / "b.txt").read_text() == "weights " * 10_000
    wbnb.Api().artifact("p/base:latest").verify(root=str(work / "shared"))


def test_threads_logging_one_artifact_object_get_one_version_and_every_alias(work: Path) -> None:
    write("w.bin", "weights")
    with wbnb.init(project="p", settings={"silent": True}) as run:
        art = wbnb.Artifact("m", type="model")
        art.add_file("w.bin")
        errors: list[BaseException] = []

        def log(i: int) -> None:
            try:
                run.log_artifact(art, aliases=[f"t{i}"])
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=log, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    (version,) = wbnb.Api().artifacts("model", "p/m")
    assert sorted(a for a in version.aliases if a != "latest") == ["t0", "t1", "t2", "t3"]


def test_new_file_at_a_folder_of_another_is_a_clear_error(work: Path) -> None:
    art = wbnb.Artifact("d", type="dataset")
    with art.new_file("a") as f:
        f.write("file")
    with art.new_file("a/b") as f:  # staged; the pair is refused when logged, naming both
        f.write("inside")
    with wbnb.init(project="p", settings={"silent": True}) as run, pytest.raises(ValueError, match="'a'.*'a/b'|a/b"):
        run.log_artifact(art)
