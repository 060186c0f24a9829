from __future__ import annotations

from pathlib import Path

import pytest

from tests.artifacts.memcatalog import MemCatalog


@pytest.fixture
def catalog(tmp_path: Path) -> MemCatalog:
    """An empty catalog whose blobs live in ``tmp_path/objects``."""
    (tmp_path / "src").mkdir()
    return MemCatalog(tmp_path / "objects")
