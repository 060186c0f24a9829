"""The download cache of a remote catalog (``store/catalog/cache.py``): only verified
bytes enter it, and it stays within its budget by evicting the least recently used
files, never one just placed, one in use, or one being written."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from blake3 import blake3

from wbnb.store.catalog.cache import RECENT, STALE_TEMP, BlobCache, default_budget, default_root, parse_size


def _sha(data: bytes) -> str:
    return blake3(data).hexdigest()


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_verified_bytes_only(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, max_bytes=1 << 20)
    good = cache.add(_sha(b"hello"), [b"hel", b"lo"])
    assert good.read_bytes() == b"hello" and cache.get(_sha(b"hello")) == good
    with pytest.raises(ValueError, match="hash"):
        cache.add(_sha(b"other"), [b"not other"])
    assert cache.get(_sha(b"other")) is None
    assert list((tmp_path / "tmp").iterdir()) == []  # the failed download left nothing


def test_a_download_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)

    def broken() -> Iterator[bytes]:
        yield b"x"
        raise ConnectionError("gone")

    with pytest.raises(ConnectionError):
        cache.add(_sha(b"x"), broken())
    assert cache.get(_sha(b"x")) is None and list((tmp_path / "tmp").iterdir()) == []


def test_least_recently_used_go_first_within_the_budget(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, max_bytes=350)
    blobs = {name: bytes([i]) * 100 for i, name in enumerate("abc")}
    paths = {name: cache.add(_sha(data), [data]) for name, data in blobs.items()}
    for n, name in enumerate("abc"):  # a: used longest ago
        _age(paths[name], 10 * RECENT - n)
    cache.get(_sha(blobs["a"]))  # used again just now: the newest, and in use
    d = bytes([9]) * 100
    placed = cache.add(_sha(d), [d])  # 400 bytes: over the budget, down to 90% of it (315)
    assert cache.get(_sha(blobs["b"])) is None  # the least recently used that is not in use
    assert cache.get(_sha(blobs["c"])) is not None and cache.get(_sha(blobs["a"])) is not None and placed.exists()


def test_the_file_just_placed_stays_even_over_the_budget(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, max_bytes=10)
    big = b"x" * 100
    assert cache.add(_sha(big), [big]).exists()


def test_abandoned_downloads_are_cleared_and_live_ones_kept(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, max_bytes=0)
    (tmp_path / "tmp").mkdir(parents=True)
    old, live = tmp_path / "tmp" / "old", tmp_path / "tmp" / "live"
    old.write_bytes(b"o")
    live.write_bytes(b"l")
    _age(old, STALE_TEMP + 60)
    cache.evict()
    assert not old.exists() and live.exists()


def test_where_and_how_much_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WBNB_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("WBNB_ARTIFACT_CACHE_MAX", "2GiB")
    assert default_root() == tmp_path / "c" / "artifacts" and default_budget() == 2 << 30
    monkeypatch.delenv("WBNB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_root() == tmp_path / "x" / "wbnb" / "artifacts"
    monkeypatch.delenv("WBNB_ARTIFACT_CACHE_MAX")
    assert default_budget() == 10 << 30
    assert [parse_size(s) for s in ("123", "500MB", "10GiB", "1.5k", " 2 gb ")] == [
        123,
        500_000_000,
        10 << 30,
        1500,
        2_000_000_000,
    ]
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")
