from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.artifacts.fill import new_catalog
from wbnb.store.catalog.sql import SqlCatalog


@pytest.fixture
def work(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh store (``store_dir``) and a working folder the test runs in, so default
    downloads (``./artifacts/<name>:vN``) land in it."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("WBNB_ARTIFACT_DIR", raising=False)
    monkeypatch.delenv("WANDB_ARTIFACT_DIR", raising=False)
    monkeypatch.setenv("WBNB_CACHE_DIR", str(tmp_path / "cache"))  # download markers and cache: the test's own
    yield folder


@pytest.fixture
def catalog(tmp_path: Path) -> SqlCatalog:
    """An empty catalog in ``tmp_path/catalog`` (``tmp_path/src``: a folder for the files
    it is filled from)."""
    (tmp_path / "src").mkdir()
    return new_catalog(tmp_path / "catalog")


def write(path: str | os.PathLike[str], text: str) -> Path:
    """Write a text file (making its folder) and return its path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p
