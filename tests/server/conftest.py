"""Fixtures shared by the server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .pg import PostgresUnavailable, TempPostgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    """A throwaway PostgreSQL for the session (``pg.py``); its database is ``.url``.
    Fails, never skips, without PostgreSQL: CI installs Debian's ``postgresql``."""
    try:
        pg = TempPostgres()
    except PostgresUnavailable as e:
        pytest.fail(str(e), pytrace=False)
    with pg:
        yield pg
