"""The artifact widgets' static pictures stay readable SVG whatever a name holds: a run
name with a control character (which XML cannot hold, even escaped) is drawn as U+FFFD
instead of leaving the whole picture unreadable in a saved notebook."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import wbnb
from wbnb.widgets import ArtifactBrowser, LineageGraph, RunPanel

NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]  # raises if not well-formed


def test_control_characters_in_names_leave_the_pictures_readable(store_dir: Path, tmp_path: Path) -> None:
    run = wbnb.init(project="p", name="bell\x07run")
    art = wbnb.Artifact("ds", "dataset")
    with art.new_file("a.txt") as f:
        f.write("x")
    run.log_artifact(art)
    run.use_artifact("ds:latest")
    version = wbnb.Api().artifact("p/ds:latest")
    assert "bell\ufffdrun" in _texts(LineageGraph(version).to_svg())
    browser = ArtifactBrowser("p/ds")
    assert any("bell\ufffdrun" in t for t in _texts(browser.to_svg()))
    assert any("bell\ufffdrun" in t for t in _texts(RunPanel(run).to_svg()))
    run.finish(quiet=True)
