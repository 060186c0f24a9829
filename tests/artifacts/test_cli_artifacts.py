"""``wbnb artifact ls|get|put|gc``: put logs from a run of job type auto (content dedup,
aliases), ls lists collections and versions, get downloads, gc frees; errors exit 1 with
what to do."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from blake3 import blake3

from wbnb.cli import main
from wbnb.store.catalog.cache import BlobCache


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_put_ls_get(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"a" * 10)
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_text("bee")
    code, out, _ = _run(capsys, "artifact", "put", str(folder), "--name", "ckpt", "--type", "model",
                        "--alias", "best", "--project", "p")  # fmt: skip
    assert code == 0 and "logged " in out and "ckpt:v0" in out and "wbnb artifact get p/ckpt" in out
    code, out, _ = _run(capsys, "artifact", "put", str(folder), "--name", "p/ckpt", "--type", "model")
    assert code == 0 and "ckpt:v0" in out  # the same content: no new version
    (folder / "a.bin").write_bytes(b"changed")
    assert _run(capsys, "artifact", "put", str(folder), "--name", "p/ckpt", "--type", "model")[0] == 0

    from wbnb import Api

    assert {r.job_type for r in Api().runs("p")} == {"auto"}

    code, out, _ = _run(capsys, "artifact", "ls")
    assert code == 0 and "p/ckpt" in out and "model" in out and "v1" in out
    code, out, _ = _run(capsys, "artifact", "ls", "p/ckpt")
    lines = out.splitlines()
    assert lines[0] == "p/ckpt (model, 2 versions)"
    assert lines[2].split()[:2] == ["v1", "latest"] and lines[3].split()[:2] == ["v0", "best"]

    code, out, _ = _run(capsys, "artifact", "get", "p/ckpt:best", "--root", str(tmp_path / "got"))
    assert code == 0 and str(tmp_path / "got") in out
    assert (tmp_path / "got" / "a.bin").read_bytes() == b"a" * 10 and (
        tmp_path / "got" / "sub" / "b.txt"
    ).read_text() == "bee"


def test_gc_trims_the_download_cache_and_leaves_a_servers_artifacts_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WBNB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WBNB_ARTIFACT_CACHE_MAX", "3000")
    cache = BlobCache(max_bytes=10**9)
    old = time.time() - 3600
    for i in range(4):  # 4,000 bytes downloaded an hour ago: over the 3,000 budget
        data = bytes([i]) * 1000
        os.utime(cache.add(blake3(data).hexdigest(), [data]), (old + i, old + i))
    monkeypatch.setattr("wbnb.cli_artifacts.Api", lambda overrides: SimpleNamespace(store=object()))  # a server's
    code, out, _ = _run(capsys, "artifact", "gc")
    assert code == 0 and "freed 2.0 KiB (budget 2.9 KiB)" in out and "a server's artifacts are its own" in out
    kept = (tmp_path / "cache" / "artifacts" / "objects").rglob("*")
    assert sorted(p.read_bytes()[:1] for p in kept if p.is_file()) == [b"\x02", b"\x03"]  # the least recently used went


def test_errors_say_what_to_do(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "artifact", "put", str(tmp_path / "absent"), "--name", "x", "--type", "model")
    assert code == 1 and "no file or folder at" in err
    (tmp_path / "f").write_text("1")
    assert (
        _run(capsys, "artifact", "put", str(tmp_path / "f"), "--name", "x", "--type", "model", "--project", "p")[0] == 0
    )
    code, _, err = _run(capsys, "artifact", "get", "p/x:nope")
    assert code == 1 and "nope" in err
    code, _, err = _run(capsys, "artifact", "put", str(tmp_path / "f"), "--name", "x", "--type", "model",
                        "--alias", "a/b", "--project", "p")  # fmt: skip
    assert code == 1 and "alias 'a/b' is not valid" in err
    code, out, _ = _run(capsys, "artifact", "ls", "empty")
    assert code == 0 and "no artifacts in project empty" in out
    with pytest.raises(SystemExit) as e:
        main(["artifact", "gc", "--keep-last", "0"])
    assert e.value.code == 2


def test_gc_dry_run_then_keep_last(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "w.pt"
    for i in range(3):
        f.write_bytes(bytes([i]) * 1000)
        assert _run(capsys, "artifact", "put", str(f), "--name", "p/ckpt", "--type", "model")[0] == 0
    code, out, _ = _run(capsys, "artifact", "gc", "--keep-last", "1", "--dry-run")
    assert code == 0 and "would delete p/ckpt:v0" in out and "would delete p/ckpt:v1" in out
    assert "run it again without --dry-run" in out
    assert _run(capsys, "artifact", "ls", "p/ckpt")[1].splitlines()[0] == "p/ckpt (model, 3 versions)"
    code, out, _ = _run(capsys, "artifact", "gc", "--keep-last", "1")
    assert code == 0 and "deleted p/ckpt:v1" in out
    assert out.strip().splitlines()[-1].startswith("freed 2.0 KiB: 2 versions, 2 unreferenced blobs")
    _, out, _ = _run(capsys, "artifact", "ls", "p/ckpt")
    assert out.splitlines()[0] == "p/ckpt (model, 1 version)"
