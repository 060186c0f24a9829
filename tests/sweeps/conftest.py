"""The homes every sweep book test runs against (a local store's SQLite, and PostgreSQL), and
the store a CLI agent's trials log to."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from wbnb.sweeps.sql import SqlSweepBook

from .homes import BookHome

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose subprocesses (a CLI agent's trials) import this checkout's wbnb."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return store_dir


@pytest.fixture(params=["sqlite", "postgres"])
def book_home(request: pytest.FixtureRequest, tmp_path: Path) -> BookHome:
    """A fresh, empty home of each kind (on PostgreSQL: an entity of its own)."""
    if request.param == "sqlite":
        return BookHome(tmp_path / "store")
    pg = request.getfixturevalue("postgres")
    return BookHome(tmp_path / "server", pg.url, f"e{uuid.uuid4().hex[:12]}")


@pytest.fixture
def book(book_home: BookHome) -> Iterator[SqlSweepBook]:
    """The home's book, open for the test."""
    with book_home.open() as b:
        yield b
