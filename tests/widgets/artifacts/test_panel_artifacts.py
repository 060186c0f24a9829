"""RunPanel's artifacts section: the versions a run used and logged, as text, shown once
the run has any (a panel made before its first artifact gains the section on flush)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from wbnb.widgets import Curves, RunPanel
from wbnb.widgets.panel.artifacts import RunArtifacts

XSS = "<img src=x onerror=alert(1)>"


def _artifact(tmp_path: Path, name: str, type: str, text: str) -> wbnb.Artifact:
    (tmp_path / name).write_text(text)
    art = wbnb.Artifact(name, type)
    art.add_file(str(tmp_path / name))
    return art


def test_section_lists_inputs_and_outputs_as_text(store_dir: Path, tmp_path: Path) -> None:
    maker = wbnb.init(project="panel")
    maker.log_artifact(_artifact(tmp_path, "data", "dataset", "1"))
    maker.finish(quiet=True)
    run = wbnb.init(project="panel", reinit="create_new")
    wbnb.log({"loss": 1.0})
    panel = RunPanel(run)
    assert panel.artifacts is None and panel.get_state()["_artifacts"] is None  # no artifacts: no section
    run.use_artifact("data:latest")
    run.log_artifact(_artifact(tmp_path, "model", "model", "2"), aliases=[XSS])
    panel.flush()
    section = panel.artifacts
    assert isinstance(section, RunArtifacts) and isinstance(panel.curves, Curves)
    assert panel.get_state()["_artifacts"] == f"IPY_MODEL_{section.model_id}"  # the page draws it under the header
    assert section.lines == ["used: data:v0", f"logged: model:v0 ({XSS})"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in section.value and "<img" not in section.value
    assert "logged: model:v0 (&lt;img src=x" in panel.to_svg()
    run.finish(quiet=True)
    assert (
        RunPanel(f"panel/{run.id}").artifacts is not None
    )  # a finished run with artifacts: the section from the start


def test_lineage_and_browser_read_the_default_store(store_dir: Path, tmp_path: Path) -> None:
    from wbnb.widgets import ArtifactBrowser, LineageGraph

    maker = wbnb.init(project="p", name="maker")
    maker.log_artifact(_artifact(tmp_path, "data", "dataset", "1"))
    maker.finish(quiet=True)
    user = wbnb.init(project="p", name="user", reinit="create_new")
    user.use_artifact("data:latest")
    user.finish(quiet=True)
    graph = LineageGraph(user, depth=2)
    assert [n["label"] for n in graph.graph["nodes"]] == ["user", "data:v0", "maker"]
    from_artifact = LineageGraph(wbnb.Api().artifact("p/data:v0"), depth=1)
    assert [(n["label"], n["root"]) for n in from_artifact.graph["nodes"]] == [
        ("data:v0", True),
        ("maker", False),
        ("user", False),
    ]
    draft = wbnb.Artifact("never", "dataset")
    with pytest.raises(ValueError, match="is a draft: log it"):
        LineageGraph(draft)
    browser = ArtifactBrowser(wbnb.Api().artifact("p/data:latest"))
    assert browser.selected == browser.data["versions"][0]["id"] and browser.name == "data"
    (row,) = browser.data["versions"]
    assert row["logged_by"] == {"project": "p", "id": maker.id, "name": "maker"}
    assert [r["name"] for r in row["used_by"]] == ["user"]
