"""``LocalBlobs``: files stored once by content, read once, never under a wrong name."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from blake3 import blake3

from tests.waiting import wait_for
from wbnb.store.catalog.blobs import LocalBlobs
from wbnb.store.catalog.digest import CHUNK


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_add_stores_the_bytes_once(tmp_path: Path) -> None:
    blobs = LocalBlobs(tmp_path / "objects")
    data = os.urandom(CHUNK * 2 + 123)  # more than one read
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    digest, size = blobs.add(src)
    assert (digest, size) == (blake3(data).hexdigest(), len(data))
    assert blobs.path(digest) == tmp_path / "objects" / digest[:2] / digest
    assert blobs.path(digest).read_bytes() == data
    assert os.stat(blobs.path(digest)).st_ino != os.stat(src).st_ino  # a copy: the user may edit src
    copy = tmp_path / "copy.bin"
    copy.write_bytes(data)
    stored = _files(blobs.root)
    assert blobs.add(copy) == (digest, size)
    assert _files(blobs.root) == stored and list(blobs.temps()) == []  # no new bytes
    assert list(blobs.digests()) == [digest] and blobs.missing([digest, "0" * 64]) == {"0" * 64}
    src.write_bytes(b"edited")
    assert blobs.path(digest).read_bytes() == data


def test_an_immutable_file_is_hard_linked(tmp_path: Path) -> None:
    blobs = LocalBlobs(tmp_path / "objects")
    src = tmp_path / "ckpt.pt"
    src.write_bytes(b"weights" * 1000)
    digest, size = blobs.add(src, policy="immutable")
    assert os.stat(blobs.path(digest)).st_ino == os.stat(src).st_ino and size == 7000
    again = tmp_path / "again.pt"
    again.write_bytes(b"weights" * 1000)
    assert blobs.add(again, policy="immutable") == (digest, size)
    assert os.stat(again).st_nlink == 1 and list(blobs.temps()) == []  # the stored one stays


def test_put_verifies_the_bytes(tmp_path: Path) -> None:
    blobs = LocalBlobs(tmp_path / "objects")
    src = tmp_path / "upload"
    src.write_bytes(b"payload")
    good = blake3(b"payload").hexdigest()
    with pytest.raises(ValueError, match="hash"):
        blobs.put(src, "e" * 64, 7)
    with pytest.raises(ValueError, match="7 bytes"):
        blobs.put(src, good, 8)
    assert list(blobs.digests()) == [] and list(blobs.temps()) == []
    blobs.put(src, good, 7)
    assert blobs.path(good).read_bytes() == b"payload"
    assert blobs.remove(good) and not blobs.remove(good) and blobs.missing([good]) == {good}


@pytest.mark.parametrize("digest", ["../../etc/passwd", "A" * 64, "a" * 63, ""])
def test_a_digest_is_never_a_path(tmp_path: Path, digest: str) -> None:
    with pytest.raises(ValueError, match="BLAKE3"):
        LocalBlobs(tmp_path).path(digest)


def test_a_process_killed_while_adding_leaves_only_a_temp_file(tmp_path: Path) -> None:
    blobs = LocalBlobs(tmp_path / "objects")
    fifo = tmp_path / "slow-source"
    os.mkfifo(fifo)  # the child reads what this test writes, and no more
    child = multiprocessing.get_context("spawn").Process(target=blobs.add, args=(fifo,), daemon=True)
    child.start()
    try:
        with open(fifo, "wb") as f:
            f.write(b"x" * CHUNK)
            f.flush()
            wait_for(lambda: any(t.stat().st_size > 0 for t in blobs.temps()), 60, "the child's first bytes")
            child.kill()  # while the source is open: closing it first would let the child finish
            child.join()
    finally:
        if child.is_alive():
            child.kill()
            child.join()
    assert list(blobs.digests()) == [] and len(list(blobs.temps())) == 1
    assert blobs.missing([blake3(b"x" * CHUNK).hexdigest()])


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_add_hashes_the_stored_bytes_with_or_without_the_kernel_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    if not kernel_copy:
        monkeypatch.delattr(os, "copy_file_range", raising=False)  # macOS, or an old kernel
    data = os.urandom(CHUNK * 3 + 7)  # several chunks and a short last one
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    blobs = LocalBlobs(tmp_path / "objects")
    digest, size = blobs.add(src)
    assert (digest, size) == (blake3(data).hexdigest(), len(data))
    assert blobs.path(digest).read_bytes() == data
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert blobs.add(empty) == (blake3(b"").hexdigest(), 0)


def test_put_consuming_moves_a_finished_upload_in_instead_of_copying(tmp_path: Path) -> None:
    data = os.urandom(CHUNK + 5)
    upload = tmp_path / "upload.part"
    upload.write_bytes(data)
    inode = upload.stat().st_ino
    blobs = LocalBlobs(tmp_path / "objects")
    digest = blake3(data).hexdigest()
    blobs.put(upload, digest, len(data), consume=True)
    assert not upload.exists() and blobs.path(digest).stat().st_ino == inode  # moved: written once
    assert blobs.path(digest).read_bytes() == data
    wrong = tmp_path / "wrong.part"
    wrong.write_bytes(b"not it")
    with pytest.raises(ValueError, match="hash"):
        blobs.put(wrong, blake3(b"other").hexdigest(), 6, consume=True)
    assert list(blobs.temps()) == [] and len(list(blobs.digests())) == 1  # refused bytes never stay
