"""The homes every catalog test runs against: a local store's SQLite, and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from wbnb.store.catalog.sql import SqlCatalog

from .homes import Home

HOMES = ["sqlite", "postgres"]


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Home:
    """A fresh, empty home of each kind."""
    if request.param == "sqlite":
        return Home(tmp_path / "store")
    pg = request.getfixturevalue("postgres")
    return Home(tmp_path / "server", pg.url, f"e{uuid.uuid4().hex[:12]}")


@pytest.fixture
def catalog(home: Home) -> Iterator[SqlCatalog]:
    """The home's catalog, open for the test."""
    with home.open() as c:
        yield c
