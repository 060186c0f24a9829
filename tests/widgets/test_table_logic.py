"""The front ends' node unit tests (tests/js/*.test.ts): the run table's filter parser, multi-key
sort, cell text and column choice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"


def test_filter_and_sort_node_tests(tmp_path: Path) -> None:
    node = shutil.which("node")
    if not node or not ESBUILD.exists():
        pytest.skip("needs node and npm deps (npm ci)")
    tests = sorted((ROOT / "tests" / "js").glob("*.test.ts"))
    assert tests
    out = []
    for src in tests:
        dest = tmp_path / (src.stem + ".mjs")
        subprocess.run(
            [
                str(ESBUILD),
                str(src),
                "--bundle",
                "--format=esm",
                "--platform=node",
                f"--outfile={dest}",
                "--log-level=warning",
            ],
            check=True,
            cwd=ROOT,
        )
        out.append(str(dest))
    proc = subprocess.run([node, "--test", *out], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
