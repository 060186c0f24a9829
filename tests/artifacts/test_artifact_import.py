"""``import wbnb`` stays light: the artifact code (and sqlite3) load on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_import_wbnb_leaves_artifacts_until_used() -> None:
    code = (
        "import sys, wbnb\n"
        "heavy = ('wbnb.artifacts.artifact', 'wbnb.artifacts.draft', 'sqlite3', 'wbnb.store.catalog.sql')\n"
        "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n"
        "assert wbnb.Artifact('ds', 'dataset').is_draft()\n"
        "assert 'wbnb.artifacts.artifact' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
