"""The SQLite home's own troubles (a damaged file) as store errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from wbnb.store.base import StoreError
from wbnb.store.local import LocalStore


def test_a_damaged_catalog_file_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "artifacts" / "catalog.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"not a database " * 100)
    with pytest.raises(StoreError, match=r"catalog\.sqlite.*check the disk"):
        LocalStore(tmp_path).catalog.collections()
